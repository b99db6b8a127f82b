import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis, keyNames, RedisEventBus, type StoredBuildEvent } from '../../queue/index.js';
import { stackInfo } from '../helpers/stack.js';

// Real Redis (the local stack's), isolated by a unique key prefix.
describe('RedisEventBus', () => {
  const url = stackInfo().redisUrl;
  const redis = createRedis(url, 'command');
  const keys = keyNames(`test-${randomUUID().slice(0, 8)}`);
  const subscribers: ReturnType<typeof createRedis>[] = [];
  const bus = new RedisEventBus({
    redis,
    keys,
    maxHistory: 1000,
    subscriber: () => {
      const s = createRedis(url, 'subscriber');
      subscribers.push(s);
      return s;
    },
  });

  afterAll(async () => {
    await bus.close();
    redis.disconnect();
  });

  const until = async (pred: () => boolean) => {
    for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  };

  it('replays the history to a late joiner, then follows live, in order, without duplicates', async () => {
    const build = 'build-replay-1';
    for (let i = 0; i < 5; i++)
      await bus.publish(build, { phase: 'building', message: `line ${i}\n` });
    const got: StoredBuildEvent[] = [];
    const stop = await bus.follow(build, undefined, (e) => got.push(e));
    for (let i = 5; i < 10; i++)
      await bus.publish(build, { phase: 'building', message: `line ${i}\n` });
    await until(() => got.length >= 10);
    stop();
    expect(got.map((e) => e.event.message)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line ${i}\n`),
    );
    expect(new Set(got.map((e) => e.id)).size).toBe(10);
  });

  it('resumes after a Last-Event-ID', async () => {
    const build = 'build-resume-1';
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await bus.publish(build, { message: `m${i}` }))!);
    const got: string[] = [];
    const stop = await bus.follow(build, ids[2], (e) => got.push(e.event.message ?? ''));
    stop();
    expect(got).toEqual(['m3', 'm4', 'm5']);
  });

  it('holds one subscription per build however many clients follow it', async () => {
    const build = 'build-fanout-1';
    const counts = Array.from({ length: 50 }, () => 0);
    const stops = await Promise.all(
      counts.map((_, i) => bus.follow(build, undefined, () => counts[i]!++)),
    );
    expect(bus.subscriptionCount).toBe(1);
    const numsub = (await redis.call('PUBSUB', 'NUMSUB', keys.buildChannel(build))) as [
      string,
      number,
    ];
    expect(Number(numsub[1])).toBe(1);
    await bus.publish(build, { message: 'to everyone' });
    await until(() => counts.every((c) => c === 1));
    expect(counts.every((c) => c === 1)).toBe(true);
    stops.forEach((s) => s());
    expect(bus.subscriptionCount).toBe(0);
  });

  it('publishes a positioned event once, however often it is re-published', async () => {
    const build = 'build-position-1';
    const epochMs = Date.now();
    expect(await bus.publish(build, { message: 'a' }, { epochMs, seq: 10 })).toBe(`${epochMs}-10`);
    expect(await bus.publish(build, { message: 'b' }, { epochMs, seq: 20 })).toBe(`${epochMs}-20`);
    // A re-attached runner reads the log again from an older offset:
    expect(await bus.publish(build, { message: 'a' }, { epochMs, seq: 10 })).toBeUndefined();
    expect(await bus.publish(build, { message: 'b' }, { epochMs, seq: 20 })).toBeUndefined();
    expect(await bus.publish(build, { message: 'c' }, { epochMs, seq: 30 })).toBe(`${epochMs}-30`);
    expect((await bus.history(build)).map((e) => e.event.message)).toEqual(['a', 'b', 'c']);
  });

  it('forgets a history on reset and knows the last event', async () => {
    const build = 'build-reset-1';
    await bus.publish(build, { phase: 'failed', message: 'old run' });
    expect((await bus.lastEvent(build))?.event.phase).toBe('failed');
    await bus.reset(build);
    expect(await bus.lastEvent(build)).toBeUndefined();
    expect(await bus.history(build)).toEqual([]);
  });
});
