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
import { redisKeys } from './keys.js';
import { withScripts, type ScriptCommands, type ScriptRedis } from './scripts.js';

export function inflightMember(kind: JobKind, id: string, owner: string): string {
  return `${kind}/${id}/${encodeURIComponent(owner)}`;
}

export function parseMember(member: string): { kind: JobKind; id: string; owner: string } | null {
  const m = /^([a-z-]+)\/([^/]+)\/(.*)$/.exec(member);
  return m ? { kind: m[1] as JobKind, id: m[2], owner: decodeURIComponent(m[3]) } : null;
}

export type AdmissionRedis = ScriptRedis;

/** Defines the admission scripts (src/queue/lua/admit.lua, release.lua, cancel.lua) on a connection (EVALSHA). */
export function withAdmission(redis: Redis): AdmissionRedis {
  return withScripts(redis);
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

/** Queues the admission script on a MULTI (or pipeline) ahead of the job's add (whose key gets the refusal mark). */
export function queueAdmit(
  tx: { lrfAdmit: (...a: Parameters<ScriptCommands['lrfAdmit']>) => unknown },
  prefix: string,
  kind: JobKind,
  id: string,
  owner: string,
  limits: AdmitLimits,
): void {
  const k = redisKeys(prefix);
  tx.lrfAdmit(
    k.ownerInflight(owner),
    k.inflight(),
    k.ownerJobs(kind, owner),
    k.job(kind, id),
    limits.perOwner,
    limits.depth,
    inflightMember(kind, id, owner),
    id,
    Date.now(),
    limits.ttlSeconds,
  );
}

/** Admission alone, in its own round trip (nothing is added to a queue). */
export async function admit(
  redis: Redis,
  prefix: string,
  kind: JobKind,
  id: string,
  owner: string,
  limits: AdmitLimits,
): Promise<AdmitOutcome> {
  const k = redisKeys(prefix);
  return outcomeOf(
    await withAdmission(redis).lrfAdmit(
      k.ownerInflight(owner),
      k.inflight(),
      k.ownerJobs(kind, owner),
      k.admitPlaceholder(),
      limits.perOwner,
      limits.depth,
      inflightMember(kind, id, owner),
      id,
      Date.now(),
      limits.ttlSeconds,
    ),
  );
}

export async function release(redis: Redis, prefix: string, kind: JobKind, id: string, owner: string): Promise<void> {
  const k = redisKeys(prefix);
  await withAdmission(redis).lrfRelease(k.ownerInflight(owner), k.inflight(), inflightMember(kind, id, owner));
}

/**
 * Releases in-flight members admitted more than `graceMs` ago whose job hash is gone or finished.
 * Reads in pages of `page`, one pipelined round trip per page. Returns how many were released.
 */
export async function reconcileInflight(redis: Redis, prefix: string, graceMs: number, page = 500): Promise<number> {
  const keys = redisKeys(prefix);
  const key = keys.inflight();
  const before = Date.now() - graceMs;
  let released = 0;
  let offset = 0;
  for (;;) {
    const members = await redis.zrangebyscore(key, '-inf', before, 'LIMIT', offset, page);
    if (members.length === 0) return released;
    const parsed = members.map(parseMember);
    const p = redis.pipeline();
    for (const m of parsed) if (m) p.hmget(keys.job(m.kind, m.id), 'timestamp', 'finishedOn');
    const rows = (await p.exec()) ?? [];
    let row = 0;
    const gone: number[] = [];
    parsed.forEach((m, i) => {
      if (!m) {
        gone.push(i);
        return;
      }
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
