/**
 * Fair order between owners (API keys) within each job queue: start-time fair queueing on top of
 * BullMQ's open-source priorities (BullMQ Pro's groups are not available).
 *
 * Every job gets a virtual start tag S = max(F_owner, V): F_owner is the tag after the owner's last
 * admitted job (S + 1), V the queue's virtual time, how far service has got. The job's BullMQ
 * priority is S − base + 1, and BullMQ serves the lowest priority first, FIFO within one priority.
 * So the k-th waiting job of every owner precedes every owner's (k+1)-th (round-robin by rank),
 * one owner's jobs keep their order, and an owner arriving late starts at V: it never waits behind
 * another's backlog, and it gets no credit for having been idle.
 *
 * V is read from the queue itself at admission, so workers take no part: V = (tag of the next
 * waiting job) − 1, i.e. about the tag of the job that started last; when nothing waits, every tag
 * handed out has started, V = the highest one, and priorities restart at 1 (`base` = V).
 * If the queue never empties and priorities would pass BullMQ's limit (2^21 − 1), the waiting
 * jobs' priorities are shifted down by V − base in one step (order unchanged).
 *
 * Atomicity: the job is added by BullMQ's own script with a placeholder priority, and this script
 * moves it to its place right after, in the same MULTI as the admission script and the add
 * (group-commit.ts): no worker can take the job in between, and two admissions of one owner in
 * one batch see each other. A refused admission added nothing: the script does nothing either.
 *
 * Jobs BullMQ puts back after a stall go to the `wait` list, which BullMQ serves before any
 * prioritized job: a recovered job goes first, it is never re-ranked.
 */
import type { Redis } from 'ioredis';
import type { JobKind } from '../kinds/registry.js';
import { fairFinishKey, fairStateKey, queueName } from './names.js';

/** BullMQ's highest priority (bullmq/dist/esm/classes/job.js PRIORITY_LIMIT); its score is priority·2^32 + a FIFO counter */
export const MAX_PRIORITY = 2 ** 21 - 1;

/*
 * KEYS[1] the job's hash (BullMQ)          KEYS[2] the queue's prioritized sorted set (BullMQ)
 * KEYS[3] the queue's fairness clock (hash: v, top, base)
 * KEYS[4] the queue's owners' finish tags (sorted set: owner -> F)
 * ARGV[1] job id   ARGV[2] owner (URI-encoded)   ARGV[3] highest priority to hand out
 * ARGV[4] seconds the clock is kept after the last admission
 * ARGV[5] the queue's job key prefix (`<prefix>:<queue>:`), for rewriting waiting jobs' priority
 * Returns the job's priority; 0 when the job was not added (refused admission) or is not prioritized.
 */
const PLACE = `
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
`;

interface FairnessCommands {
  lrfPlace(jobKey: string, prioritizedKey: string, stateKey: string, finishKey: string, id: string, owner: string, maxPriority: number, ttl: number, jobKeyPrefix: string): Promise<number>;
}

export type FairnessRedis = Redis & FairnessCommands;

/** Defines the placement script on a connection (idempotent); transactions made from it inherit it. */
export function withFairness(redis: Redis): FairnessRedis {
  const r = redis as FairnessRedis;
  if (typeof r.lrfPlace !== 'function') redis.defineCommand('lrfPlace', { numberOfKeys: 4, lua: PLACE });
  return r;
}

export interface PlaceOptions {
  prefix: string;
  /** how long the queue's clock is kept after the last admission, s */
  ttlSeconds: number;
  /** MAX_PRIORITY unless a test wants the rebase sooner */
  maxPriority?: number;
}

/** Queues the placement of job `id` on a MULTI, after the job's add (which used a placeholder priority). */
export function queuePlace(
  tx: { lrfPlace: (...a: Parameters<FairnessCommands['lrfPlace']>) => unknown },
  kind: JobKind, id: string, owner: string, o: PlaceOptions,
): void {
  const jobKeyPrefix = `${o.prefix}:${queueName(kind)}:`;
  tx.lrfPlace(
    `${jobKeyPrefix}${id}`, `${jobKeyPrefix}prioritized`, fairStateKey(o.prefix, kind), fairFinishKey(o.prefix, kind),
    id, encodeURIComponent(owner), o.maxPriority ?? MAX_PRIORITY, o.ttlSeconds, jobKeyPrefix,
  );
}
