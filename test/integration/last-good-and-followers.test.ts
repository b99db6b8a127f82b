import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteKeysUnder } from '../../bench/lib/redis-cleanup.js';
import { parseConfig } from '../../queue/config/index.js';
import { followedUntil } from '../../queue/followers/followed-until.js';
import { FollowerLeases } from '../../queue/followers/follower-leases.js';
import { createLogger, createRedis, keyNames, type BuildJob } from '../../queue/index.js';
import { lastGoodRefKey } from '../../queue/last-good/last-good-entry.js';
import { LastGoodStore } from '../../queue/last-good/last-good-store.js';
import { buildIdentity } from '../../queue/repo-specs/build-identity.js';
import { repoSpecFor } from '../../queue/repo-specs/repo-spec-for.js';
import { isOrphaned, watchOrphan } from '../../runners/orphan-watch.js';
import { lastGoodSpecs } from '../../runners/record-last-good.js';
import { stackInfo } from '../helpers/stack.js';

// The Redis state behind `?fallback=last-good` and orphaned-build cancelling, on the
// stack's Redis under a key prefix of its own.

const PREFIX = '127.0.0.1:5000/binder-';
const config = parseConfig({ BinderHub: { image_prefix: PREFIX } });
const spec = (s: string) => repoSpecFor(config, 'gh', s)!;
const sha = (c: string) => c.repeat(40);
const log = createLogger({ level: 'silent', name: 'test' });

