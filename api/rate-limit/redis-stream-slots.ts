import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeyNames } from '../../queue/index.js';

/** A held slot; `release` is idempotent. */
export interface StreamSlot {
  release(): void;
}

/** The client holds `max` slots already. */
export interface StreamsFull {
  full: true;
  open: number;
  max: number;
}

/**
 * `RateLimiter.max_concurrent_streams`: how many `/build` event streams one client keeps
 * open at once, counted across api replicas. `max: 0` turns it off.
 */
export interface StreamSlots {
  readonly enabled: boolean;
  acquire(client: string): Promise<StreamSlot | StreamsFull>;
}

/**
 * Drops expired leases, counts the rest, adds ours when under the maximum.
 * KEYS[1] = the client's sorted set; ARGV = now, lease end, member, max, key ttl (ms).
 * Returns the number of streams open after the call, negated when full.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local open = redis.call('ZCARD', KEYS[1])
if open >= tonumber(ARGV[4]) then return -open end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return open + 1`;

export interface RedisStreamSlotsOptions {
  max: number;
  /** How long a slot lives without being renewed (an api that died frees its slots). */
  leaseMs?: number;
}

/**
 * Slots as leases in one sorted set per client (`<prefix>:streams:<client>`, member =
 * stream id, score = lease end): a live stream renews its lease every third of it, a
 * closed one removes it, a crashed api's leases run out.
 */
export class RedisStreamSlots implements StreamSlots {
  private readonly leaseMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyNames,
    private readonly opts: RedisStreamSlotsOptions,
  ) {
    this.leaseMs = opts.leaseMs ?? 60_000;
  }

  get enabled(): boolean {
    return this.opts.max > 0;
  }

  async acquire(client: string): Promise<StreamSlot | StreamsFull> {
    const key = this.keys.key('streams', client);
    const member = randomUUID();
    const now = Date.now();
    const open = (await this.redis.eval(
      ACQUIRE,
      1,
      key,
      String(now),
      String(now + this.leaseMs),
      member,
      String(this.opts.max),
      String(this.leaseMs * 2),
    )) as number;
    if (open < 0) return { full: true, open: -open, max: this.opts.max };
    return this.hold(key, member);
  }

  private hold(key: string, member: string): StreamSlot {
    const renew = setInterval(() => {
      const end = Date.now() + this.leaseMs;
      this.redis
        .multi()
        .zadd(key, 'XX', end, member)
        .pexpire(key, this.leaseMs * 2)
        .exec()
        .catch(() => undefined);
    }, this.leaseMs / 3);
    renew.unref();
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        clearInterval(renew);
        this.redis.zrem(key, member).catch(() => undefined);
      },
    };
  }
}
