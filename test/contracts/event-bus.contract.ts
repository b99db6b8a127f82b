/**
 * What every EventBus promises, run against RedisEventBus on real Redis
 * (redis-event-bus.test.ts) and the in-memory FakeEventBus (fake-event-bus.test.ts), so
 * the fake cannot drift from the real thing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { compareStreamIds, type EventBus, type StoredBuildEvent } from '../../queue/index.js';

/** The caps every bus under test is made with. */
export const CONTRACT_LIMITS = { maxHistory: 50, maxHistoryBytes: 8192, maxEventBytes: 1024 };

export interface BusUnderTest {
  bus: EventBus;
  /** Builds this process follows now (one subscription each for Redis). */
  subscriptions(): number;
  close(): Promise<void>;
}

export function eventBusContract(
  label: string,
  start: (limits: typeof CONTRACT_LIMITS) => BusUnderTest,
) {
  describe(`EventBus contract: ${label}`, () => {
    const t = start(CONTRACT_LIMITS);
    const bus = t.bus;

    afterAll(() => t.close());

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
      expect(t.subscriptions()).toBe(1);
      await bus.publish(build, { message: 'to everyone' });
      await until(() => counts.every((c) => c === 1));
      expect(counts.every((c) => c === 1)).toBe(true);
      stops.forEach((s) => s());
      expect(t.subscriptions()).toBe(0);
    });

    it('publishes a positioned event once, however often it is re-published', async () => {
      const build = 'build-position-1';
      const epochMs = Date.now();
      expect(await bus.publish(build, { message: 'a' }, { epochMs, seq: 10 })).toBe(
        `${epochMs}-10`,
      );
      expect(await bus.publish(build, { message: 'b' }, { epochMs, seq: 20 })).toBe(
        `${epochMs}-20`,
      );
      // A re-attached runner reads the log again from an older offset:
      expect(await bus.publish(build, { message: 'a' }, { epochMs, seq: 10 })).toBeUndefined();
      expect(await bus.publish(build, { message: 'b' }, { epochMs, seq: 20 })).toBeUndefined();
      expect(await bus.publish(build, { message: 'c' }, { epochMs, seq: 30 })).toBe(
        `${epochMs}-30`,
      );
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
    it('keeps a history within its caps, newest kept; a late joiner is told lines were dropped', async () => {
      const build = 'build-cap-1';
      const epochMs = Date.now();
      for (let i = 1; i <= 120; i++)
        await bus.publish(
          build,
          { phase: 'building', message: `line ${i}\n` },
          { epochMs, seq: i },
        );
      const kept = await bus.history(build);
      expect(kept.length).toBeLessThanOrEqual(CONTRACT_LIMITS.maxHistory);
      expect(kept.at(-1)?.event.message).toBe('line 120\n');
      const got: StoredBuildEvent[] = [];
      const stop = await bus.follow(build, `${epochMs}-1`, (e) => got.push(e));
      stop();
      expect(got[0]?.event.message).toMatch(/dropped/);
      expect(got.slice(1).map((e) => e.id)).toEqual(kept.map((e) => e.id));
      // the dropped notice carries the id of the newest event dropped: resuming after it loses nothing
      expect(compareStreamIds(got[0]!.id, kept[0]!.id)).toBeLessThan(0);
    });

    it('caps the size of one event, and a capped event still says what it was', async () => {
      const build = 'build-big-1';
      await bus.publish(build, { phase: 'building', message: 'x'.repeat(10_000) });
      const [e] = await bus.history(build);
      expect(Buffer.byteLength(e!.json ?? JSON.stringify(e!.event))).toBeLessThanOrEqual(
        CONTRACT_LIMITS.maxEventBytes,
      );
      expect(e!.event.phase).toBe('building');
    });

    it('a follower that catches up gets nothing twice', async () => {
      const build = 'build-catchup-1';
      const got: string[] = [];
      const following = await bus.follow(build, undefined, (e) => got.push(e.id));
      await bus.publish(build, { message: 'one' });
      await bus.publish(build, { message: 'two' });
      await until(() => got.length >= 2);
      await following.catchUp();
      following();
      expect(got.length).toBe(2);
      expect(new Set(got).size).toBe(2);
    });
  });
}
