/**
 * The processor of a kind's internal task queue (fanout.ts): one task of a fanned-out job, in this
 * worker's training thread. It reads the request from the parent job, the uploaded rows and the
 * carry the task continues from; runs the kind's task; stores the carry it leaves (in the owner's
 * storage quota) and returns its output, which the parent reads. A task whose parent is gone,
 * finished or canceled is not run. Canceled with its parent (the cancel channel carries the parent's
 * id to `children`, or the task's own id from the parent's clean-up), handed back on shutdown like a job.
 */
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { findKind } from '../src/kinds/registry.js';
import type { JobData } from '../src/queue/jobs.js';
import { redisKeys } from '../src/queue/keys.js';
import { failureReason } from '../src/queue/status.js';
import { bytesOf, itemOfCarry } from '../src/storage/ledger.js';
import type { TaskData } from './fanout.js';
import { Handback } from './handback.js';
import { uploadsOf, type ProcessorContext } from './processor.js';

/** a carry outlives the longest job that may continue from it, plus an hour */
const carryTtlS = (ctx: ProcessorContext): number => Math.ceil(ctx.config.limits.jobTimeoutMs / 1000) + 3600;

export function createTaskProcessor(ctx: ProcessorContext) {
  return async (job: Job<TaskData>, token?: string, signal?: AbortSignal): Promise<unknown> => {
    const id = job.id as string;
    const { parent, task } = job.data;
    const kind = findKind(job.data.kind);
    if (!kind?.fanout) {
      throw new UnrecoverableError(failureReason('invalid_job', 'task data has no known kind that fans out'));
    }
    const keys = redisKeys(ctx.config.queuePrefix);
    const [data, finishedOn] = await ctx.redis.hmget(keys.job(kind.name, parent), 'data', 'finishedOn');
    if (!data || finishedOn || (await ctx.redis.exists(keys.cancel(parent)))) {
      throw new UnrecoverableError(failureReason('canceled', 'its job was canceled or is gone'));
    }
    const parentData = JSON.parse(data) as JobData;
    const uploads = await uploadsOf(ctx, kind, parentData);
    const carry = task.after === null ? null : await ctx.redis.getBuffer(keys.carry(parent, task.after));
    if (task.after !== null && !carry) {
      throw new UnrecoverableError(failureReason('job_failed', `the state task ${task.id} continues from is gone`));
    }
    const controller = new AbortController();
    signal?.addEventListener('abort', () => controller.abort(signal.reason ?? 'canceled by request'));
    ctx.running.set(id, controller);
    const siblings = ctx.children.get(parent) ?? new Set<AbortController>();
    ctx.children.set(parent, siblings.add(controller));
    ctx.handback.track(id, controller);
    const log = ctx.log.child({ job: parent, kind: kind.name, task: task.id });
    log.info('task started');
    const t0 = performance.now();
    let progressChain: Promise<unknown> = Promise.resolve();
    try {
      const out = await ctx.pool.run(
        {
          kind: kind.name,
          request: parentData.request,
          ...(uploads ? { uploads } : {}),
          maxResultBytes: ctx.config.limits.resultBytes,
          layerPoints: ctx.config.limits.layerPoints,
          op: { type: 'task', task, carry: carry ? new Uint8Array(carry) : null },
        },
        {
          timeoutMs: ctx.config.limits.jobTimeoutMs,
          signal: controller.signal,
          onProgress: (p) => {
            ctx.handback.progress(id, p);
            progressChain = progressChain.then(() => job.updateProgress(p)).catch(() => undefined);
          },
        },
      );
      await progressChain;
      if (out.carry) {
        const bytes = Buffer.from(out.carry.buffer, out.carry.byteOffset, out.carry.byteLength);
        const ttl = carryTtlS(ctx);
        if (ctx.ledger) {
          const item = itemOfCarry(kind.name, parent, task.id);
          const o = await ctx.ledger.reserve(parentData.owner, item, bytesOf(bytes), Date.now() + ttl * 1000);
          if (!o.ok) {
            throw new UnrecoverableError(
              failureReason(
                'storage_quota_exceeded',
                `the state between its trials needs ${o.bytes} bytes; your API key stores ${o.total} bytes ` +
                  `of its quota of ${o.limit} bytes (LIMIT_STORAGE_BYTES_PER_KEY)`,
              ),
            );
          }
        }
        await ctx.redis.set(keys.carry(parent, task.id), bytes, 'EX', ttl);
      }
      log.info({ ms: Math.round(performance.now() - t0), carry_bytes: out.carry?.byteLength ?? 0 }, 'task succeeded');
      return out.value;
    } catch (err) {
      if (Handback.handedBack(controller.signal)) {
        await progressChain;
        await job.moveToWait(token);
        throw new WaitingError();
      }
      log.warn({ ms: Math.round(performance.now() - t0), err: (err as Error).message }, 'task did not succeed');
      throw err;
    } finally {
      ctx.running.delete(id);
      siblings.delete(controller);
      if (siblings.size === 0) ctx.children.delete(parent);
      ctx.handback.untrack(id);
    }
  };
}
