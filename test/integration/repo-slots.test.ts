import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysUnder } from '../../bench/lib/redis-cleanup.js';
import { repoKey } from '../../queue/fairness/repo-key.js';
import { RepoSlots, waiterRank } from '../../queue/fairness/repo-slots.js';
import { createRedis, keyNames } from '../../queue/index.js';
import { stackInfo } from '../helpers/stack.js';

// The per-repository build slots on the stack's Redis, as two runners share them: each
// "runner" has its own connection; time is passed in so leases expire on cue.
describe('RepoSlots on Redis', () => {
  const url = stackInfo().redisUrl;
  const prefix = `test-slots-${randomUUID().slice(0, 8)}`;
  const keys = keyNames(prefix);
  const a = createRedis(url, 'command');
  const b = createRedis(url, 'command');
  let now = 1_000_000;
  const opts = { keys, limit: 1, leaseMs: 30_000, staleMs: 60_000, now: () => now };
  const runnerA = new RepoSlots({ redis: a, ...opts });
  const runnerB = new RepoSlots({ redis: b, ...opts });
  const rank = (priority: number, at = 0) => waiterRank(priority, at);

  afterAll(async () => {
    await deleteKeysUnder(a, prefix);
    a.disconnect();
    b.disconnect();
  });

  it('keys a repository by provider and URL, whatever the case or a trailing .git', () => {
    const k = repoKey({ provider: 'git', repoUrl: 'https://Example.org/Org/Repo.git' });
    expect(repoKey({ provider: 'git', repoUrl: 'https://example.org/org/repo' })).toBe(k);
    expect(repoKey({ provider: 'gl', repoUrl: 'https://example.org/org/repo' })).not.toBe(k);
    expect(repoKey({ provider: 'git', repoUrl: 'https://example.org/org/other' })).not.toBe(k);
  });

  it('grants the limit across runners, refuses the rest, and renews for the holder', async () => {
    expect(await runnerA.acquire('r1', 'build-1', rank(1))).toEqual({ granted: true });
    expect(await runnerB.acquire('r1', 'build-2', rank(1))).toEqual({ granted: false, running: 1 });
    // The holder asking again (a runner re-attaching) keeps its slot.
    expect(await runnerB.acquire('r1', 'build-1', rank(1))).toEqual({ granted: true });
    // Another repository is not affected.
    expect(await runnerB.acquire('r2', 'build-9', rank(1))).toEqual({ granted: true });
    expect(await runnerA.release('r1', 'build-1')).toEqual(['build-2']);
    expect(await runnerB.acquire('r1', 'build-2', rank(1))).toEqual({ granted: true });
    expect(await runnerB.release('r1', 'build-2')).toEqual([]);
    await runnerB.release('r2', 'build-9');
  });

  it('gives a dead runner’s slot back when its lease runs out, not before', async () => {
    expect(await runnerA.acquire('r3', 'build-dead', rank(1))).toEqual({ granted: true });
    now += 20_000;
    await runnerA.renew('r3', 'build-dead');
    now += 20_000; // 40 s after taking it, 20 s after the renewal: still held
    expect((await runnerB.acquire('r3', 'build-next', rank(1))).granted).toBe(false);
    expect(await runnerB.running('r3')).toEqual(['build-dead']);
    now += 11_000; // the runner died after its renewal: the lease is over
    expect(await runnerB.acquire('r3', 'build-next', rank(1))).toEqual({ granted: true });
    await runnerB.release('r3', 'build-next');
  });

  it('lets a waiting launch go before the repository’s waiting pre-builds', async () => {
    expect(await runnerA.acquire('r4', 'build-running', rank(1))).toEqual({ granted: true });
    expect((await runnerA.acquire('r4', 'build-prebuild', rank(10, 100))).granted).toBe(false);
    expect((await runnerB.acquire('r4', 'build-launch', rank(1, 200))).granted).toBe(false);
    expect(await runnerA.release('r4', 'build-running')).toEqual(['build-launch']);
    // The pre-build asks first, but the launch ranks ahead of it: refused.
    expect((await runnerA.acquire('r4', 'build-prebuild', rank(10, 100))).granted).toBe(false);
    expect(await runnerB.acquire('r4', 'build-launch', rank(1, 200))).toEqual({ granted: true });
    expect(await runnerB.release('r4', 'build-launch')).toEqual(['build-prebuild']);
    expect(await runnerA.acquire('r4', 'build-prebuild', rank(10, 100))).toEqual({ granted: true });
    await runnerA.release('r4', 'build-prebuild');
  });

  it('forgets a waiter that stopped asking (its job was removed)', async () => {
    expect(await runnerA.acquire('r5', 'build-running', rank(1))).toEqual({ granted: true });
    expect((await runnerA.acquire('r5', 'build-gone', rank(1, 1))).granted).toBe(false);
    await runnerA.release('r5', 'build-running');
    expect((await runnerB.acquire('r5', 'build-late', rank(1, 2))).granted).toBe(false);
    now += 61_000;
    expect(await runnerB.acquire('r5', 'build-late', rank(1, 2))).toEqual({ granted: true });
  });
});
