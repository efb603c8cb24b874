/** Queue and key names. One BullMQ queue per job kind; every key lives under the configured prefix. */
import type { Redis } from 'ioredis';
import type { JobKind } from '../kinds/registry.js';

export function queueName(kind: JobKind): string {
  return kind;
}

/** Set while a cancel was requested for job `id` (read by workers at pickup and while running). */
export function cancelKey(prefix: string, id: string): string {
  return `${prefix}:lrf:cancel:${id}`;
}

/** Pub/sub channel on which cancel requests are broadcast to every worker process. */
export function cancelChannel(prefix: string): string {
  return `${prefix}:lrf:cancel`;
}

/** The headline of a finished job's result (GET /v1/{kind} items), written by the worker beside the result. */
export function summaryKey(prefix: string, id: string): string {
  return `${prefix}:lrf:summary:${id}`;
}

/** Stores a result's headline beside it, so job lists never read results. */
export async function saveSummary(redis: Redis, prefix: string, id: string, summary: Record<string, unknown>, ttlSeconds: number): Promise<void> {
  await redis.set(summaryKey(prefix, id), JSON.stringify(summary), 'EX', ttlSeconds);
}

/** The BullMQ queue of webhook deliveries (src/webhooks/): one delivery job per job that asked for a callback. */
export const WEBHOOK_QUEUE = 'webhooks';

/** Hash of one queue's fair-scheduling clock: `v` (virtual time), `top` (highest start tag handed out), `base` (the tag of priority 1). */
export function fairStateKey(prefix: string, kind: JobKind): string {
  return `${prefix}:lrf:fair:${queueName(kind)}`;
}

/** Sorted set of one queue's owners (URI-encoded) scored by the virtual finish tag of their last admitted job. */
export function fairFinishKey(prefix: string, kind: JobKind): string {
  return `${prefix}:lrf:fair-finish:${queueName(kind)}`;
}

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

/**
 * A finished task's carry (e.g. a trainer's position) for the task that continues from it; counted in
 * the owner's storage quota.
 */
export function carryKey(prefix: string, parentId: string, taskId: string): string {
  return `${prefix}:lrf:carry:${parentId}:${taskId}`;
}
