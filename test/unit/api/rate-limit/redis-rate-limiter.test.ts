import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyNames } from '../../../../queue/index.js';
import { RedisRateLimiter } from '../../../../api/rate-limit/redis-rate-limiter.js';
import { stackInfo } from '../../../helpers/stack.js';

let redis: Redis;
const prefix = `test-${randomUUID()}`;

beforeAll(() => {
  redis = new Redis(stackInfo().redisUrl);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('RedisRateLimiter (real Redis)', () => {
  it('counts a fixed window per client and goes negative past the limit', async () => {
    const limiter = new RedisRateLimiter(redis, keyNames(prefix), { limit: 3, periodSeconds: 60 });
    const states = [];
    for (let i = 0; i < 5; i++) states.push(await limiter.increment('10.0.0.1'));
    expect(states.map((s) => s.remaining)).toEqual([2, 1, 0, -1, -2]);
    const now = Date.now() / 1000;
    for (const s of states) {
      expect(s.limit).toBe(3);
      expect(s.reset).toBeGreaterThan(now + 58);
      expect(s.reset).toBeLessThanOrEqual(Math.ceil(now) + 61);
      expect(s.retryAfter).toBeGreaterThan(58);
    }
    // The window is fixed: it started with the first request and is not extended.
    expect(states[4]!.reset - states[0]!.reset).toBeLessThanOrEqual(1);
    expect((await limiter.increment('10.0.0.2')).remaining).toBe(2);
    expect(await redis.ttl(keyNames(prefix).key('ratelimit', '10.0.0.1'))).toBeGreaterThan(55);
  });

  it('starts a new window when the old one expires', async () => {
    const limiter = new RedisRateLimiter(redis, keyNames(prefix), { limit: 1, periodSeconds: 1 });
    expect((await limiter.increment('::1')).remaining).toBe(0);
    expect((await limiter.increment('::1')).remaining).toBe(-1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await limiter.increment('::1')).remaining).toBe(0);
  });

  it('shares one window between limiter instances (api replicas)', async () => {
    const a = new RedisRateLimiter(redis, keyNames(prefix), { limit: 2, periodSeconds: 60 });
    const other = new Redis(stackInfo().redisUrl);
    try {
      const b = new RedisRateLimiter(other, keyNames(prefix), { limit: 2, periodSeconds: 60 });
      await a.increment('replica-client');
      await b.increment('replica-client');
      expect((await a.increment('replica-client')).remaining).toBe(-1);
    } finally {
      other.disconnect();
    }
  });

  it('is disabled by limit 0', () => {
    expect(
      new RedisRateLimiter(redis, keyNames(prefix), { limit: 0, periodSeconds: 60 }).enabled,
    ).toBe(false);
  });
});
