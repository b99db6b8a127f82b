import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { openEventStream } from '../../api/sse/event-stream.js';
import { KeepaliveTicker } from '../../api/sse/keepalive-ticker.js';
import { deleteKeysUnder } from '../../bench/lib/redis-cleanup.js';
import {
  createRedis,
  keyNames,
  LiveBatch,
  RedisEventBus,
  type StoredBuildEvent,
} from '../../queue/index.js';
import { openRawSse, waitFor } from '../helpers/raw-sse-socket.js';
import { stackInfo } from '../helpers/stack.js';

// Live fan-out in batches: events that arrive together reach each follower in one call
// and each client in one shared write, in order, exactly once (real Redis, real HTTP).
describe('live events in batches', () => {
  const url = stackInfo().redisUrl;
  const redis = createRedis(url, 'command');
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const keys = keyNames(prefix);
  const subs: ReturnType<typeof createRedis>[] = [];
  const busWith = (liveBatchMs: number) =>
    new RedisEventBus({
      redis,
      keys,
      maxHistory: 10_000,
      liveBatchMs,
      liveBatchMsPerFollower: liveBatchMs, // one follower here: the whole window
      subscriber: () => {
        const s = createRedis(url, 'subscriber');
        subs.push(s);
        return s;
      },
    });
  afterAll(async () => {
    await deleteKeysUnder(redis, prefix);
    subs.forEach((s) => s.disconnect());
    redis.disconnect();
  });

  it('hands a burst to its followers in a few batches, every event once and in order', async () => {
    const bus = busWith(15);
    const batches: LiveBatch[] = [];
    const single: StoredBuildEvent[] = [];
    const stop = await bus.follow('build-burst', undefined, (e) => single.push(e), {
      onBatch: (b) => batches.push(b),
    });
    for (let i = 0; i < 300; i++)
      await bus.publish('build-burst', { phase: 'building', message: `${i}\n` });
    const got = () => batches.flatMap((b) => b.events);
    expect(await waitFor(() => got().length + single.length >= 300, 10_000)).toBe(true);
    expect(single).toEqual([]);
    expect(got().map((e) => e.event.message)).toEqual(
      Array.from({ length: 300 }, (_, i) => `${i}\n`),
    );
    expect(batches.length).toBeLessThan(100);
    stop();
    await bus.close();
  });

  it('sends an event after a quiet spell at once, and gathers the ones that follow it', async () => {
    const bus = busWith(1000);
    const arrivals: Array<{ at: number; n: number }> = [];
    const stop = await bus.follow('build-quiet', undefined, () => undefined, {
      onBatch: (b) => arrivals.push({ at: performance.now(), n: b.events.length }),
    });
    const t0 = performance.now();
    await bus.publish('build-quiet', { phase: 'building', message: 'first\n' });
    expect(await waitFor(() => arrivals.length === 1, 5000)).toBe(true);
    expect(arrivals[0]!.at - t0).toBeLessThan(500); // not held for the 1 s window
    await bus.publish('build-quiet', { phase: 'building', message: 'second\n' });
    await bus.publish('build-quiet', { phase: 'building', message: 'third\n' });
    expect(await waitFor(() => arrivals.length === 2, 5000)).toBe(true);
    expect(arrivals[1]!.n).toBe(2);
    expect(arrivals[1]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(990);
    stop();
    await bus.close();
  });

  it('writes one batch to every client as the same bytes, rendered once', async () => {
    const ticker = new KeepaliveTicker(60_000);
    const writes: Array<Array<string | Buffer>> = [];
    const app = express();
    const streams: Array<ReturnType<typeof openEventStream>> = [];
    app.get('/s', (req, res) => {
      const mine: Array<string | Buffer> = [];
      writes.push(mine);
      const write = res.write.bind(res) as (c: string | Buffer) => boolean;
      res.write = ((c: string | Buffer) => (mine.push(c), write(c))) as typeof res.write;
      streams.push(
        openEventStream(req, res, {
          keepaliveMs: 60_000,
          maxBufferedBytes: 1 << 20,
          stallTimeoutMs: 0,
          ticker,
        }),
      );
    });
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s`;
    const clients = await Promise.all([0, 1, 2].map(() => openRawSse(new URL(base))));
    expect(await waitFor(() => streams.length === 3, 5000)).toBe(true);
    const batch = new LiveBatch();
    for (let i = 1; i <= 3; i++) {
      const event = { phase: 'building', message: `l${i}\n` };
      batch.events.push({ id: `1-${i}`, event, json: JSON.stringify(event) });
    }
    for (const s of streams) s.sendBatch(batch);
    expect(await waitFor(() => clients.every((c) => c.frames.length === 3), 5000)).toBe(true);
    for (const c of clients) expect(c.frames.map((f) => f.id)).toEqual(['1-1', '1-2', '1-3']);
    const shared = writes.map((w) => w.find((c) => Buffer.isBuffer(c)));
    expect(shared[0]).toBeInstanceOf(Buffer);
    expect(shared.every((b) => b === shared[0])).toBe(true);
    clients.forEach((c) => c.destroy());
    server.closeAllConnections();
    server.close();
  });
});
