import type { Redis } from 'ioredis';
import type { KeyNames } from '../keys.js';
import { LuaScript } from '../lua-script.js';
import type { RepoSpec } from '../repo-specs/repo-spec.js';
import {
  checkLastGood,
  hasMovingRef,
  lastGoodRefKey,
  type CheckedLastGood,
  type LastGood,
} from './last-good-entry.js';

/**
 * Sets the record unless it would go back in time: a record of another commit resolved
 * later stays; the same commit again only renews it (keeping when it was built) unless
 * ARGV[5] is 1 (a forced rebuild: the image is new). Returns 1 when it wrote.
 */
const recordScript = new LuaScript(`
local cur = redis.call('GET', KEYS[1])
if cur then
  local ok, old = pcall(cjson.decode, cur)
  if ok and type(old) == 'table' then
    if old.commit == ARGV[3] and ARGV[5] ~= '1' then
      redis.call('EXPIRE', KEYS[1], ARGV[4])
      return 0
    end
    if old.commit ~= ARGV[3] and tonumber(old.resolvedAt) and tonumber(old.resolvedAt) > tonumber(ARGV[2]) then
      return 0
    end
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
return 1
`);

export interface LastGoodStoreOptions {
  redis: Redis;
  keys: KeyNames;
  /** `BuildQueue.last_good_ttl`: seconds a record lives after it was last written. */
  ttlSeconds: number;
  /** `BinderHub.image_prefix`: a record must name this deployment's image for its spec. */
  imagePrefix: string;
}

/**
 * The last good image of each (provider, repository, ref), in Redis: written by the
 * runner when a build succeeds and by the api when a launch finds an image, read by a
 * launch that may fall back to it (`?fallback=last-good`). Every read is checked
 * (checkLastGood); a record that fails the check is ignored.
 */
export class LastGoodStore {
  constructor(private readonly o: LastGoodStoreOptions) {}

  /** Records `image` (built from `commit`, which the spec's ref resolved to at `resolvedAt`). */
  async record(
    spec: RepoSpec,
    entry: Omit<LastGood, 'builtAt'> & { builtAt?: number },
    rebuilt = false,
  ): Promise<boolean> {
    if (!hasMovingRef(spec)) return false;
    const value: LastGood = { ...entry, builtAt: entry.builtAt ?? Date.now() };
    const checked = checkLastGood(JSON.stringify(value), spec, this.o.imagePrefix);
    if (!checked.ok) throw new Error(`not a last good image for this spec: ${checked.reason}`);
    const written = await recordScript.run(
      this.o.redis,
      [this.o.keys.lastGood(lastGoodRefKey(spec))],
      [
        JSON.stringify(value),
        value.resolvedAt,
        value.commit,
        this.o.ttlSeconds,
        rebuilt ? '1' : '0',
      ],
    );
    return written === 1;
  }

  /** The spec's ref's last good image, checked; undefined when there is none. */
  async read(spec: RepoSpec): Promise<CheckedLastGood | undefined> {
    if (!hasMovingRef(spec)) return undefined;
    const raw = await this.o.redis.get(this.o.keys.lastGood(lastGoodRefKey(spec)));
    return raw === null ? undefined : checkLastGood(raw, spec, this.o.imagePrefix);
  }

  /**
   * Every image a record names now (for a registry cleaner that must keep them). Only the
   * image names are returned: without the spec a record cannot be fully checked, so a
   * caller must treat them as names to keep, never as images to launch.
   */
  async imagesToKeep(): Promise<string[]> {
    const images = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await this.o.redis.scan(
        cursor,
        'MATCH',
        this.o.keys.lastGood('*'),
        'COUNT',
        500,
      );
      cursor = next;
      const values = keys.length ? await this.o.redis.mget(...keys) : [];
      for (const raw of values) {
        try {
          const image = (JSON.parse(raw ?? '') as { image?: unknown }).image;
          if (typeof image === 'string') images.add(image);
        } catch {
          // not a record: nothing to keep
        }
      }
    } while (cursor !== '0');
    return [...images];
  }
}
