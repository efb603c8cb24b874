--[[
  Releases a job from both in-flight sets; idempotent (src/queue/admission.ts).

    Input:
      KEYS[1]  owner-inflight  sorted set: the owner's jobs that may still run
      KEYS[2]  inflight        sorted set: every job that may still run

      ARGV[1]  member          `kind/id/owner` (owner URI-encoded)

    Output:
      1 when the job was in the service's set, 0 when it was released already
]]
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('ZREM', KEYS[2], ARGV[1])
