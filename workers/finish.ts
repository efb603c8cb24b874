/**
 * What a worker does when a job reached its final state in BullMQ (its `completed` / `failed`
 * events): free the job's admission slot, count it in the service-wide finish stats (/metrics),
 * and queue its webhook delivery when the request has a `callback_url`. Each step is idempotent or
 * best-effort, and each has a backstop for a worker killed in between: the admission reconciler,
 * and the webhook reconciler (WebhookQueue.reconcile in src/webhooks/queue.ts).
 */
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../src/config.js';
import type { JobKind } from '../src/kinds/registry.js';
import { release } from '../src/queue/admission.js';
import { recordFinish, type FinalStatus } from '../src/queue/finish-stats.js';
import type { JobData } from '../src/queue/jobs.js';
import { redisKeys } from '../src/queue/keys.js';
import { parseFailure } from '../src/queue/status.js';
import type { StorageLedger } from '../src/storage/ledger.js';
import { settleFailedBytes } from './storage.js';

export interface FinishContext {
  config: Readonly<Config>;
  redis: Redis;
  log: Logger;
  /** queues the webhook delivery of a finished job that asked for one */
  webhook?(kind: JobKind, id: string): Promise<void>;
  /** the per-owner storage ledger: a failed job is counted at its final size (workers/storage.ts) */
  ledger?: StorageLedger;
}

export async function onJobFinished(
  ctx: FinishContext,
  kind: JobKind,
  job: Job<JobData> | undefined,
  state: 'completed' | 'failed',
): Promise<void> {
  if (!job?.id || !job.data) return;
  const id = job.id;
  const prefix = ctx.config.queuePrefix;
  const steps: Promise<unknown>[] = [];
  if (job.data.owner !== undefined) {
    steps.push(
      release(ctx.redis, prefix, kind, id, job.data.owner).catch((err) =>
        ctx.log.warn({ err: (err as Error).message }, 'release failed (the reconciler retries)'),
      ),
    );
  }
  steps.push(
    (async () => {
      const canceled =
        (await ctx.redis.exists(redisKeys(prefix).cancel(id))) === 1 ||
        (state === 'failed' && parseFailure(job.failedReason).code === 'canceled');
      const status: FinalStatus = canceled ? 'canceled' : state === 'completed' ? 'succeeded' : 'failed';
      const seconds = job.processedOn ? ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000 : 0;
      await recordFinish(ctx.redis, prefix, kind, status, seconds);
    })().catch((err) => ctx.log.warn({ err: (err as Error).message }, 'finish stats not recorded')),
  );
  if (ctx.ledger && state === 'failed' && job.data.owner !== undefined) {
    steps.push(
      settleFailedBytes(ctx.ledger, ctx.config, job, redisKeys(prefix).job(kind, id)).catch((err) =>
        ctx.log.warn({ err: (err as Error).message, job: id }, 'storage not settled'),
      ),
    );
  }
  if (ctx.webhook && hasCallback(job.data)) {
    steps.push(
      ctx
        .webhook(kind, id)
        .catch((err) =>
          ctx.log.warn({ err: (err as Error).message, job: id }, 'webhook not queued (the reconciler retries)'),
        ),
    );
  }
  await Promise.all(steps);
}

function hasCallback(data: JobData): boolean {
  const r = data.request as { callback_url?: unknown } | null;
  return typeof r?.callback_url === 'string';
}
