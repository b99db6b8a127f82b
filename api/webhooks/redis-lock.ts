import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RELEASE_SHA = createHash('sha1').update(RELEASE).digest('hex');

/** Deletes the lock if it is still ours (EVALSHA; the script text only when Redis lacks it). */
async function release(redis: Redis, key: string, token: string): Promise<void> {
  try {
    await redis.evalsha(RELEASE_SHA, 1, key, token);
  } catch (err) {
    if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
    await redis.eval(RELEASE, 1, key, token);
  }
}

export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}

export interface LockOptions {
  /** The lock expires after this long if its holder dies. */
  ttlMs: number;
  /** Give up waiting after this long (LockTimeoutError). */
  waitMs: number;
  /** Pause between attempts. */
  retryMs?: number;
}

/**
 * Runs `fn` holding a Redis lock (`SET key token NX PX ttl`, released only by its
 * holder), so api replicas take turns on one repository's pre-builds.
 */
export async function withRedisLock<T>(
  redis: Redis,
  key: string,
  opts: LockOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + opts.waitMs;
  while ((await redis.set(key, token, 'PX', opts.ttlMs, 'NX')) !== 'OK') {
    if (Date.now() >= deadline)
      throw new LockTimeoutError(`lock ${key} busy for ${opts.waitMs} ms`);
    await new Promise((r) => setTimeout(r, opts.retryMs ?? 20));
  }
  try {
    return await fn();
  } finally {
    await release(redis, key, token).catch(() => undefined);
  }
}
