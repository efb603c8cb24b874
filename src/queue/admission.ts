/**
 * Admission control in Redis, one script each, so every decision is atomic and O(1) or O(log n):
 *
 * - `admit`: checks the owner's jobs in flight against LIMIT_JOBS_PER_KEY and the service's
 *   against LIMIT_QUEUE_DEPTH (ZCARD of two sorted sets), and on success records the job in both
 *   and in the owner's job index (GET /v1/{kind}), in the same step. Concurrent requests cannot
 *   overshoot: Redis runs one script at a time. The API sends it in one MULTI with BullMQ's add of
 *   the job (Job#addJob on the transaction, BullMQ's public API): one round trip, one AOF fsync
 *   per POST. On refusal the script leaves a short-lived placeholder under the job's key, so the
 *   add behind it sees the id taken and adds nothing (BullMQ treats an existing id as a duplicate).
 * - `release`: removes a job from both in-flight sets; idempotent (a job delivered twice, or
 *   released by its final state and again by a cancel or the reconciler, is released once).
 * - `cancel`: sets a job's cancel flag only if the job has not finished, and answers what the job
 *   is (missing, canceled, completed, failed): a cancel and a completion cannot both win.
 *
 * Members of the in-flight sets are `kind/id/owner` (owner URI-encoded) scored by admission
 * time; the reconciler (reconcileInflight) releases members whose job finished or vanished
 * without a release (a worker that crashed between completing a job and releasing it, a queue add
 * that failed after admission).
 */
import type { Redis } from 'ioredis';
import type { JobKind } from '../kinds/registry.js';

/** Sorted set of one owner's jobs that may still be queued or running (LIMIT_JOBS_PER_KEY). */
export function inflightKey(prefix: string, owner: string): string {
  return `${prefix}:lrf:owner-inflight:${encodeURIComponent(owner)}`;
}

/** Sorted set of every job that may still be queued or running (LIMIT_QUEUE_DEPTH). */
export function globalInflightKey(prefix: string): string {
  return `${prefix}:lrf:inflight`;
}

/** Sorted set (score = creation ms) of one owner's jobs of one kind: GET /v1/{kind}. */
export function ownerIndexKey(prefix: string, kind: JobKind, owner: string): string {
  return `${prefix}:lrf:owner-jobs:${kind}:${encodeURIComponent(owner)}`;
}

export function inflightMember(kind: JobKind, id: string, owner: string): string {
  return `${kind}/${id}/${encodeURIComponent(owner)}`;
}

export function parseMember(member: string): { kind: JobKind; id: string; owner: string } | null {
  const m = /^([a-z-]+)\/([^/]+)\/(.*)$/.exec(member);
  return m ? { kind: m[1] as JobKind, id: m[2], owner: decodeURIComponent(m[3]) } : null;
}

const ADMIT = `
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
`;

const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('ZREM', KEYS[2], ARGV[1])
`;

const CANCEL = `
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
`;

interface AdmissionCommands {
  lrfAdmit(ownerKey: string, globalKey: string, indexKey: string, jobKey: string, ownerLimit: number, depthLimit: number, member: string, id: string, now: number, ttl: number): Promise<[number, number]>;
  lrfRelease(ownerKey: string, globalKey: string, member: string): Promise<number>;
  lrfCancel(jobKey: string, cancelKey: string, ownerKey: string, globalKey: string, completedKey: string, ttl: number, member: string, id: string): Promise<string>;
}

export type AdmissionRedis = Redis & AdmissionCommands;

/** Defines the admission scripts on a connection (idempotent); they run as EVALSHA. */
export function withAdmission(redis: Redis): AdmissionRedis {
  const r = redis as AdmissionRedis;
  if (typeof r.lrfAdmit !== 'function') {
    redis.defineCommand('lrfAdmit', { numberOfKeys: 4, lua: ADMIT });
    redis.defineCommand('lrfRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('lrfCancel', { numberOfKeys: 5, lua: CANCEL });
  }
  return r;
}

export type AdmitOutcome = { ok: true } | { ok: false; reason: 'owner' | 'depth'; count: number };

export interface AdmitLimits {
  perOwner: number;
  depth: number;
  ttlSeconds: number;
}

export function outcomeOf([code, count]: [number, number]): AdmitOutcome {
  if (code === 0) return { ok: true };
  return { ok: false, reason: code === 1 ? 'owner' : 'depth', count };
}

/** Queues the admission script on a MULTI (or pipeline) ahead of the job's add; `jobKey` gets the placeholder on refusal. */
export function queueAdmit(
  tx: { lrfAdmit: (...a: Parameters<AdmissionCommands['lrfAdmit']>) => unknown },
  prefix: string, kind: JobKind, id: string, owner: string, jobKey: string, limits: AdmitLimits,
): void {
  tx.lrfAdmit(
    inflightKey(prefix, owner), globalInflightKey(prefix), ownerIndexKey(prefix, kind, owner), jobKey,
    limits.perOwner, limits.depth, inflightMember(kind, id, owner), id, Date.now(), limits.ttlSeconds,
  );
}

/** Admission alone, in its own round trip (nothing is added to a queue). */
export async function admit(redis: Redis, prefix: string, kind: JobKind, id: string, owner: string, limits: AdmitLimits): Promise<AdmitOutcome> {
  return outcomeOf(await withAdmission(redis).lrfAdmit(
    inflightKey(prefix, owner), globalInflightKey(prefix), ownerIndexKey(prefix, kind, owner), `${prefix}:lrf:unused-placeholder`,
    limits.perOwner, limits.depth, inflightMember(kind, id, owner), id, Date.now(), limits.ttlSeconds,
  ));
}

export async function release(redis: Redis, prefix: string, kind: JobKind, id: string, owner: string): Promise<void> {
  await withAdmission(redis).lrfRelease(inflightKey(prefix, owner), globalInflightKey(prefix), inflightMember(kind, id, owner));
}

/**
 * Releases in-flight members admitted more than `graceMs` ago whose job hash is gone or finished.
 * Reads in pages of `page`, one pipelined round trip per page. Returns how many were released.
 */
export async function reconcileInflight(
  redis: Redis, prefix: string, jobKey: (kind: JobKind, id: string) => string, graceMs: number, page = 500,
): Promise<number> {
  const key = globalInflightKey(prefix);
  const before = Date.now() - graceMs;
  let released = 0;
  let offset = 0;
  for (;;) {
    const members = await redis.zrangebyscore(key, '-inf', before, 'LIMIT', offset, page);
    if (members.length === 0) return released;
    const parsed = members.map(parseMember);
    const p = redis.pipeline();
    for (const m of parsed) if (m) p.hmget(jobKey(m.kind, m.id), 'timestamp', 'finishedOn');
    const rows = (await p.exec()) ?? [];
    let row = 0;
    const gone: number[] = [];
    parsed.forEach((m, i) => {
      if (!m) { gone.push(i); return; }
      const [, v] = rows[row++] ?? [];
      const [timestamp, finishedOn] = (v as (string | null)[] | undefined) ?? [null, null];
      if (timestamp === null || finishedOn !== null) gone.push(i);
    });
    for (const i of gone) {
      const m = parsed[i];
      if (m) await release(redis, prefix, m.kind, m.id, m.owner);
      else await redis.zrem(key, members[i]);
    }
    released += gone.length;
    offset += members.length - gone.length;
    if (members.length < page) return released;
  }
}
