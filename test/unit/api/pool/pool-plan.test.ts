import { describe, expect, it } from 'vitest';
import { planPool, type PoolPlanInput, type PoolTarget } from '../../../../api/pool/pool-plan.js';
import { withinRepoQuotas } from '../../../../api/pool/pool-refiller.js';
import type { PoolEntry, PoolServerState } from '../../../../api/pool/pool-server.js';

const NOW = 1_000_000;
const request = {
  image: 'img:new',
  repoUrl: 'https://example.org/r.git',
  refUrl: '',
  launchHost: '',
  binderRequest: '',
  binderPersistentRequest: '',
  clientIp: '',
};

function target(spec: string, image: string | undefined, size: number, built = true): PoolTarget {
  return { spec, image, size, built, request: image ? { ...request, image } : undefined };
}

let n = 0;
function entry(image: string, spec: string, state: PoolServerState = 'ready', o = {}): PoolEntry {
  const server = { user: `u${++n}`, image, spec, owner: 'me', startedAt: NOW - 1000, ...o };
  return { state, server };
}

function input(over: Partial<PoolPlanInput>): PoolPlanInput {
  const entries = over.entries ?? [];
  return {
    targets: [],
    entries,
    capacity: 10,
    quotaBound: false,
    liveOwners: new Set(['me']),
    hubReady: new Set(entries.map((e) => e.server.user)),
    maxAgeMs: 60_000,
    now: NOW,
    ...over,
  };
}

const starts = (p: ReturnType<typeof planPool>) =>
  p.start.map((s) => [s.target.spec, s.count] as const);
const evictions = (p: ReturnType<typeof planPool>) =>
  p.evict.map((e) => [e.server.user, e.reason] as const);

describe('planPool', () => {
  it('starts what a built target lacks, and nothing for one not built yet', () => {
    const have = entry('reg/a:1', 'gh/a/HEAD');
    const plan = planPool(
      input({
        targets: [target('gh/a/HEAD', 'reg/a:1', 3), target('gh/b/HEAD', 'reg/a:2', 2, false)],
        entries: [have],
      }),
    );
    expect(starts(plan)).toEqual([['gh/a/HEAD', 2]]);
    expect(plan.evict).toEqual([]);
  });

  it('takes out the servers of a spec that now resolves to a new image', () => {
    const old = [entry('img:old', 'gh/a/HEAD'), entry('img:old', 'gh/a/HEAD', 'starting')];
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', 'img:new', 2, false)], entries: old }),
    );
    expect(evictions(plan)).toEqual([
      [old[0]!.server.user, 'image_changed'],
      [old[1]!.server.user, 'image_changed'],
    ]);
    expect(plan.start).toEqual([]);
  });

  it('takes out old, gone, orphaned and unwanted servers; keeps a live owner’s start', () => {
    const old = entry('reg/a:1', 'gh/a/HEAD', 'ready', { startedAt: NOW - 61_000 });
    const gone = entry('reg/a:1', 'gh/a/HEAD');
    const orphan = entry('reg/a:1', 'gh/a/HEAD', 'starting', { owner: 'dead' });
    const starting = entry('reg/a:1', 'gh/a/HEAD', 'starting');
    const unwanted = entry('img:z', 'gh/z/HEAD');
    const entries = [old, gone, orphan, starting, unwanted];
    const hubReady = new Set([old, starting, unwanted].map((e) => e.server.user));
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', 'reg/a:1', 2)], entries, hubReady }),
    );
    expect(evictions(plan)).toEqual([
      [old.server.user, 'max_age'],
      [gone.server.user, 'gone'],
      [orphan.server.user, 'orphaned'],
      [unwanted.server.user, 'unwanted'],
    ]);
    expect(starts(plan)).toEqual([['gh/a/HEAD', 1]]);
  });

  it('keeps the servers of a spec it could not resolve this time, and starts none', () => {
    const kept = entry('reg/a:1', 'gh/a/HEAD');
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', undefined, 3, false)], entries: [kept] }),
    );
    expect(plan).toEqual({ evict: [], start: [] });
  });

  it('gives the room the quota leaves to the first targets and takes the rest out', () => {
    const a = [entry('reg/a:1', 'gh/a/HEAD'), entry('reg/a:1', 'gh/a/HEAD')];
    const b = [entry('reg/a:2', 'gh/b/HEAD'), entry('reg/a:2', 'gh/b/HEAD', 'starting')];
    const plan = planPool(
      input({
        targets: [target('gh/a/HEAD', 'reg/a:1', 3), target('gh/b/HEAD', 'reg/a:2', 2)],
        entries: [...a, ...b],
        capacity: 3,
        quotaBound: true,
      }),
    );
    // a keeps 2 and gets 1 more; b gets no room left: both of its servers go.
    expect(starts(plan)).toEqual([['gh/a/HEAD', 1]]);
    expect(evictions(plan)).toEqual([
      [b[0]!.server.user, 'quota'],
      [b[1]!.server.user, 'quota'],
    ]);
  });

  it('takes out what exceeds a size, starting servers before ready ones', () => {
    const ready = entry('reg/a:1', 'gh/a/HEAD');
    const starting = entry('reg/a:1', 'gh/a/HEAD', 'starting');
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', 'reg/a:1', 1)], entries: [starting, ready] }),
    );
    expect(evictions(plan)).toEqual([[starting.server.user, 'excess']]);
    expect(plan.start).toEqual([]);
  });

  it('lets specs of one image share its servers (the larger size counts)', () => {
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', 'reg/a:1', 1), target('gh/a/main', 'reg/a:1', 2)] }),
    );
    expect(starts(plan)).toEqual([['gh/a/HEAD', 2]]);
  });

  it('never checks the hub when it could not be asked', () => {
    const e = entry('reg/a:1', 'gh/a/HEAD');
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', 'reg/a:1', 1)], entries: [e], hubReady: undefined }),
    );
    expect(plan).toEqual({ evict: [], start: [] });
  });

  it('keeps no more pool servers than the repository quota leaves to real launches', () => {
    const pooled = entry('reg/a:1', 'gh/a/HEAD');
    const t = { ...target('gh/a/HEAD', 'reg/a:1', 2), repoQuota: 2 };
    const hub = [
      { user: pooled.server.user, ready: true, image: 'reg/a:1' },
      { user: 'someone', ready: true, image: 'reg/a:2' }, // another tag of the repository
    ];
    const [capped] = withinRepoQuotas([t], [pooled], hub);
    expect(capped).toMatchObject({ size: 1, quotaCapped: true });
    hub.push({ user: 'another', ready: true, image: 'reg/a:1' });
    const [none] = withinRepoQuotas([t], [pooled], hub);
    const plan = planPool(input({ targets: [none!], entries: [pooled] }));
    expect(evictions(plan)).toEqual([[pooled.server.user, 'quota']]);
    expect(withinRepoQuotas([target('gh/a/HEAD', 'reg/a:1', 2)], [pooled], hub)[0]!.size).toBe(2);
  });
});
