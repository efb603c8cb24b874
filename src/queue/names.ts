/** Queue and key names. One BullMQ queue per job kind; every key lives under the configured prefix. */
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
