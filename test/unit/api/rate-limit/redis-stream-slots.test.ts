import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStreamSlots } from '../../../../api/rate-limit/redis-stream-slots.js';
import { stackInfo } from '../../../helpers/stack.js';
import { keyNames } from '../../../../queue/index.js';

let redis: Redis;
const prefix = `test-${randomUUID()}`;
const keys = keyNames(prefix);

beforeAll(() => {
  redis = new Redis(stackInfo().redisUrl);
});

afterAll(async () => {
  const found = await redis.keys(`${prefix}:*`);
  if (found.length) await redis.del(...found);
  redis.disconnect();
});

describe('RedisStreamSlots (real Redis)', () => {
  it('holds at most max slots per client, across instances (api replicas)', async () => {
    const a = new RedisStreamSlots(redis, keys, { max: 2 });
    const b = new RedisStreamSlots(redis, keys, { max: 2 });
    const one = await a.acquire('192.0.2.1');
    const two = await b.acquire('192.0.2.1');
    expect(await a.acquire('192.0.2.1')).toEqual({ full: true, open: 2, max: 2 });
    expect('full' in (await a.acquire('192.0.2.2'))).toBe(false);
    if ('full' in one || 'full' in two) throw new Error('expected slots');
    one.release();
    one.release(); // idempotent: frees one slot, not two
    await redis.ping(); // the release is sent before the next command
    const three = await b.acquire('192.0.2.1');
    expect('full' in three).toBe(false);
    expect(await b.acquire('192.0.2.1')).toMatchObject({ full: true, open: 2 });
  });

  it('frees the slots of an api that died once their lease ran out', async () => {
    const key = keys.key('streams', '192.0.2.9');
    // What a crashed api leaves: a lease nobody renews, ended a moment ago.
    await redis.zadd(key, Date.now() - 1, 'dead-stream');
    const slots = new RedisStreamSlots(redis, keys, { max: 1, leaseMs: 60_000 });
    const slot = await slots.acquire('192.0.2.9');
    expect('full' in slot).toBe(false);
    expect(await redis.zrange(key, 0, -1)).not.toContain('dead-stream');
    // A live slot is renewed, so it stays.
    const live = new RedisStreamSlots(redis, keys, { max: 1, leaseMs: 300 });
    const held = await live.acquire('192.0.2.10');
    await new Promise((r) => setTimeout(r, 700));
    expect(await live.acquire('192.0.2.10')).toMatchObject({ full: true, open: 1 });
    if (!('full' in held)) held.release();
    if (!('full' in slot)) slot.release();
  });
});
