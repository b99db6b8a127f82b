import type { Redis } from 'ioredis';
import { LuaScript } from '../../queue/lua-script.js';
import type { KeyNames } from '../../queue/keys.js';
import { parsePoolServer, type PoolEntry, type PoolServer } from './pool-server.js';

export type ClaimOutcome =
  { outcome: 'hit'; server: PoolServer } | { outcome: 'miss' } | { outcome: 'unpooled' };

// KEYS[1] ready hash, KEYS[2] the image's ready list, KEYS[3] targets hash; ARGV image.
// -1 when the image is not pooled. Else pops users until one is still in the ready hash
// and removes it there in the same step: a server goes to one claimer only.
const CLAIM = new LuaScript(`
if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 0 then return -1 end
local user = redis.call('LPOP', KEYS[2])
while user do
  local rec = redis.call('HGET', KEYS[1], user)
  if rec then
    redis.call('HDEL', KEYS[1], user)
    return rec
  end
  user = redis.call('LPOP', KEYS[2])
end
return false`);

// KEYS[1] starting hash, KEYS[2] ready hash, KEYS[3] the image's ready list; ARGV user,
// record. Only a server still recorded as starting becomes ready (an evicted one does not).
const PROMOTE = new LuaScript(`
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('RPUSH', KEYS[3], ARGV[1])
return 1`);

// KEYS[1] starting hash, KEYS[2] ready hash, KEYS[3] the image's ready list, KEYS[4]
// removing hash; ARGV user, remover. Takes a server out of the pool unless a claimer took
// it first, and records who removes it from the hub; returns its record.
const EVICT = new LuaScript(`
local rec = redis.call('HGET', KEYS[2], ARGV[1])
if rec then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('LREM', KEYS[3], 0, ARGV[1])
else
  rec = redis.call('HGET', KEYS[1], ARGV[1])
  if not rec then return false end
  redis.call('HDEL', KEYS[1], ARGV[1])
end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
return rec`);

/**
 * The warm pool's state in Redis, shared by every api replica: servers being started
 * (`starting`, user → record), servers ready to hand out (`ready`, user → record with
 * url and token), per image the order they are handed out in (a list of users), and
 * servers taken out that the hub has not yet removed (`removing`, user → remover).
 * Every change that moves a server between these is one script, so a server is claimed
 * at most once and never both claimed and evicted.
 */
export class PoolStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: KeyNames,
  ) {}

  private get starting(): string {
    return this.keys.key('pool', 'starting');
  }
  private get ready(): string {
    return this.keys.key('pool', 'ready');
  }
  private get targetsKey(): string {
    return this.keys.key('pool', 'targets');
  }
  private get removingKey(): string {
    return this.keys.key('pool', 'removing');
  }
  private queue(image: string): string {
    return this.keys.key('pool', 'queue', image);
  }
  private lease(owner: string): string {
    return this.keys.key('pool', 'owner', owner);
  }
  get lockKey(): string {
    return this.keys.key('pool', 'refill-lock');
  }

  /** Records a server about to be started (before its hub user exists). */
  async reserve(server: PoolServer): Promise<void> {
    await this.redis.hset(this.starting, server.user, JSON.stringify(server));
  }

  /** A started server becomes claimable; false when it was evicted meanwhile (remove it). */
  async promote(server: PoolServer): Promise<boolean> {
    const keys = [this.starting, this.ready, this.queue(server.image)];
    return (await PROMOTE.run(this.redis, keys, [server.user, JSON.stringify(server)])) === 1;
  }

  /**
   * Takes the oldest ready server of `image`: `hit` with it, `miss` when the image is
   * pooled but none is ready, `unpooled` when the pool keeps no servers of it.
   */
  async claim(image: string): Promise<ClaimOutcome> {
    const keys = [this.ready, this.queue(image), this.targetsKey];
    const rec = await CLAIM.run(this.redis, keys, [image]);
    if (rec === -1) return { outcome: 'unpooled' };
    const server = parsePoolServer(typeof rec === 'string' ? rec : undefined);
    return server ? { outcome: 'hit', server } : { outcome: 'miss' };
  }

  /** Puts back a claimed server whose requester went away before it was shown to anyone. */
  async giveBack(server: PoolServer): Promise<void> {
    await this.redis
      .multi()
      .hset(this.ready, server.user, JSON.stringify(server))
      .lpush(this.queue(server.image), server.user)
      .exec();
  }

  /** The images the pool keeps servers of now (image → `<prefix>/<spec>`), set by each look. */
  async setTargets(targets: Record<string, string>): Promise<void> {
    const m = this.redis.multi().del(this.targetsKey);
    if (Object.keys(targets).length > 0) m.hset(this.targetsKey, targets);
    await m.exec();
  }

  async targets(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.targetsKey);
  }

  /**
   * Takes a server out of the pool, to be removed from the hub by `remover` (then call
   * `removed`); undefined when it was claimed (or taken out) already.
   */
  async evict(user: string, image: string, remover: string): Promise<PoolServer | undefined> {
    const keys = [this.starting, this.ready, this.queue(image), this.removingKey];
    const rec = await EVICT.run(this.redis, keys, [user, remover]);
    return parsePoolServer(typeof rec === 'string' ? rec : undefined);
  }

  /** Servers taken out whose hub users are not removed yet: user → remover. */
  async removing(): Promise<Record<string, string>> {
    return this.redis.hgetall(this.removingKey);
  }

  /** `remover` takes over removing `user` (its first remover went away). */
  async takeOver(user: string, remover: string): Promise<void> {
    await this.redis.hset(this.removingKey, user, remover);
  }

  /** The hub removed a taken-out server's user. */
  async removed(user: string): Promise<void> {
    await this.redis.hdel(this.removingKey, user);
  }

  /** Every pool server, starting and ready. Unreadable records are dropped. */
  async entries(): Promise<PoolEntry[]> {
    const [[, starting], [, ready]] = (await this.redis
      .multi()
      .hgetall(this.starting)
      .hgetall(this.ready)
      .exec()) as [[unknown, Record<string, string>], [unknown, Record<string, string>]];
    const out: PoolEntry[] = [];
    for (const [state, records] of [
      ['starting', starting],
      ['ready', ready],
    ] as const) {
      for (const json of Object.values(records ?? {})) {
        const server = parsePoolServer(json);
        if (server) out.push({ state, server });
      }
    }
    return out;
  }

  /** Users of every unclaimed pool server, and of those being removed (no quota counts them). */
  async users(): Promise<Set<string>> {
    const replies = (await this.redis
      .multi()
      .hkeys(this.starting)
      .hkeys(this.ready)
      .hkeys(this.removingKey)
      .exec()) as Array<[unknown, string[]]>;
    return new Set(replies.flatMap(([, users]) => users ?? []));
  }

  /** Keeps `owner`'s lease alive for `ttlMs` (its starting servers are not orphans). */
  async renewLease(owner: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.lease(owner), String(Date.now()), 'PX', ttlMs);
  }

  async dropLease(owner: string): Promise<void> {
    await this.redis.del(this.lease(owner));
  }

  /** The owners among `owners` whose lease is alive. */
  async liveOwners(owners: string[]): Promise<Set<string>> {
    if (owners.length === 0) return new Set();
    const values = await this.redis.mget(...owners.map((o) => this.lease(o)));
    return new Set(owners.filter((_, i) => values[i] !== null));
  }
}
