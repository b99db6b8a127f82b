import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by EVALSHA, its text sent only when Redis does not have it yet. */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly body: string) {
    this.sha = createHash('sha1').update(body).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return redis.eval(this.body, keys.length, ...keys, ...args);
    }
  }
}
