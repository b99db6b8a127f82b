import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBuild } from '../../api/builds/build-plan.js';
import type { LaunchPool } from '../../api/pool/launch-pool.js';
import { copyRegistryImage, type RegistryImage } from '../../bench/lib/registry-image.js';
import { waitFor } from '../../bench/lib/wait-for.js';
import { startHarness, type Harness } from '../helpers/binder-harness.js';
import { hubUserExists, removeHubUsers, removeServersOf } from '../helpers/hub-users.js';
import { readEventStream } from '../helpers/sse-client.js';
import { requireStack, serveGitRepo, stackInfo, type ServedGitRepo } from '../helpers/stack.js';

// No spec configured: the pool picks the spec launched most (counted in Redis), keeps one
// server of it, replaces that server once it is older than LaunchPool.max_age, and hands
// the replacement to the next launch. Real hub; one pooled server at a time.
describe('warm pool chosen by launch counts, replaced at max_age', () => {
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
    expect(last.phase).toBe('ready');
    const user = userOf(last.data.url);
    launched.add(user);
    return user;
  };
  const ready = async () =>
    (await pool.store.entries()).filter((e) => e.state === 'ready').map((e) => e.server);

  beforeAll(async () => {
    await requireStack();
    repo = await serveGitRepo({ Dockerfile: 'FROM binderhub-ts/jupyter-base:1\n' });
    h = await startHarness({
      runner: false,
      config: {
        LaunchPool: {
          auto_top_k: 1,
          auto_size: 1,
          auto_min_launches: 2,
          max_servers: 1,
          max_age: 30,
          refill_interval: 1,
        },
      },
    });
    pool = h.api.runtime.deps.pool!;
    const entry = h.api.runtime.deps.providers.get('git')!;
    const { image: name } = planBuild(
      entry,
      entry.create(spec()),
      repo.sha,
      h.config.BinderHub.image_prefix,
      'launch',
    );
    image = await copyRegistryImage(stackInfo().registryUrl, 'binderhub-ts/jupyter-base:1', name);
  }, 60_000);

  afterAll(async () => {
    await pool?.drain(60_000);
    await removeHubUsers(launched);
    await h?.close();
    if (h) await removeServersOf(h.config.BinderHub.image_prefix);
    await image?.delete();
    await repo?.close();
  }, 180_000);

  it('pools the spec after two launches, replaces its server at max_age, and serves the next launch from it', async () => {
    await removeHubUsers([await launch()]);
    expect(await pool.store.entries()).toEqual([]); // one launch is not enough
    await removeHubUsers([await launch()]);
    await waitFor(async () => (await ready()).length === 1, 'a pooled server', 180_000, 250);
    const [first] = await ready();
    expect(first!.spec).toBe(`git/${spec()}`);
    await waitFor(
      async () => {
        const now = await ready();
        return now.length === 1 && now[0]!.user !== first!.user;
      },
      'its replacement after max_age',
      240_000,
      500,
    );
    await waitFor(
      async () => !(await hubUserExists(first!.user)),
      'the old server gone',
      120_000,
      500,
    );
    const [second] = await ready();
    expect(await launch()).toBe(second!.user);
    const metrics = await (await fetch(`${h.url}metrics`)).text();
    expect(metrics).toMatch(/binderhub_ts_pool_evictions_total\{reason="max_age"\} 1\n/);
    expect(metrics).toMatch(/binderhub_ts_pool_claims_total\{outcome="hit"\} 1\n/);
  }, 600_000);
});
