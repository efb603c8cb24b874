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
import { redisKeys } from './keys.js';
import { withScripts, type ScriptCommands, type ScriptRedis } from './scripts.js';

/** BullMQ's highest priority (bullmq/dist/esm/classes/job.js PRIORITY_LIMIT); its score is priority·2^32 + a FIFO
 * counter */
export const MAX_PRIORITY = 2 ** 21 - 1;

export type FairnessRedis = ScriptRedis;

/** Defines the placement script (src/queue/lua/place.lua) on a connection; transactions made from it inherit it. */
export function withFairness(redis: Redis): FairnessRedis {
  return withScripts(redis);
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
  tx: { lrfPlace: (...a: Parameters<ScriptCommands['lrfPlace']>) => unknown },
  kind: JobKind,
  id: string,
  owner: string,
  o: PlaceOptions,
): void {
  const k = redisKeys(o.prefix);
  tx.lrfPlace(
    k.job(kind, id),
    k.bullmq(kind, 'prioritized'),
    k.fairClock(kind),
    k.fairFinish(kind),
    id,
    encodeURIComponent(owner),
    o.maxPriority ?? MAX_PRIORITY,
    o.ttlSeconds,
    k.jobPrefix(kind),
  );
}
