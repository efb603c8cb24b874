--[[
  Places a job just added with a placeholder priority at its fair place: start-time fair queueing
  between owners on BullMQ's priorities (src/queue/fairness.ts says how and why).

    Input:
      KEYS[1]  job             the job's BullMQ hash
      KEYS[2]  prioritized     the queue's BullMQ `prioritized` sorted set
      KEYS[3]  fair-clock      hash: the queue's fairness clock (v, top, base)
      KEYS[4]  fair-finish     sorted set: owner -> virtual finish tag of its last admitted job

      ARGV[1]  id              the job id
      ARGV[2]  owner           the owner, URI-encoded
      ARGV[3]  max-priority    the highest priority to hand out (BullMQ's limit, 2^21 - 1)
      ARGV[4]  ttl             seconds the clock is kept after the last admission
      ARGV[5]  job-prefix      `<prefix>:<queue>:`, for rewriting waiting jobs' priority

    Output:
      the job's priority; 0 when the job was not added (refused admission) or is not prioritized
]]
local SHIFT = 4294967296
local id = ARGV[1]
local maxPrio = tonumber(ARGV[3])
if redis.call('HEXISTS', KEYS[1], 'lrf_refused') == 1 then return 0 end
local score = tonumber(redis.call('ZSCORE', KEYS[2], id))
if not score then return 0 end
local seq = score % SHIFT
local st = redis.call('HMGET', KEYS[3], 'v', 'top', 'base')
local v = tonumber(st[1]) or 0
local top = tonumber(st[2]) or 0
local base = tonumber(st[3]) or 0
local head = nil
local firsts = redis.call('ZRANGE', KEYS[2], 0, 1, 'WITHSCORES')
for i = 1, #firsts, 2 do
  if firsts[i] ~= id then head = tonumber(firsts[i + 1]); break end
end
if head == nil then
  -- nothing else waits: every tag handed out has started; priorities restart at 1
  if top > v then v = top end
  base = v
else
  -- the next job's tag less one: about the tag of the job that started last
  local hv = base + math.floor(head / SHIFT) - 2
  if hv > v then v = hv end
end
local s = v
local f = tonumber(redis.call('ZSCORE', KEYS[4], ARGV[2]))
if f and f > s then s = f end
local prio = s - base + 1
if prio > maxPrio then
  -- shift every waiting job down by v - base (their tags are >= v: priorities stay >= 1, order unchanged)
  local shift = v - base
  local all = {}
  if shift > 0 then all = redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES') end
  for i = 1, #all, 2 do
    if all[i] ~= id then
      local sc = tonumber(all[i + 1])
      local p = math.floor(sc / SHIFT) - shift
      if p < 1 then p = 1 end
      redis.call('ZADD', KEYS[2], p * SHIFT + sc % SHIFT, all[i])
      if redis.call('EXISTS', ARGV[5] .. all[i]) == 1 then redis.call('HSET', ARGV[5] .. all[i], 'priority', p) end
    end
  end
  base = v
  prio = s - base + 1
  -- an owner more than maxPrio jobs ahead of everyone: its later jobs share the last priority (FIFO)
  if prio > maxPrio then prio = maxPrio end
end
redis.call('ZADD', KEYS[2], prio * SHIFT + seq, id)
redis.call('HSET', KEYS[1], 'priority', prio)
redis.call('ZADD', KEYS[4], s + 1, ARGV[2])
if s > top then top = s end
-- owners whose finish tag is behind the clock weigh nothing (max(F, V) = V): forget them
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', v)
redis.call('HSET', KEYS[3], 'v', v, 'top', top, 'base', base)
redis.call('EXPIRE', KEYS[3], ARGV[4])
redis.call('EXPIRE', KEYS[4], ARGV[4])
return prio
