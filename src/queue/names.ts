/** Queue names (one BullMQ queue per job kind) and the result summary; every key is built in keys.ts. */
import type { Redis } from 'ioredis';
import type { JobKind } from '../kinds/registry.js';
import { queueName, redisKeys } from './keys.js';

export { queueName };

/** Stores a result's headline beside it (GET /v1/{kind} items), so job lists never read results. */
export async function saveSummary(
  redis: Redis,
  prefix: string,
  id: string,
  summary: Record<string, unknown>,
  ttlSeconds: number,
): Promise<void> {
  await redis.set(redisKeys(prefix).summary(id), JSON.stringify(summary), 'EX', ttlSeconds);
}

/** The BullMQ queue of webhook deliveries (src/webhooks/): one delivery job per job that asked for a callback. */
export const WEBHOOK_QUEUE = 'webhooks';
/**
 * The internal queue of a fanned-out kind's tasks (workers/fanout.ts): child jobs of that kind's
 * jobs, never admitted (no quota, no queue depth: the parent was), listed or given a webhook.
 */
export function taskQueueName(kind: JobKind): string {
  return `${queueName(kind)}-tasks`;
}

/** A task's child job id: the parent's id and the task's, so a parent that runs again finds the children it added. */
export function taskJobId(parentId: string, taskId: string): string {
  return `${parentId}-${taskId}`;
}
