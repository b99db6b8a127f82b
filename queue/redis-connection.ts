import { Redis, type RedisOptions } from 'ioredis';

export type RedisRole = 'command' | 'worker' | 'subscriber' | 'producer';

/**
 * One ioredis connection. Workers and subscribers block and must never give up on a
 * request (`maxRetriesPerRequest: null`, as BullMQ requires); producers fail fast so a
 * Redis outage becomes a clear error instead of a hang.
 */
export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    role === 'producer'
      ? { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 3000 }
      : { maxRetriesPerRequest: role === 'command' ? 3 : null, connectTimeout: 5000 };
  const redis = new Redis(url, { lazyConnect: false, ...base, ...extra });
  // Connection errors surface as failed commands (and reconnects); without a listener
  // ioredis would also print each one to stderr.
  redis.on('error', () => undefined);
  return redis;
}
