import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { LaunchCounts } from '../../api/pool/launch-counts.js';
import type { PoolServer } from '../../api/pool/pool-server.js';
import { PoolStore } from '../../api/pool/pool-store.js';
import { deleteKeysUnder } from '../../bench/lib/redis-cleanup.js';
import { createRedis, keyNames } from '../../queue/index.js';
import { stackInfo } from '../helpers/stack.js';

// The pool's Redis state (the stack's Redis, a unique key prefix), as two api replicas
// share it: each "replica" has its own connection.
describe('PoolStore and LaunchCounts on Redis', () => {
  const url = stackInfo().redisUrl;
  const prefix = `test-pool-${randomUUID().slice(0, 8)}`;
  const keys = keyNames(prefix);
  const a = createRedis(url, 'command');
  const b = createRedis(url, 'command');
  const storeA = new PoolStore(a, keys);
  const storeB = new PoolStore(b, keys);

  afterAll(async () => {
    await deleteKeysUnder(a, prefix);
    a.disconnect();
    b.disconnect();
  });

  const server = (user: string, image: string): PoolServer => ({
    user,
    image,
    spec: 'git/x/HEAD',
    owner: 'replica-a',
    startedAt: Date.now(),
  });

  async function fill(image: string, n: number): Promise<string[]> {
    const users = Array.from({ length: n }, (_, i) => `${image.replace(/\W/g, '')}-${i}`);
    for (const user of users) {
      await storeA.reserve(server(user, image));
      const info = { url: `http://hub/user/${user}/`, token: `token-${user}` } as never;
      expect(await storeA.promote({ ...server(user, image), readyAt: Date.now(), info })).toBe(
        true,
      );
    }
    return users;
  }

  it('hands each of 5 ready servers to exactly one of 20 simultaneous claims from two replicas', async () => {
    await storeA.setTargets({ 'img:one': 'git/x/HEAD' });
    const users = await fill('img:one', 5);
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? storeA : storeB).claim('img:one')),
    );
    const hits = claims.flatMap((c) => (c.outcome === 'hit' ? [c.server] : []));
    expect(hits).toHaveLength(5);
    expect(new Set(hits.map((s) => s.user))).toEqual(new Set(users));
    expect(new Set(hits.map((s) => s.info?.token)).size).toBe(5);
    expect(claims.filter((c) => c.outcome === 'miss')).toHaveLength(15);
    expect(await storeA.entries()).toEqual([]);
    expect((await storeB.claim('img:unpooled')).outcome).toBe('unpooled');
  });

  it('lets a server be either claimed or evicted, never both, and never promotes an evicted start', async () => {
    await storeA.setTargets({ 'img:two': 'git/x/HEAD' });
    const [u0, u1] = await fill('img:two', 2);
    const [claimed, evicted] = await Promise.all([
      storeA.claim('img:two'),
      storeB.evict(u0!, 'img:two', 'replica-b'),
    ]);
    const claimedUser = claimed.outcome === 'hit' ? claimed.server.user : undefined;
    // u0 went one way only: to the claimer (then the eviction got nothing) or to the evictor.
    if (claimedUser === u0) expect(evicted).toBeUndefined();
    else expect(evicted?.user).toBe(u0);
    expect(await storeA.users()).toEqual(new Set([claimedUser === u0 ? u1 : u0]));

    await storeA.reserve(server('starting-1', 'img:two'));
    expect((await storeB.evict('starting-1', 'img:two', 'replica-b'))?.user).toBe('starting-1');
    expect(await storeA.promote({ ...server('starting-1', 'img:two'), readyAt: 1 })).toBe(false);
    expect(await storeA.removing()).toMatchObject({ 'starting-1': 'replica-b' });
    await storeB.removed('starting-1');
    expect(await storeA.removing()).not.toHaveProperty('starting-1');
  });

  it('knows live owners by their leases', async () => {
    await storeA.renewLease('replica-a', 10_000);
    expect(await storeB.liveOwners(['replica-a', 'replica-gone'])).toEqual(new Set(['replica-a']));
    await storeA.dropLease('replica-a');
    expect(await storeB.liveOwners(['replica-a'])).toEqual(new Set());
  });

  it('counts launches over a sliding window and ranks the top K', async () => {
    const counts = new LaunchCounts(
      a,
      (bucket) => keys.key('pool', 'launches', String(bucket)),
      120_000,
    );
    const t0 = 1_000_000_000;
    for (let i = 0; i < 3; i++) await counts.record('gh/a/HEAD', t0);
    await counts.record('gh/b/HEAD', t0);
    for (let i = 0; i < 2; i++) await counts.record('gh/b/HEAD', t0 + 60_000);
    await counts.record('gh/c/HEAD', t0 + 60_000);
    expect(await counts.top(2, 1, t0 + 60_000)).toEqual([
      { spec: 'gh/a/HEAD', launches: 3 },
      { spec: 'gh/b/HEAD', launches: 3 },
    ]);
    expect(await counts.top(5, 2, t0 + 60_000)).toHaveLength(2);
    // Two minutes later the first launches left the window.
    expect(await counts.top(5, 1, t0 + 125_000)).toEqual([
      { spec: 'gh/b/HEAD', launches: 2 },
      { spec: 'gh/c/HEAD', launches: 1 },
    ]);
  });
});
