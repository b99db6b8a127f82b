import { describe, expect, it } from 'vitest';
import { planPool, type PoolPlanInput, type PoolTarget } from '../../../api/pool/pool-plan.js';
import type { PoolEntry, PoolServerState } from '../../../api/pool/pool-server.js';

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
    const have = entry('img:a', 'gh/a/HEAD');
    const plan = planPool(
      input({
        targets: [target('gh/a/HEAD', 'img:a', 3), target('gh/b/HEAD', 'img:b', 2, false)],
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
    const old = entry('img:a', 'gh/a/HEAD', 'ready', { startedAt: NOW - 61_000 });
    const gone = entry('img:a', 'gh/a/HEAD');
    const orphan = entry('img:a', 'gh/a/HEAD', 'starting', { owner: 'dead' });
    const starting = entry('img:a', 'gh/a/HEAD', 'starting');
    const unwanted = entry('img:z', 'gh/z/HEAD');
    const entries = [old, gone, orphan, starting, unwanted];
    const hubReady = new Set([old, starting, unwanted].map((e) => e.server.user));
    const plan = planPool(input({ targets: [target('gh/a/HEAD', 'img:a', 2)], entries, hubReady }));
    expect(evictions(plan)).toEqual([
      [old.server.user, 'max_age'],
      [gone.server.user, 'gone'],
      [orphan.server.user, 'orphaned'],
      [unwanted.server.user, 'unwanted'],
    ]);
    expect(starts(plan)).toEqual([['gh/a/HEAD', 1]]);
  });

  it('keeps the servers of a spec it could not resolve this time, and starts none', () => {
    const kept = entry('img:a', 'gh/a/HEAD');
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', undefined, 3, false)], entries: [kept] }),
    );
    expect(plan).toEqual({ evict: [], start: [] });
  });

  it('gives the room the quota leaves to the first targets and takes the rest out', () => {
    const a = [entry('img:a', 'gh/a/HEAD'), entry('img:a', 'gh/a/HEAD')];
    const b = [entry('img:b', 'gh/b/HEAD'), entry('img:b', 'gh/b/HEAD', 'starting')];
    const plan = planPool(
      input({
        targets: [target('gh/a/HEAD', 'img:a', 3), target('gh/b/HEAD', 'img:b', 2)],
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
    const ready = entry('img:a', 'gh/a/HEAD');
    const starting = entry('img:a', 'gh/a/HEAD', 'starting');
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', 'img:a', 1)], entries: [starting, ready] }),
    );
    expect(evictions(plan)).toEqual([[starting.server.user, 'excess']]);
    expect(plan.start).toEqual([]);
  });

  it('lets specs of one image share its servers (the larger size counts)', () => {
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', 'img:a', 1), target('gh/a/main', 'img:a', 2)] }),
    );
    expect(starts(plan)).toEqual([['gh/a/HEAD', 2]]);
  });

  it('never checks the hub when it could not be asked', () => {
    const e = entry('img:a', 'gh/a/HEAD');
    const plan = planPool(
      input({ targets: [target('gh/a/HEAD', 'img:a', 1)], entries: [e], hubReady: undefined }),
    );
    expect(plan).toEqual({ evict: [], start: [] });
  });
});
