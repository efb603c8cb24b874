--[[
  Cancels a job unless it has finished, and says what the job is: a cancel and a completion
  cannot both win (src/queue/jobs.ts, JobStore.cancel).

    Input:
      KEYS[1]  job             the job's BullMQ hash
      KEYS[2]  cancel          the job's cancel flag
      KEYS[3]  owner-inflight  sorted set: the owner's jobs that may still run
      KEYS[4]  inflight        sorted set: every job that may still run
      KEYS[5]  completed       the queue's BullMQ `completed` sorted set

      ARGV[1]  ttl             seconds the cancel flag is kept
      ARGV[2]  member          `kind/id/owner` (owner URI-encoded)
      ARGV[3]  id              the job id

    Output:
      'missing'    no such job
      'canceled'   canceled now, or before
      'completed'  it had succeeded: nothing changed
      'failed'     it had failed: nothing changed
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'canceled' end
if redis.call('HEXISTS', KEYS[1], 'finishedOn') == 1 then
  if redis.call('ZSCORE', KEYS[5], ARGV[3]) then return 'completed' end
  return 'failed'
end
redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[2])
return 'canceled'
