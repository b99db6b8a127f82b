import { LuaScript } from '../lua-script.js';

/**
 * Takes a build slot of a repository, or queues the build as a waiter of it.
 *
 * KEYS: slots (zset holder → lease expiry ms), waiters (zset holder → rank: lower goes
 * first), seen (zset holder → when the waiter last asked, ms).
 * ARGV: holder, now ms, lease ms, limit, rank, stale ms.
 *
 * Expired leases (a dead runner's) and waiters silent for `stale` ms (a job removed while
 * it waited) are dropped first. A holder already in the slots renews its lease (a runner
 * re-attaching to a build). Otherwise it gets a slot when fewer than `limit` are taken
 * and fewer waiters rank ahead of it than there are free slots, so an interactive launch
 * that waits for its repository goes before the repository's waiting pre-builds.
 * Reply: -1 when the slot is taken, else the number of slots in use (0 when waiters go first).
 */
export const acquireSlotScript = new LuaScript(`
local holder, now, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, rank, stale = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local gone = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now - stale)
for _, g in ipairs(gone) do
  if g ~= holder then
    redis.call('ZREM', KEYS[2], g)
    redis.call('ZREM', KEYS[3], g)
  end
end
local used = redis.call('ZCARD', KEYS[1])
local mine = redis.call('ZSCORE', KEYS[1], holder)
local ahead = redis.call('ZCOUNT', KEYS[2], '-inf', '(' .. ARGV[5])
if mine or (used < limit and ahead < limit - used) then
  redis.call('ZADD', KEYS[1], now + lease, holder)
  redis.call('PEXPIRE', KEYS[1], lease * 2)
  redis.call('ZREM', KEYS[2], holder)
  redis.call('ZREM', KEYS[3], holder)
  return -1
end
redis.call('ZADD', KEYS[2], ARGV[5], holder)
redis.call('ZADD', KEYS[3], now, holder)
redis.call('PEXPIRE', KEYS[2], stale * 4)
redis.call('PEXPIRE', KEYS[3], stale * 4)
return used`);

/**
 * Gives a slot back. KEYS: slots, waiters. ARGV: holder, how many waiters to name.
 * Reply: the best-ranked waiters (the builds to wake now).
 */
export const releaseSlotScript = new LuaScript(`
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[2]) - 1)`);

/** Extends a running build's lease. KEYS: slots. ARGV: holder, expiry ms, key ttl ms. */
export const renewSlotScript = new LuaScript(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`);
