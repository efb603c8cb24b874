/**
 * The webhook delivery worker (one per worker process, on WEBHOOK_QUEUE): reads the job, POSTs
 * `{type, timestamp, data: <the job resource>}` to its callback_url signed per Standard Webhooks
 * (src/webhooks/sign.ts), and succeeds on a 2xx. Anything else throws, and BullMQ retries with
 * exponential backoff up to WEBHOOK_ATTEMPTS; a refused callback (SSRF) or a job that expired
 * fails for good. The body is rebuilt from the stored job at each attempt (a finished job does not
 * change), the webhook-id is the same on every attempt, the timestamp is the attempt's.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { jobResource } from '../src/api/job-resource.js';
import type { Config } from '../src/config.js';
import type { ConnectionTrouble } from '../src/queue/connection-trouble.js';
import { JobStore, jobStoreOptions } from '../src/queue/jobs.js';
import { WEBHOOK_QUEUE } from '../src/queue/names.js';
import { deliver, RefusedCallbackError } from '../src/webhooks/deliver.js';
import type { DeliveryData } from '../src/webhooks/queue.js';
import { webhookHeaders, webhookId } from '../src/webhooks/sign.js';

const FINAL = new Set(['succeeded', 'failed', 'canceled']);

/** The delivery's body: Standard Webhooks' recommended envelope around the job resource. */
export function webhookBody(resource: ReturnType<typeof jobResource>): string {
  return JSON.stringify({
    type: `job.${resource.status}`,
    timestamp: resource.finished_at ?? new Date().toISOString(),
    data: resource,
  });
}

/**
 * What happens after a failed attempt, as the log says it: a refused callback (SSRF: the host or
 * what it resolves to is not allowed) is final — retrying cannot change the answer — and so is the
 * last attempt; anything else is retried with backoff.
 */
export function deliveryFailure(err: unknown, attempt: number, attempts: number): { message: string; final: boolean } {
  if (err instanceof RefusedCallbackError)
    return {
      message: 'webhook delivery refused for good: the callback host is not allowed (not retried)',
      final: true,
    };
  if (attempt >= attempts)
    return { message: `webhook delivery failed for good after ${attempts} attempt(s)`, final: true };
  return {
    message: `webhook delivery failed; retrying with backoff (attempt ${attempt} of ${attempts})`,
    final: false,
  };
}

export function startWebhookWorker(
  config: Readonly<Config>,
  redis: Redis,
  log: Logger,
  trouble?: ConnectionTrouble,
): Worker<DeliveryData> {
  const store = new JobStore(redis, jobStoreOptions(config));
  const key = config.webhooks.secret;
  const worker = new Worker<DeliveryData>(
    WEBHOOK_QUEUE,
    async (job: Job<DeliveryData>) => {
      const { kind, id } = job.data;
      if (!key) throw new UnrecoverableError('WEBHOOK_SECRET is not set on this worker: deliveries cannot be signed');
      const rec = await store.get(kind, id);
      if (!rec) throw new UnrecoverableError(`job ${id} is gone (expired): nothing to deliver`);
      const url = (rec.request as { callback_url?: unknown } | null)?.callback_url;
      if (typeof url !== 'string') throw new UnrecoverableError(`job ${id} has no callback_url`);
      if (!FINAL.has(rec.status)) throw new Error(`job ${id} is ${rec.status}, not final yet`);
      const body = webhookBody(jobResource(rec));
      const headers = webhookHeaders(key, webhookId(id), Math.floor(Date.now() / 1000), body);
      const attempt = job.attemptsMade + 1;
      try {
        const { status, excerpt } = await deliver({
          url,
          body,
          headers,
          timeoutMs: config.webhooks.timeoutMs,
          allowHosts: config.webhooks.allowHosts,
        });
        if (status < 200 || status > 299)
          throw new Error(`the receiver answered ${status}${excerpt ? `: ${excerpt.slice(0, 200)}` : ''}`);
        log.info({ job: id, kind, status, attempt }, 'webhook delivered');
        return { status, attempt };
      } catch (err) {
        const { message } = deliveryFailure(err, attempt, job.opts.attempts ?? 1);
        log.warn({ job: id, kind, attempt, err: (err as Error).message }, message);
        if (err instanceof RefusedCallbackError) throw new UnrecoverableError(err.message);
        throw err;
      }
    },
    {
      connection: redis,
      prefix: config.queuePrefix,
      concurrency: 8,
      lockDuration: Math.max(config.lockDurationMs, 2 * config.webhooks.timeoutMs),
      stalledInterval: config.stalledIntervalMs,
      skipVersionCheck: true,
    },
  );
  worker.on('error', (err) =>
    trouble ? trouble.error(err, { queue: WEBHOOK_QUEUE }) : log.warn({ err: err.message }, 'webhook worker error'),
  );
  return worker;
}
