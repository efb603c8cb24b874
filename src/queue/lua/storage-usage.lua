--[[
  An owner's stored bytes and items after pruning the expired ones (src/storage/ledger.ts).

    Input:
      KEYS[1]  storage         hash: item -> bytes, and `#total`
      KEYS[2]  storage-exp     sorted set: item -> expiry (ms)

      ARGV[1]  now             ms since the epoch

    Output:
      {total bytes, items}
]]
--- @include "includes/prune"
prune(tonumber(ARGV[1]))
return {tonumber(redis.call('HGET', KEYS[1], '#total')) or 0, redis.call('ZCARD', KEYS[2])}
