import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/lib/wait-for.js';
import { startPoolRig, type PoolRig } from './pool-rig.js';

// Quotas against the real hub: unclaimed pool servers never count against a launch, and
// the pool keeps no server the repository's quota would not let anyone claim.
describe('warm pool and the per-repository launch quota', () => {
  let rig: PoolRig;
  const entries = () => rig.pool.store.entries();

  beforeAll(async () => {
    rig = await startPoolRig((repo) => ({
      BinderHub: { per_repo_quota: 1 },
      LaunchPool: {
        specs: [{ spec: `git/${encodeURIComponent(repo.url)}/HEAD`, size: 1 }],
        max_servers: 1,
        refill_interval: 1,
      },
    }));
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 180_000);

  it('lets the only launch a quota of 1 allows take the pooled server, then yields', async () => {
    await waitFor(
      async () => (await entries()).some((e) => e.state === 'ready'),
      'a pooled server',
      180_000,
      250,
    );
    const pooled = (await entries())[0]!.server.user;
    const first = await rig.launch();
    expect(first.phase).toBe('ready');
    expect(rig.userOf(first.data.url)).toBe(pooled);
    // The repository is at its quota: the pool starts nothing nobody could claim.
    for (let i = 0; i < 3; i++) await rig.pool.refiller.tick();
    expect(await entries()).toEqual([]);
    const second = await rig.launch();
    expect(second.data).toMatchObject({ phase: 'failed', status_code: 429 });
    // Once the user's server is gone, the pool fills again.
    await rig.h.stopServer(String(first.data.url));
    await waitFor(
      async () => (await entries()).some((e) => e.state === 'ready'),
      'a refill',
      180_000,
      250,
    );
  }, 400_000);
});