describe('last good images and follower leases on Redis', () => {
  const prefix = `test-econ-${randomUUID().slice(0, 8)}`;
  const keys = keyNames(prefix);
  const redis = createRedis(stackInfo().redisUrl, 'command');
  const store = new LastGoodStore({ redis, keys, ttlSeconds: 600, imagePrefix: PREFIX });
  const head = spec('org/repo/HEAD');
  const image = (c: string) => buildIdentity(head, c, PREFIX).image;

  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    redis.disconnect();
  });

  it('records per ref, only forward in time, and renews a rebuilt image', async () => {
    expect(
      await store.record(head, { commit: sha('a'), image: image(sha('a')), resolvedAt: 1000 }),
    ).toBe(true);
    // An older resolution of another commit does not replace it; a newer one does.
    expect(
      await store.record(head, { commit: sha('b'), image: image(sha('b')), resolvedAt: 500 }),
    ).toBe(false);
    expect(
      await store.record(head, {
        commit: sha('c'),
        image: image(sha('c')),
        resolvedAt: 2000,
        builtAt: 5,
      }),
    ).toBe(true);
    expect(await store.read(head)).toMatchObject({
      ok: true,
      entry: { commit: sha('c'), builtAt: 5 },
    });
    // The same commit again keeps when it was built, unless it was rebuilt.
    expect(
      await store.record(head, {
        commit: sha('c'),
        image: image(sha('c')),
        resolvedAt: 3000,
        builtAt: 9,
      }),
    ).toBe(false);
    expect(
      await store.record(
        head,
        { commit: sha('c'), image: image(sha('c')), resolvedAt: 3000, builtAt: 9 },
        true,
      ),
    ).toBe(true);
    expect(await store.read(head)).toMatchObject({ ok: true, entry: { builtAt: 9 } });
    // Another ref of the repository has its own record; a commit spec has none.
    expect(await store.read(spec('org/repo/main'))).toBeUndefined();
    expect(
      await store.record(spec(`org/repo/${sha('d')}`), {
        commit: sha('d'),
        image: image(sha('d')),
        resolvedAt: 1,
      }),
    ).toBe(false);
    expect(await store.imagesToKeep()).toEqual([image(sha('c'))]);
  });

  it("refuses to record, and ignores when read back, anything but this spec's own image", async () => {
    await expect(
      store.record(head, {
        commit: sha('e'),
        image: '127.0.0.1:5000/evil:latest',
        resolvedAt: 9999,
      }),
    ).rejects.toThrow(/not a last good image/);
    const key = keys.lastGood(lastGoodRefKey(head));
    const tampered = async (record: unknown) => {
      await redis.set(key, typeof record === 'string' ? record : JSON.stringify(record));
      return store.read(head);
    };
    const good = { commit: sha('f'), image: image(sha('f')), builtAt: 1, resolvedAt: 1 };
    expect(await tampered(good)).toMatchObject({ ok: true });
    // another repository's image, another registry, a tag that is not the commit
    const other = buildIdentity(spec('org/other/HEAD'), sha('f'), PREFIX).image;
    expect(await tampered({ ...good, image: other })).toMatchObject({ ok: false });
    expect(
      await tampered({ ...good, image: image(sha('f')).replace('127.0.0.1:5000', 'evil.example') }),
    ).toMatchObject({ ok: false });
    expect(await tampered({ ...good, image: image(sha('9')) })).toMatchObject({ ok: false });
    // a commit that is not 40 (or 64) hex digits, extra fields, not JSON
    expect(await tampered({ ...good, commit: 'HEAD' })).toMatchObject({ ok: false });
    expect(await tampered({ ...good, commit: sha('F') })).toMatchObject({ ok: false });
    expect(await tampered({ ...good, extra: 1 })).toMatchObject({ ok: false });
    expect(await tampered('{not json')).toMatchObject({ ok: false, reason: 'not JSON' });
  });

  it("takes a pre-build's branch specs only when they name the same repository", () => {
    const job = {
      provider: 'gh',
      ref: sha('a'),
      refSpecs: ['org/repo/main', 'org/repo/HEAD', 'evil/repo/main', '../x'],
    } as BuildJob;
    const specs = lastGoodSpecs(config, spec(`org/repo/${sha('a')}`), job).map((s) => s.spec);
    expect(specs).toEqual([`org/repo/${sha('a')}`, 'org/repo/main', 'org/repo/HEAD']);
  });

  it('holds one lease per api process, ends it when its last client leaves, and lets a crashed one lapse', async () => {
    const run = { buildName: 'build-x', requestedAt: 42 };
    const a = new FollowerLeases({ redis, keys, leaseSeconds: 3, log });
    const b = new FollowerLeases({ redis, keys, leaseSeconds: 3, log });
    expect(await followedUntil(redis, keys, run)).toBeUndefined(); // never tracked
    const r1 = await a.hold(run);
    const r2 = await a.hold(run);
    const until = (await followedUntil(redis, keys, run))!;
    expect(until).toBeGreaterThan(Date.now() + 2000);
    r1();
    expect(await followedUntil(redis, keys, run)).toBe(until); // a second client still follows
    const rb = await b.hold(run);
    r2();
    rb();
    await new Promise((r) => setTimeout(r, 50));
    const left = (await followedUntil(redis, keys, run))!;
    expect(left).toBeLessThanOrEqual(Date.now());
    expect(isOrphaned(left, Date.now(), 4000)).toBe(false);
    expect(isOrphaned(left, left + 4000, 4000)).toBe(true);
    expect(isOrphaned(undefined, Date.now(), 0)).toBe(false);
    await a.keep(run, 'fallback');
    expect(await followedUntil(redis, keys, run)).toBe(Number.POSITIVE_INFINITY);
    await a.close();
    await b.close();
  });

  it("the runner's watch fires once nobody followed for the grace period", async () => {
    const run = { buildName: 'build-y', requestedAt: 7 };
    const leases = new FollowerLeases({ redis, keys, leaseSeconds: 3, log });
    const release = await leases.hold(run);
    let reason = '';
    const started = Date.now();
    const fired = new Promise<number>((resolve) => {
      watchOrphan({
        redis,
        keys,
        run,
        graceMs: 1000,
        intervalMs: 100,
        settleMs: 1000,
        log,
        onOrphan: (r) => {
          reason = r;
          resolve(Date.now());
        },
      });
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(reason).toBe(''); // followed: nothing happens
    const leftAt = Date.now();
    release();
    const at = await fired;
    expect(at - leftAt).toBeGreaterThanOrEqual(900);
    expect(at - leftAt).toBeLessThan(1600);
    expect(at - started).toBeGreaterThan(2000);
    expect(reason).toMatch(/Build cancelled: nobody was waiting/);
    await leases.close();
  });
});
