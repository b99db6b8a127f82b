import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../bench/lib/wait-for.js';
import { hubUserExists, removeHubUsers } from '../helpers/hub-users.js';
import { startPoolRig, type PoolRig } from './pool-rig.js';

// No spec configured: the pool picks the spec launched most (counted in Redis), keeps one
// server of it, replaces that server once it is older than LaunchPool.max_age, and hands
// the replacement to the next launch. Real hub; one pooled server at a time.
describe('warm pool chosen by launch counts, replaced at max_age', () => {
  let rig: PoolRig;
  const launch = async () => {
    const last = await rig.launch();
    expect(last.phase).toBe('ready');
    return rig.userOf(last.data.url);
  };
  const ready = async () =>
    (await rig.pool.store.entries()).filter((e) => e.state === 'ready').map((e) => e.server);

  beforeAll(async () => {
    rig = await startPoolRig(() => ({
      LaunchPool: {
        auto_top_k: 1,
        auto_size: 1,
        auto_min_launches: 2,
        max_servers: 1,
        max_age: 30,
        refill_interval: 1,
      },
    }));
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  }, 180_000);

  it('pools the spec after two launches, replaces its server at max_age, and serves the next launch from it', async () => {
    await removeHubUsers([await launch()]);
    expect(await rig.pool.store.entries()).toEqual([]); // one launch is not enough
    await removeHubUsers([await launch()]);
    await waitFor(async () => (await ready()).length === 1, 'a pooled server', 180_000, 250);
    const [first] = await ready();
    expect(first!.spec).toBe(`git/${rig.spec}`);
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
    const metrics = await (await fetch(`${rig.h.url}metrics`)).text();
    expect(metrics).toMatch(/binderhub_ts_pool_evictions_total\{reason="max_age"\} 1\n/);
    expect(metrics).toMatch(/binderhub_ts_pool_claims_total\{outcome="hit"\} 1\n/);
  }, 600_000);
});
