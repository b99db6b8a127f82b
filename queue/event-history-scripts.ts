import { LuaScript } from './lua-script.js';

/**
 * Appends an event to a build's history stream and announces it on the channel,
 * atomically, then keeps the history within its caps.
 *
 * KEYS: stream, meta hash, channel. ARGV: max events, max bytes, event JSON, id ('*' or
 * explicit). An explicit id not above the stream's last id is a repeat (a re-attached
 * runner): nothing is added or announced, and the reply is nil. Redis remembers the last
 * id of a stream whatever was trimmed, so repeats stay refused after trimming.
 *
 * The meta hash holds `bytes` (event JSON bytes in the stream) and `trimmed` (the id of
 * the newest event dropped). Over a cap, the oldest events are dropped down to 9/10 of
 * both caps (so trimming runs once per tenth of the history); the newest event is never
 * dropped.
 */
export const publishScript = new LuaScript(`
local ok, id = pcall(redis.call, 'XADD', KEYS[1], ARGV[4], 'e', ARGV[3])
if not ok then
  if ARGV[4] ~= '*' and string.find(tostring(id), 'equal or smaller') then return false end
  return redis.error_reply(tostring(id))
end
redis.call('PUBLISH', KEYS[3], id .. ' ' .. ARGV[3])
local bytes = redis.call('HINCRBY', KEYS[2], 'bytes', string.len(ARGV[3]))
local count = redis.call('XLEN', KEYS[1])
if count <= tonumber(ARGV[1]) and bytes <= tonumber(ARGV[2]) then return id end
local keepCount = math.floor(tonumber(ARGV[1]) * 0.9)
local keepBytes = math.floor(tonumber(ARGV[2]) * 0.9)
local start, last = '-', nil
while count > 1 and (count > keepCount or bytes > keepBytes) do
  local rows = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', 256)
  local gone = {}
  for _, row in ipairs(rows) do
    if count <= 1 or (count <= keepCount and bytes <= keepBytes) then break end
    bytes = bytes - string.len(row[2][2] or '')
    count = count - 1
    last = row[1]
    gone[#gone + 1] = last
  end
  if #gone == 0 then break end
  redis.call('XDEL', KEYS[1], unpack(gone))
  start = '(' .. last
end
if last then redis.call('HSET', KEYS[2], 'bytes', bytes, 'trimmed', last) end
return id`);

/**
 * One page of a build's history: the events after ARGV[1] ('-' or '(<id>') up to about
 * ARGV[2] bytes of JSON, and, read in the same step, the id of the newest event dropped
 * by trimming. KEYS: stream, meta hash. Reply: [trimmed id or nil, 1 when the page is
 * full (more may follow) else 0, [[id, [field, json]], …]].
 */
export const historyPageScript = new LuaScript(`
local out, bytes, start, full = {}, 0, ARGV[1], 0
local maxBytes = tonumber(ARGV[2])
while full == 0 do
  local rows = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', 128)
  for _, row in ipairs(rows) do
    out[#out + 1] = row
    bytes = bytes + string.len(row[2][2] or '')
    start = '(' .. row[1]
    if bytes >= maxBytes then full = 1 break end
  end
  if #rows < 128 then break end
end
return {redis.call('HGET', KEYS[2], 'trimmed'), full, out}`);
