import type { Redis } from 'ioredis';
import type { Config } from '../../queue/config/index.js';
import { keyNames } from '../../queue/index.js';
import type { RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { RedisStreamSlots, type StreamSlots } from './redis-stream-slots.js';

/** Every per-client limit of the api (`RateLimiter.*`), counted in Redis. */
export interface ClientLimits {
  /** `/build` without a build token: `RateLimiter.limit` (upstream). */
  build: RateLimiter;
  /** `/build` with a valid build token: `RateLimiter.build_token_limit`. */
  buildToken: RateLimiter;
  /** Launch pages, which mint build tokens: `RateLimiter.launch_page_limit`. */
  launchPage: RateLimiter;
  /** `GET /api/builds`: `RateLimiter.builds_api_limit`. */
  buildsApi: RateLimiter;
  /** `/build` of a logged-in hub user, per user: `RateLimiter.user_limit`. */
  user: RateLimiter;
  /** Open `/build` event streams: `RateLimiter.max_concurrent_streams`. */
  streams: StreamSlots;
}

/** The limiters of `RateLimiter.*`; stateless apart from Redis, so any number may exist. */
export function createClientLimits(redis: Redis, config: Config): ClientLimits {
  const keys = keyNames(config.Redis.key_prefix);
  const r = config.RateLimiter;
  const limiter = (limit: number, scope?: string) =>
    new RedisRateLimiter(redis, keys, { limit, periodSeconds: r.period_seconds, scope });
  return {
    build: limiter(r.limit),
    buildToken: limiter(r.build_token_limit, 'token'),
    launchPage: limiter(r.launch_page_limit, 'page'),
    buildsApi: limiter(r.builds_api_limit, 'builds-api'),
    user: limiter(r.user_limit, 'user'),
    streams: new RedisStreamSlots(redis, keys, { max: r.max_concurrent_streams }),
  };
}
