import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBuild } from '../../api/builds/build-plan.js';
import type { LaunchPool } from '../../api/pool/launch-pool.js';
import { copyRegistryImage, type RegistryImage } from '../../bench/lib/registry-image.js';
import { waitFor } from '../../bench/lib/wait-for.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { removeHubUsers, removeServersOf } from '../helpers/hub-users.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';

// Quotas against the real hub: unclaimed pool servers never count against a launch, and
// the pool keeps no server the repository's quota would not let anyone claim.
describe('warm pool and the per-repository launch quota', () => {
  let h: Harness;
  let repo: ServedGitRepo;
  let pool: LaunchPool;
  let image: RegistryImage;
  const launched = new Set<string>();
  const userOf = (url: unknown) => /\/user\/([^/]+)\//.exec(String(url))?.[1] ?? '';
  const spec = () => `${encodeURIComponent(repo.url)}/HEAD`;
  const launch = async () => {
    const { events } = await readEventStream(`${h.url}build/git/${spec()}`);
    const last = events[events.length - 1]!;
    if (last.phase === 'ready') launched.add(userOf(last.data.url));
    return last;
  };
  const entries = () => pool.store.entries();

  beforeAll(async () => {
    await requireStack();
    repo = await serveGitRepo({ Dockerfile: 'FROM binderhub-ts/jupyter-base:1\n' });
    h = await startHarness({
      runner: false,
      config: {
        BinderHub: { per_repo_quota: 1 },
        LaunchPool: {
          specs: [{ spec: `git/${encodeURIComponent(repo.url)}/HEAD`, size: 1 }],
          max_servers: 1,
          refill_interval: 1,
        },
      },
    });
    pool = h.api.runtime.deps.pool!;
    const entry = h.api.runtime.deps.providers.get('git')!;
    const plan = planBuild(
      entry,
      entry.create(spec()),
      repo.sha,
      h.config.BinderHub.image_prefix,
      'launch',
    );
    image = await copyRegistryImage(
      stackInfo().registryUrl,
      'binderhub-ts/jupyter-base:1',
      plan.image,
    );
  }, 60_000);

  afterAll(async () => {
    await pool?.drain(60_000);
    await removeHubUsers(launched);
    await h?.close();
    if (h) await removeServersOf(h.config.BinderHub.image_prefix);
    await image?.delete();
    await repo?.close();
  }, 180_000);

  it('lets the only launch a quota of 1 allows take the pooled server, then yields', async () => {
    await waitFor(
      async () => (await entries()).some((e) => e.state === 'ready'),
      'a pooled server',
      180_000,
      250,
    );
    const pooled = (await entries())[0]!.server.user;
    const first = await launch();
    expect(first.phase).toBe('ready');
    expect(userOf(first.data.url)).toBe(pooled);
    // The repository is at its quota: the pool starts nothing nobody could claim.
    for (let i = 0; i < 3; i++) await pool.refiller.tick();
    expect(await entries()).toEqual([]);
    const second = await launch();
    expect(second.data).toMatchObject({ phase: 'failed', status_code: 429 });
    // Once the user's server is gone, the pool fills again.
    await h.stopServer(String(first.data.url));
    await waitFor(
      async () => (await entries()).some((e) => e.state === 'ready'),
      'a refill',
      180_000,
      250,
    );
  }, 400_000);
});
