--[[
  Admits a job: checks the owner's jobs in flight against LIMIT_JOBS_PER_KEY and the service's
  against LIMIT_QUEUE_DEPTH, and on success records the job in both in-flight sets and in the
  owner's job index, in one step (src/queue/admission.ts).

    Input:
      KEYS[1]  owner-inflight  sorted set: the owner's jobs that may still run
      KEYS[2]  inflight        sorted set: every job that may still run
      KEYS[3]  owner-jobs      sorted set: the owner's jobs of this kind (GET /v1/{kind})
      KEYS[4]  job             the job's BullMQ hash: gets a placeholder on refusal

      ARGV[1]  owner-limit     LIMIT_JOBS_PER_KEY (0 = none)
      ARGV[2]  depth-limit     LIMIT_QUEUE_DEPTH
      ARGV[3]  member          `kind/id/owner` (owner URI-encoded)
      ARGV[4]  id              the job id (member of KEYS[3])
      ARGV[5]  now             ms since the epoch (the members' score)
      ARGV[6]  ttl             seconds the owner's sets are kept

    Output:
      {0, n}      admitted; n = the owner's jobs in flight now
      {1, count}  refused: the owner has `count` jobs in flight
      {2, count}  refused: the service has `count` jobs in flight
]]
local ownerLimit = tonumber(ARGV[1])
local depthLimit = tonumber(ARGV[2])
local now = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local mine = redis.call('ZCARD', KEYS[1])
local refused = 0
local count = 0
if ownerLimit > 0 and mine >= ownerLimit then
  refused = 1
  count = mine
else
  local all = redis.call('ZCARD', KEYS[2])
  if all >= depthLimit then
    refused = 2
    count = all
  end
end
if refused > 0 then
  -- the BullMQ add queued behind this script in the same MULTI finds the job id taken and adds
  -- nothing; the placeholder expires by itself
  if KEYS[4] then
    redis.call('HSET', KEYS[4], 'lrf_refused', refused)
    redis.call('PEXPIRE', KEYS[4], 10000)
  end
  return {refused, count}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('ZADD', KEYS[3], now, ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 2 * ttl * 1000)
redis.call('EXPIRE', KEYS[3], 2 * ttl)
return {0, mine + 1}
