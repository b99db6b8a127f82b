import type { Redis } from 'ioredis';
import type { Logger } from '../../queue/index.js';

/**
 * The temporary hub users of launches not (yet) handed to their client, in a Redis
 * sorted set scored by when their launch last made progress (ms). An entry is added
 * before the user is created and removed once the client has its server or the user is
 * gone, so a user whose launch was abandoned — even by an api process that died — stays
 * known until the sweeper removes it.
 */
export class LaunchUsers {
  constructor(
    private readonly redis: Redis,
    /** `keyNames(prefix).key('launch-users')`. */
    private readonly key: string,
    private readonly log: Logger,
  ) {}

  /** The user's launch starts now, or made progress (the sweeper leaves it longer alone). */
  async touch(user: string): Promise<void> {
    await this.redis
      .zadd(this.key, Date.now(), user)
      .catch((err: Error) => this.log.warn({ err: err.message, user }, 'launch user not recorded'));
  }

  /** The user is the client's now, or gone. */
  async release(user: string): Promise<void> {
    await this.redis.zrem(this.key, user).catch(() => undefined);
  }

  /** Users whose launch made no progress since `beforeMs` (oldest first, at most `limit`). */
  async idleSince(beforeMs: number, limit = 100): Promise<string[]> {
    return this.redis.zrangebyscore(this.key, '-inf', beforeMs, 'LIMIT', 0, limit);
  }

  /** How many users wait for removal since before `beforeMs`. */
  async countIdleSince(beforeMs: number): Promise<number> {
    return this.redis.zcount(this.key, '-inf', beforeMs);
  }
}
