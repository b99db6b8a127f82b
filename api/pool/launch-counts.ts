import type { Redis } from 'ioredis';

/** Buckets a window is counted in: the window slides by one bucket at a time. */
const BUCKETS = 12;

export interface SpecCount {
  /** `<prefix>/<spec>` */
  spec: string;
  launches: number;
}

/**
 * Launches per spec over a sliding window, in Redis (shared by every api replica): one
 * sorted set per twelfth of the window, each expiring once it left the window. The top
 * K is the union of the window's sets.
 */
export class LaunchCounts {
  private readonly bucketMs: number;

  constructor(
    private readonly redis: Redis,
    /** Key of one bucket (its number). */
    private readonly keyOf: (bucket: number) => string,
    private readonly windowMs: number,
  ) {
    this.bucketMs = Math.max(1000, Math.floor(windowMs / BUCKETS));
  }

  async record(spec: string, now = Date.now()): Promise<void> {
    const key = this.keyOf(Math.floor(now / this.bucketMs));
    await this.redis
      .multi()
      .zincrby(key, 1, spec)
      .pexpire(key, this.windowMs + this.bucketMs)
      .exec();
  }

  /** The `k` specs launched most in the window, at least `min` times each, most first. */
  async top(k: number, min: number, now = Date.now()): Promise<SpecCount[]> {
    if (k <= 0) return [];
    const last = Math.floor(now / this.bucketMs);
    const keys = Array.from({ length: BUCKETS }, (_, i) => this.keyOf(last - i));
    const flat = await this.redis.zunion(keys.length, ...keys, 'WITHSCORES');
    const counts: SpecCount[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const launches = Number(flat[i + 1]);
      if (launches >= min) counts.push({ spec: flat[i]!, launches });
    }
    counts.sort((a, b) => b.launches - a.launches || (a.spec < b.spec ? -1 : 1));
    return counts.slice(0, k);
  }
}
