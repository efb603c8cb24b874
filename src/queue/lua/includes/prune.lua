--[[
  The storage ledger's helpers, included by every storage script (src/storage/ledger.ts):
  prune(now) subtracts the items whose expiry has passed from the total (lazy pruning);
  oldest() is the earliest expiry still recorded (ms, 0 when none).
  Uses the including script's KEYS[1] (storage hash) and KEYS[2] (expiry sorted set).
]]
local function prune(now)
  local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
  if #expired == 0 then return end
  local freed = 0
  for _, item in ipairs(expired) do
    freed = freed + (tonumber(redis.call('HGET', KEYS[1], item)) or 0)
    redis.call('HDEL', KEYS[1], item)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local total = (tonumber(redis.call('HGET', KEYS[1], '#total')) or 0) - freed
  if total < 0 then total = 0 end
  redis.call('HSET', KEYS[1], '#total', total)
end
local function oldest()
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return tonumber(first[2]) or 0
end
