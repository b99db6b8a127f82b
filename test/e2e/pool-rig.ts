import { planBuild } from '../../api/builds/build-plan.js';
import type { LaunchPool } from '../../api/pool/launch-pool.js';
import { copyRegistryImage, type RegistryImage } from '../../bench/lib/registry-image.js';
import { startHarness, type Harness, type Sections } from '../helpers/binder-harness.js';
import { removeHubUsers, removeServersOf } from '../helpers/hub-users.js';
import { readEventStream, type ReceivedEvent } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';

/** A warm-pool test's setting: one git repository whose image is in the registry already. */
export interface PoolRig {
  h: Harness;
  repo: ServedGitRepo;
  pool: LaunchPool;
  /** The repository's spec after `git/` (its URL encoded, at HEAD). */
  spec: string;
  /** One launch of the repository; its terminal event (a `ready` one's user is removed at close). */
  launch(): Promise<ReceivedEvent>;
  /** The hub user a server URL belongs to. */
  userOf(url: unknown): string;
  close(): Promise<void>;
}

/**
 * The real hub and registry, an api without a runner (the image is copied from the base
 * image under the name a build would push), configured by `config(repo)`.
 */
export async function startPoolRig(config: (repo: ServedGitRepo) => Sections): Promise<PoolRig> {
  await requireStack();
  const repo = await serveGitRepo({ Dockerfile: 'FROM binderhub-ts/jupyter-base:1\n' });
  const spec = `${encodeURIComponent(repo.url)}/HEAD`;
  let h: Harness | undefined;
  let image: RegistryImage | undefined;
  const launched = new Set<string>();
  const userOf = (url: unknown) => /\/user\/([^/]+)\//.exec(String(url))?.[1] ?? '';
  const close = async () => {
    await h?.api.runtime.deps.pool?.drain(60_000);
    await removeHubUsers(launched);
    await h?.close();
    if (h) await removeServersOf(h.config.BinderHub.image_prefix);
    await image?.delete();
    await repo.close();
  };
  try {
    h = await startHarness({ runner: false, config: config(repo) });
    const entry = h.api.runtime.deps.providers.get('git')!;
    const prefix = h.config.BinderHub.image_prefix;
    const plan = planBuild(entry, entry.create(spec), repo.sha, prefix, 'launch');
    const base = 'binderhub-ts/jupyter-base:1';
    image = await copyRegistryImage(stackInfo().registryUrl, base, plan.image);
  } catch (err) {
    await close();
    throw err;
  }
  const harness = h;
  return {
    h: harness,
    repo,
    pool: harness.api.runtime.deps.pool!,
    spec,
    userOf,
    close,
    async launch() {
      const { events } = await readEventStream(`${harness.url}build/git/${spec}`);
      const last = events[events.length - 1]!;
      if (last.phase === 'ready') launched.add(userOf(last.data.url));
      return last;
    },
  };
}
