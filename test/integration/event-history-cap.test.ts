import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildEventSchema,
  createRedis,
  keyNames,
  RedisEventBus,
  type StoredBuildEvent,
} from '../../queue/index.js';
import { stackInfo } from '../helpers/stack.js';

// A build's history is capped by bytes as well as by count (real Redis, unique prefix).
const CAP = 64 * 1024;
const MAX_EVENT = 4096;

describe('RedisEventBus history capped by bytes', () => {
  const url = stackInfo().redisUrl;
  const redis = createRedis(url, 'command');
  const keys = keyNames(`test-${randomUUID().slice(0, 8)}`);
  const subs: ReturnType<typeof createRedis>[] = [];
  const bus = new RedisEventBus({
    redis,
    keys,
    maxHistory: 100_000,
    maxHistoryBytes: CAP,
    maxEventBytes: MAX_EVENT,
    subscriber: () => {
      const s = createRedis(url, 'subscriber');
      subs.push(s);
      return s;
    },
  });
  afterAll(async () => {
    await bus.close();
    redis.disconnect();
  });

  const line = (i: number) => ({ phase: 'building', message: `line ${i} ${'x'.repeat(200)}\n` });
  const storedBytes = async (build: string) => {
    const rows = await redis.xrange(keys.buildEvents(build), '-', '+');
    return rows.reduce((n, [, f]) => n + Buffer.byteLength(f[1] ?? ''), 0);
  };
  const publishLines = async (build: string, n: number, epochMs = 1000, via = bus) => {
    const ids: (string | undefined)[] = [];
    for (let i = 0; i < n; i += 100) {
      const batch = Array.from({ length: Math.min(100, n - i) }, (_, k) =>
        via.publish(build, line(i + k), { epochMs, seq: (i + k + 1) * 10 }),
      );
      ids.push(...(await Promise.all(batch)));
    }
    return ids;
  };
  const lineNo = (e: StoredBuildEvent) => Number(/^line (\d+) /.exec(e.event.message ?? '')?.[1]);

  it('keeps the history under the byte cap, newest lines kept', async () => {
    const build = 'cap-bytes-1';
    await publishLines(build, 2000); // ~430 KB of JSON
    const bytes = await storedBytes(build);
    expect(bytes).toBeLessThanOrEqual(CAP);
    expect(bytes).toBeGreaterThan(CAP / 2);
    const history = await bus.history(build);
    expect(lineNo(history[history.length - 1]!)).toBe(1999);
    // contiguous tail
    const nums = history.map(lineNo);
    expect(nums).toEqual(nums.map((_, i) => nums[0]! + i));
  });

  it('tells a late joiner that earlier lines were dropped, then gives a coherent tail', async () => {
    const build = 'cap-bytes-2';
    const ids = await publishLines(build, 1000);
    const got: StoredBuildEvent[] = [];
    const stop = await bus.follow(build, undefined, (e) => got.push(e));
    stop();
    const [notice, ...rest] = got;
    expect(notice!.event.message).toMatch(/earlier log lines .*dropped/i);
    expect(buildEventSchema.safeParse(notice!.event).success).toBe(true);
    expect(notice!.event.phase).toBe('building');
    const nums = rest.map(lineNo);
    expect(nums[nums.length - 1]).toBe(999);
    expect(nums).toEqual(nums.map((_, i) => nums[0]! + i));
    // The notice stands for the dropped lines: its id is the last dropped one.
    expect(notice!.id).toBe(ids[nums[0]! - 1]);

    // Resuming from a dropped id: the notice again, then the same tail.
    const resumed: StoredBuildEvent[] = [];
    (await bus.follow(build, ids[3], (e) => resumed.push(e)))();
    expect(resumed[0]!.event.message).toMatch(/dropped/);
    expect(resumed.slice(1).map(lineNo)).toEqual(nums);
    // Resuming from a kept id: no notice.
    const kept: StoredBuildEvent[] = [];
    (await bus.follow(build, ids[990], (e) => kept.push(e)))();
    expect(kept.map(lineNo)).toEqual([991, 992, 993, 994, 995, 996, 997, 998, 999]);
  });

  it('stays idempotent for positioned events after trimming (a re-attached runner)', async () => {
    const build = 'cap-bytes-3';
    await publishLines(build, 1000, 5000);
    const before = await bus.history(build);
    const again = await publishLines(build, 1000, 5000);
    expect(again.every((id) => id === undefined)).toBe(true);
    expect(await bus.history(build)).toEqual(before);
    expect(await storedBytes(build)).toBeLessThanOrEqual(CAP);
    expect(await bus.publish(build, line(1000), { epochMs: 5000, seq: 10_010 })).toBe('5000-10010');
  });

  it('cuts one oversized event to the event size limit, saying so', async () => {
    const build = 'cap-bytes-4';
    const huge = `${'y'.repeat(1_000_000)}\n`;
    const id = await bus.publish(build, { phase: 'building', message: huge, extra: 'z' });
    const [row] = await redis.xrange(keys.buildEvents(build), '-', '+');
    expect(row![0]).toBe(id);
    const json = row![1][1]!;
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(MAX_EVENT);
    const event = JSON.parse(json) as { phase: string; message: string };
    expect(event.phase).toBe('building');
    expect(event.message).toMatch(/^y+/);
    expect(event.message).toMatch(/\[… \d+ bytes cut: one event is limited to 4096 bytes/);
    expect(event.message.endsWith('\n')).toBe(true);
  });

  it('replays a long history in pages, waiting for the follower between pages', async () => {
    const build = 'cap-bytes-5';
    const big = new RedisEventBus({
      redis,
      keys,
      maxHistory: 100_000,
      subscriber: () => {
        const s = createRedis(url, 'subscriber');
        subs.push(s);
        return s;
      },
    });
    try {
      await publishLines(build, 3000, 1000, big); // ~650 KB: several pages
      let waits = 0;
      const got: StoredBuildEvent[] = [];
      let live = 3000;
      const stop = await big.follow(build, undefined, (e) => got.push(e), {
        whenReady: async () => {
          waits++;
          // Live lines keep arriving while the follower is slow.
          await big.publish(build, line(live), { epochMs: 1000, seq: ++live * 10 });
          await new Promise((r) => setTimeout(r, 5));
        },
      });
      const end = live;
      for (let i = 0; i < 200 && got.length < end; i++) await new Promise((r) => setTimeout(r, 10));
      stop();
      expect(waits).toBeGreaterThan(3);
      expect(got.map(lineNo)).toEqual(Array.from({ length: end }, (_, i) => i));
    } finally {
      await big.close();
    }
  });

  afterAll(async () => {
    const found = await redis.keys(`${keys.prefix}:*`);
    if (found.length > 0) await redis.del(...found);
    for (const s of subs) s.disconnect();
  });
});
