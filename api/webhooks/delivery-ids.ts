import type { Redis } from 'ioredis';
import type { KeyNames } from '../../queue/index.js';

/**
 * Remembers webhook delivery ids, so a redelivery (same `X-GitHub-Delivery`) changes
 * nothing: `claim` is `SET <key> 1 NX EX <ttl>`. A delivery whose processing failed is
 * `release`d, so redelivering it by hand tries again.
 */
export class DeliveryIds {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyNames,
    private readonly ttlSeconds: number,
  ) {}

  private key(source: string, id: string): string {
    return this.keys.key('webhook', source, 'delivery', id);
  }

  /** True the first time an id is seen (within the ttl). */
  async claim(source: string, id: string): Promise<boolean> {
    const ok = await this.redis.set(this.key(source, id), '1', 'EX', this.ttlSeconds, 'NX');
    return ok === 'OK';
  }

  async release(source: string, id: string): Promise<void> {
    await this.redis.del(this.key(source, id));
  }
}
