/** Queue names (one BullMQ queue per job kind) and the result summary; every key is built in keys.ts. */
import type { Redis } from 'ioredis';
import { redisKeys } from './keys.js';

export { queueName } from './keys.js';

/** Stores a result's headline beside it (GET /v1/{kind} items), so job lists never read results. */
export async function saveSummary(redis: Redis, prefix: string, id: string, summary: Record<string, unknown>, ttlSeconds: number): Promise<void> {
  await redis.set(redisKeys(prefix).summary(id), JSON.stringify(summary), 'EX', ttlSeconds);
}

/** The BullMQ queue of webhook deliveries (src/webhooks/): one delivery job per job that asked for a callback. */
export const WEBHOOK_QUEUE = 'webhooks';
