--[[
  Forgets an item of the storage ledger (deleted, or its write failed) (src/storage/ledger.ts).

    Input:
      KEYS[1]  storage         hash: item -> bytes, and `#total`
      KEYS[2]  storage-exp     sorted set: item -> expiry (ms)

      ARGV[1]  item            the item's name
      ARGV[2]  now             ms since the epoch

    Output:
      the owner's total after
]]
--- @include "includes/prune"
prune(tonumber(ARGV[2]))
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
local total = tonumber(redis.call('HGET', KEYS[1], '#total')) or 0
if old > 0 then
  total = total - old
  if total < 0 then total = 0 end
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[1], '#total', total)
end
redis.call('ZREM', KEYS[2], ARGV[1])
return total
