import type { Redis } from 'ioredis';
import type { KeyNames } from '../../queue/index.js';
import type { RateLimitState, RateLimiter } from './rate-limiter.js';

export interface RedisRateLimiterOptions {
  /** `RateLimiter.limit` (0 = off). */
  limit: number;
  /** `RateLimiter.period_seconds`. */
  periodSeconds: number;
  /** What is counted, when not upstream's `/build` limit: keys `<prefix>:ratelimit:<scope>:<client>`. */
  scope?: string;
}

/**
 * The fixed-window limiter in Redis, so every api replica counts the same window: one
 * MULTI creates the window key with its expiry if absent (`SET NX EX`), increments it and
 * reads its remaining time. Keys are `<prefix>:ratelimit:[<scope>:]<client>`, dropped by Redis when
 * the window ends (no cleaning pass needed, unlike upstream's `clean_seconds`).
 */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyNames,
    private readonly opts: RedisRateLimiterOptions,
  ) {}

  get enabled(): boolean {
    return this.opts.limit > 0;
  }

  get periodSeconds(): number {
    return this.opts.periodSeconds;
  }

  async increment(client: string): Promise<RateLimitState> {
    const key = this.opts.scope
      ? this.keys.key('ratelimit', this.opts.scope, client)
      : this.keys.key('ratelimit', client);
    const period = Math.max(1, Math.ceil(this.opts.periodSeconds));
    const replies = await this.redis
      .multi()
      .set(key, '0', 'EX', period, 'NX')
      .incr(key)
      .pttl(key)
      .exec();
    if (!replies) throw new Error('rate limit transaction was aborted');
    const [, [incrErr, count], [ttlErr, pttl]] = replies as [
      unknown,
      [Error | null, number],
      [Error | null, number],
    ];
    if (incrErr) throw incrErr;
    if (ttlErr) throw ttlErr;
    const ms = pttl > 0 ? pttl : period * 1000;
    const retryAfter = Math.max(1, Math.ceil(ms / 1000));
    return {
      limit: this.opts.limit,
      remaining: this.opts.limit - count,
      reset: Math.ceil((Date.now() + ms) / 1000),
      retryAfter,
    };
  }
}
