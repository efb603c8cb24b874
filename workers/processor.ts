/**
 * The BullMQ processor: a thin adapter. It refuses canceled jobs, runs the training in a thread
 * with the configured heap and wall-clock limits, forwards progress, and aborts on cancel or on a
 * lost lock (another worker will own the job then). A job handed back on shutdown (handback.ts)
 * is moved from active back to waiting with its lock token, for another worker to start at once.
 */
import type { Job, Queue } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { retentionOf, type Config } from '../src/config.js';
import type { JobData } from '../src/queue/jobs.js';
import { findKind, type RegisteredKind } from '../src/kinds/registry.js';
import { readRows } from '../src/sync/datasets/store.js';
import { redisKeys } from '../src/queue/keys.js';
import { saveSummary } from '../src/queue/names.js';
import { failureReason } from '../src/queue/status.js';
import type { ThreadPool } from './run-in-thread.js';
import type { StorageLedger } from '../src/storage/ledger.js';
import { storeResultBytes } from './storage.js';
import { Handback } from './handback.js';
import { runFanOut } from './fanout.js';
import type { ThreadInput } from './thread-protocol.js';

export interface ProcessorContext {
  config: Readonly<Config>;
  redis: Redis;
  log: Logger;
  /** AbortControllers of the jobs running in this process, by job id */
  running: Map<string, AbortController>;
  pool: ThreadPool;
  /** the per-owner storage ledger the result is counted in (src/storage/) */
  ledger?: StorageLedger;
  /** hands running jobs back to the queue when the worker stops (SIGTERM) */
  handback: Handback;
  /** the running tasks of fanned-out jobs in this process, by parent job id (a parent's cancel stops them) */
  children: Map<string, Set<AbortController>>;
  /** the internal task queue of each kind that fans out (JOB_FANOUT; fanout.ts); none: jobs run whole */
  taskQueues: Map<string, Queue>;
}

export function createProcessor(ctx: ProcessorContext) {
  return async (job: Job<JobData>, token?: string, signal?: AbortSignal): Promise<unknown> => {
    const id = job.id as string;
    const kind = job.data ? findKind(job.data.kind) : undefined;
    if (!kind) throw new UnrecoverableError(failureReason('invalid_job', 'job data has no known kind'));
    if (await ctx.redis.exists(redisKeys(ctx.config.queuePrefix).cancel(id))) {
      throw new UnrecoverableError(failureReason('canceled', 'canceled before it started'));
    }
    const uploads = await uploadsOf(ctx, kind, job.data);
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(signal.reason ?? 'canceled by request'));
    ctx.running.set(id, controller);
    ctx.handback.track(id, controller);
    const log = ctx.log.child({ job: id, kind: job.data.kind });
    log.info('job started');
    const t0 = performance.now();
    let progressChain: Promise<unknown> = Promise.resolve();
    try {
      const input: ThreadInput = {
        kind: kind.name,
        request: job.data.request,
        ...(uploads ? { uploads } : {}),
        maxResultBytes: ctx.config.limits.resultBytes,
        layerPoints: ctx.config.limits.layerPoints,
      };
      const onProgress = (p: Record<string, unknown>): void => {
        ctx.handback.progress(id, p);
        progressChain = progressChain.then(() => job.updateProgress(p)).catch(() => undefined);
      };
      const tasks = kind.fanout ? ctx.taskQueues.get(kind.name) : undefined;
      const result = tasks
        ? await runFanOut({ ...ctx, tasks }, job, kind, input, controller.signal, onProgress)
        : await ctx.pool.run(input, {
            timeoutMs: ctx.config.limits.jobTimeoutMs,
            signal: controller.signal,
            onProgress,
          });
      await progressChain;
      // A cancel that came in while the thread finished wins (the API already answered `canceled`):
      // fail the job instead of storing a result nobody will be shown.
      if (await ctx.redis.exists(redisKeys(ctx.config.queuePrefix).cancel(id))) {
        throw new UnrecoverableError(failureReason('canceled', 'canceled before its result was stored'));
      }
      // the result counts in the owner's storage quota before it is stored: one that does not fit fails the job
      // (storage_quota_exceeded)
      const summaryText = result.summary ? JSON.stringify(result.summary) : null;
      if (ctx.ledger) await storeResultBytes(ctx.ledger, ctx.config, job, result.json, summaryText);
      if (result.summary)
        await saveSummary(
          ctx.redis,
          ctx.config.queuePrefix,
          id,
          result.summary,
          retentionOf(ctx.config, kind.name) + 3600,
        );
      log.info({ ms: Math.round(performance.now() - t0), bytes: result.json.length }, 'job succeeded');
      // the JSON text, serialised in the thread: BullMQ stores it as a JSON string (the API parses it back)
      return result.json;
    } catch (err) {
      if (Handback.handedBack(controller.signal)) {
        // back to waiting (lock released, not counted as a failure): another worker starts it now
        await progressChain;
        await job.moveToWait(token);
        log.info({ ms: Math.round(performance.now() - t0) }, 'job handed back to the queue (worker stopping)');
        throw new WaitingError();
      }
      log.warn({ ms: Math.round(performance.now() - t0), err: (err as Error).message }, 'job did not succeed');
      throw err;
    } finally {
      ctx.running.delete(id);
      ctx.handback.untrack(id);
    }
  };
}

/**
 * The rows of the uploaded datasets a job names (where they sit is the kind's to say), read here
 * so the training thread needs no Redis. Gone (expired since the submit) or not the job owner's:
 * the job fails as invalid_job, never retried.
 */
export async function uploadsOf(
  ctx: ProcessorContext,
  kind: RegisteredKind,
  data: JobData,
): Promise<Record<string, { x: number[][]; y: number[] }> | undefined> {
  const ids = kind.datasetIds(data.request);
  if (ids.length === 0) return undefined;
  const uploads: Record<string, { x: number[][]; y: number[] }> = {};
  for (const id of ids) {
    const found = await readRows(ctx.redis, ctx.config.queuePrefix, id);
    if (!found || found.owner !== data.owner) {
      throw new UnrecoverableError(
        failureReason(
          'invalid_job',
          `dataset ${id} expired (uploads are kept RESULT_TTL_S) or was removed before the job ran; upload it again and resubmit`,
        ),
      );
    }
    uploads[id] = found.rows;
  }
  return uploads;
}
