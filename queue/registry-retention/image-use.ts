import type { Redis } from 'ioredis';
import type { KeyNames } from '../keys.js';

/**
 * When each image was last pushed or launched, in Redis (one sorted set: image → ms),
 * since a registry does not say when an image was last pulled. The runner records a
 * push, the api each launch of the image; the registry cleaner reads it.
 */
export class ImageUse {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyNames,
    private readonly now: () => number = Date.now,
  ) {}

  private get key(): string {
    return this.keys.key('registry', 'image-use');
  }

  /** The image was pushed or launched now (or at `at`). Never moves a time backwards. */
  async record(image: string, at = this.now()): Promise<void> {
    await this.redis.zadd(this.key, 'GT', at, image);
  }

  /** Last use of each image recorded (ms); images never recorded are absent. */
  async lastUsed(images: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (images.length === 0) return out;
    const scores = await this.redis.zmscore(this.key, ...images);
    images.forEach((image, i) => {
      const s = scores[i];
      if (s !== null && s !== undefined) out.set(image, Number(s));
    });
    return out;
  }

  /** Forgets deleted images. */
  async forget(images: readonly string[]): Promise<void> {
    if (images.length > 0) await this.redis.zrem(this.key, ...images);
  }
}
