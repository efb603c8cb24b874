/**
 * Parallel LR search sessions (`parallelism: N`): trials are handed out on leases, up to N at a
 * time, and reported in any order (pure: `now` and the lease ids come from the caller).
 *
 * Why any order gives the same result: the engine (src/lrfinder/search/engine.ts) plans a rung's
 * trials all at once, takes their reports in any order, and plans the next rung only when the
 * last of them is told, from the reports alone (a sum of step counts and per-candidate records).
 * A session's trials all start from the initial weights (`resumable: false`); even a resumable
 * search's continuation (`from_steps` > 0) continues a candidate of an EARLIER rung, whose trial was
 * reported before this rung was planned, so every pending trial may be handed out at once.
 *
 * Leases: a trial is handed to one lease at a time; unreported when its lease expires, it is handed
 * out again. The first report of a trial counts, whichever of its leases it names (a late report
 * of an expired lease too: the work is done); then a report under another lease is a 409
 * (`lease_expired` when that lease had expired, `already_reported` otherwise); re-sending the
 * counted report is harmless. A lease this session never issued, or issued for another trial, is a
 * 409 `unknown_lease`.
 */
import { invalid, ProblemError } from '../../contracts/problems.js';
import type { Trial } from '../../lrfinder/search/types.js';
import type { SearchSessionDoc } from './session.js';

export interface Lease {
  id: string;
  trial: string;
  /** ISO date-time */
  expires_at: string;
}

export interface LeasedTrial {
  type: 'trial';
  trial: string;
  lr: number;
  steps: number;
  eval_at: number[];
  why: string;
  lease: string;
  lease_expires_at: string;
}

export const isParallel = (doc: SearchSessionDoc): boolean => doc.request.parallelism !== undefined;

const expired = (l: Lease, now: Date): boolean => Date.parse(l.expires_at) <= now.getTime();

function conflict(code: string, pointer: string, detail: string): ProblemError {
  return new ProblemError(409, code, 'Conflict', `${pointer}: ${detail}`, [{ pointer, detail }]);
}

/** the unexpired leases of trials not reported yet, in the order of the engine's pending trials */
export function activeLeases(doc: SearchSessionDoc, now: Date): Lease[] {
  if (doc.result !== null || doc.search.phase !== 'trials') return [];
  const live = (doc.leases ?? []).filter((l) => !expired(l, now));
  return doc.search.pending.flatMap((t) => live.filter((l) => l.trial === t.id));
}

/** pending trials without an unexpired lease (never handed out, or their lease expired) */
function unleased(doc: SearchSessionDoc, now: Date): Trial[] {
  if (doc.result !== null || doc.search.phase !== 'trials') return [];
  const held = new Set(activeLeases(doc, now).map((l) => l.trial));
  return doc.search.pending.filter((t) => !held.has(t.id));
}

/** what a lease request would hand out now, and how many trials are out */
export function leaseCounts(doc: SearchSessionDoc, now: Date): { available: number; leased: number } {
  const leased = activeLeases(doc, now).length;
  const room = Math.max(0, (doc.request.parallelism ?? 1) - leased);
  return { available: Math.min(room, unleased(doc, now).length), leased };
}

export function leasedTrial(doc: SearchSessionDoc, l: Lease): LeasedTrial {
  const t = doc.search.pending.find((x) => x.id === l.trial)!;
  return {
    type: 'trial',
    trial: t.id,
    lr: t.lr,
    steps: t.steps,
    eval_at: t.eval_at,
    why: t.why,
    lease: l.id,
    lease_expires_at: l.expires_at,
  };
}

/**
 * Hands out up to `max` trials (at most parallelism minus those out): the engine's pending trials
 * in its order, skipping those under an unexpired lease. Returns the same doc when none is free.
 */
export function grantLeases(
  doc: SearchSessionDoc,
  max: number | undefined,
  now: Date,
  newId: () => string,
): { doc: SearchSessionDoc; granted: LeasedTrial[] } {
  if (!isParallel(doc)) {
    throw conflict('not_parallel', '/', "this session was started without parallelism: train next's trial, report it");
  }
  const { available } = leaseCounts(doc, now);
  const picks = unleased(doc, now).slice(0, Math.min(available, max ?? available));
  if (picks.length === 0) return { doc, granted: [] };
  const until = new Date(now.getTime() + doc.request.lease_seconds! * 1000).toISOString();
  const fresh = picks.map((t) => ({ id: newId(), trial: t.id, expires_at: until }));
  const next = { ...doc, leases: [...(doc.leases ?? []), ...fresh], updated_at: now.toISOString() };
  return { doc: next, granted: fresh.map((l) => leasedTrial(next, l)) };
}

/**
 * Checks a parallel session's trial report against its lease: 'new' when it is the trial's first
 * report (tell the engine), 'repeat' when it re-sends the counted one; throws a 400/409 otherwise.
 */
export function checkLease(
  doc: SearchSessionDoc,
  trial: string,
  lease: string | undefined,
  metric: number | null,
  now: Date,
): 'new' | 'repeat' {
  if (lease === undefined) {
    throw invalid('/lease', 'is required in a parallel session: the lease the trial was handed out with');
  }
  const l = (doc.leases ?? []).find((x) => x.id === lease);
  if (!l) throw conflict('unknown_lease', '/lease', `this session never issued lease ${lease}`);
  if (l.trial !== trial) {
    throw conflict('unknown_lease', '/lease', `lease ${lease} is for trial ${l.trial}, not ${trial}`);
  }
  if (!Object.prototype.hasOwnProperty.call(doc.reported, trial)) return 'new';
  const by = doc.reported_lease?.[trial];
  if (by === lease) {
    if (doc.reported[trial] !== metric) {
      const was = String(doc.reported[trial]);
      throw conflict('metric_conflict', '/metric', `trial ${trial} was reported with metric ${was}, not ${metric}`);
    }
    return 'repeat';
  }
  if (expired(l, now)) {
    throw conflict(
      'lease_expired',
      '/lease',
      `lease ${lease} expired at ${l.expires_at}; trial ${trial} was handed out again and reported under lease ${by}`,
    );
  }
  throw conflict(
    'already_reported',
    '/trial',
    `trial ${trial} was already reported under lease ${by} (an earlier lease, expired): the first report counts`,
  );
}
