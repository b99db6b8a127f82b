import type { Redis } from 'ioredis';
import type { KeyNames } from '../../queue/index.js';

/** What became of one push delivery: shown by `GET /api/builds` so authors see why. */
export interface PushLogEntry {
  /** ms since epoch the delivery arrived. */
  at: number;
  event: string;
  deliveryId: string;
  ref: string;
  sha: string | null;
  /** `queued`, `attached`, `waiting`, `exists`, `ignored`, `stale`, `failed`, … */
  outcome: string;
  buildName?: string;
  image?: string;
  reason?: string;
}

const KEEP = 50;
const TTL_SECONDS = 30 * 86400;

/** A short, capped, per-repository list of push outcomes (newest first) in Redis. */
export class PushLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyNames,
  ) {}

  key(provider: string, repo: string): string {
    return this.keys.key('prebuild', provider, repo.toLowerCase(), 'pushes');
  }

  async add(provider: string, repo: string, entry: PushLogEntry): Promise<void> {
    const key = this.key(provider, repo);
    await this.redis
      .multi()
      .lpush(key, JSON.stringify(entry))
      .ltrim(key, 0, KEEP - 1)
      .expire(key, TTL_SECONDS)
      .exec();
  }

  async recent(provider: string, repo: string, limit = KEEP): Promise<PushLogEntry[]> {
    const raw = await this.redis.lrange(this.key(provider, repo), 0, limit - 1);
    const out: PushLogEntry[] = [];
    for (const item of raw) {
      try {
        out.push(JSON.parse(item) as PushLogEntry);
      } catch {
        // a corrupt entry is skipped, not fatal
      }
    }
    return out;
  }
}
