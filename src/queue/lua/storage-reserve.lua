--[[
  Checks an item's size against the owner's storage quota and records it, in one step; writing
  an item again resizes it, and only growth is checked (src/storage/ledger.ts).

    Input:
      KEYS[1]  storage         hash: item -> bytes, and `#total`
      KEYS[2]  storage-exp     sorted set: item -> expiry (ms)
      KEYS[3]  must-exist      with ARGV[6] = 1, the item is recorded only while this key exists
                               (the settle of a job its owner may have deleted); otherwise unused

      ARGV[1]  item            the item's name (`dataset:<id>`, `job:<kind>/<id>`, ...)
      ARGV[2]  bytes           its size
      ARGV[3]  expires-at      its expiry, ms since the epoch
      ARGV[4]  now             ms since the epoch
      ARGV[5]  quota           bytes; 0 = record without checking (the settle of something written)
      ARGV[6]  check-exists    1 = record only while KEYS[3] exists, 0 = always

    Output:
      {1, total after}                 recorded (or KEYS[3] is gone: {1, total now}, nothing recorded)
      {0, total now, earliest expiry}  refused: over the quota
]]
--- @include "includes/prune"
local now = tonumber(ARGV[4])
prune(now)
if ARGV[6] == '1' and redis.call('EXISTS', KEYS[3]) == 0 then
  return {1, tonumber(redis.call('HGET', KEYS[1], '#total')) or 0}
end
local bytes = tonumber(ARGV[2])
local limit = tonumber(ARGV[5])
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
local total = tonumber(redis.call('HGET', KEYS[1], '#total')) or 0
local after = total - old + bytes
if limit > 0 and bytes > old and after > limit then
  return {0, total, oldest()}
end
redis.call('HSET', KEYS[1], ARGV[1], bytes, '#total', after)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local keep = math.max(tonumber(last[2]) or 0, now) + 60000
redis.call('PEXPIREAT', KEYS[1], keep)
redis.call('PEXPIREAT', KEYS[2], keep)
return {1, after}
