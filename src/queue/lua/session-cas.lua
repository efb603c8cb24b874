--[[
  Compare-and-set of a session's document on its version (src/sync/session-store.ts).

    Input:
      KEYS[1]  session         hash: `v` (version) and `doc` (the session as JSON)

      ARGV[1]  version         the version the new doc was computed from
      ARGV[2]  doc             the new doc
      ARGV[3]  ttl             seconds the session is kept after this update

    Output:
      1 written (version + 1), 0 lost a race (the version moved on), -1 the session is gone
]]
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(v) + 1), 'doc', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
