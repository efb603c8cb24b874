/**
 * Webhook deliveries as BullMQ jobs on their own queue (WEBHOOK_QUEUE): one delivery job per job
 * that asked for a callback, with a deterministic id (`<kind>.<job id>`), so however many parties
 * queue it — the worker that finished the job, the API that canceled it, the reconciler — it is
 * queued once (BullMQ adds nothing for an id it holds; delivery jobs are kept RESULT_TTL_S after
 * they finish for that reason). Attempts and exponential backoff are BullMQ's; delayed retries
 * live in Redis, so no process restart loses one.
 *
 * No final state is missed: admission records every job with a callback in a pending set (in the
 * same MULTI as the job's add, see JobStore.create); queueing its delivery removes it; the
 * reconciler (run by every worker) queues the delivery of any pending job that has finished or
 * been canceled, and drops entries whose job is gone.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WebhookConfig } from '../config.js';
import type { JobKind } from '../kinds/registry.js';
import { redisKeys, type RedisKeys } from '../queue/keys.js';
import { WEBHOOK_QUEUE } from '../queue/names.js';

export interface DeliveryData {
  kind: JobKind;
  id: string;
}

/** A member of the pending set (keys.ts webhookPending, score: admission ms): a job whose webhook is not queued yet. */
export function pendingMember(kind: JobKind, id: string): string {
  return `${kind}/${id}`;
}

export function deliveryJobId(kind: JobKind, id: string): string {
  return `${kind}.${id}`;
}

export class WebhookQueue {
  readonly queue: Queue<DeliveryData>;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly cfg: Pick<WebhookConfig, 'attempts' | 'backoffMs'>,
    private readonly keepSeconds: number,
  ) {
    this.keys = redisKeys(prefix);
    this.queue = new Queue<DeliveryData>(WEBHOOK_QUEUE, { connection: redis, prefix, skipVersionCheck: true });
    this.queue.on('error', () => undefined);
  }

  /** Queues the delivery of a finished (or canceled) job, at most once, and clears its pending entry. */
  async enqueue(kind: JobKind, id: string): Promise<void> {
    await this.queue.add(
      'deliver',
      { kind, id },
      {
        jobId: deliveryJobId(kind, id),
        attempts: this.cfg.attempts,
        backoff: { type: 'exponential', delay: this.cfg.backoffMs },
        removeOnComplete: { age: this.keepSeconds },
        removeOnFail: { age: this.keepSeconds },
      },
    );
    await this.redis.zrem(this.keys.webhookPending(), pendingMember(kind, id));
  }

  /**
   * The backstop: queues the delivery of every pending job that finished or was canceled (a
   * worker killed between finishing a job and queueing its delivery, an API killed after a
   * cancel), drops entries whose job expired. One pipelined read per page of 500. Returns how
   * many deliveries it queued.
   */
  async reconcile(page = 500): Promise<number> {
    const key = this.keys.webhookPending();
    let queued = 0;
    let offset = 0;
    for (;;) {
      const members = await this.redis.zrange(key, String(offset), String(offset + page - 1));
      if (members.length === 0) return queued;
      const parsed = members.map((m) => /^([a-z-]+)\/(.+)$/.exec(m));
      const p = this.redis.pipeline();
      for (const m of parsed) {
        if (!m) continue;
        p.hmget(this.keys.job(m[1] as JobKind, m[2]), 'timestamp', 'finishedOn');
        p.exists(this.keys.cancel(m[2]));
      }
      const rows = (await p.exec()) ?? [];
      let row = 0;
      let kept = 0;
      for (let i = 0; i < members.length; i++) {
        const m = parsed[i];
        if (!m) {
          await this.redis.zrem(key, members[i]);
          continue;
        }
        const [timestamp, finishedOn] = (rows[row++]?.[1] as (string | null)[] | undefined) ?? [null, null];
        const canceled = rows[row++]?.[1] === 1;
        if (timestamp === null) await this.redis.zrem(key, members[i]);
        else if (finishedOn !== null || canceled) {
          await this.enqueue(m[1] as JobKind, m[2]);
          queued++;
        } else kept++;
      }
      if (members.length < page) return queued;
      offset += kept;
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
