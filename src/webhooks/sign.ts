/**
 * Standard Webhooks signatures (standard-webhooks/standard-webhooks, spec/standard-webhooks.md,
 * "Signature scheme" and "Webhook headers"): the signed content is `${msg_id}.${timestamp}.${body}`,
 * signed with HMAC-SHA256 under the secret's key (the base64-decoded part of `whsec_...`), sent as
 * `webhook-signature: v1,<base64 signature>` beside `webhook-id` and `webhook-timestamp` (Unix
 * seconds of the attempt). The id stays the same on every retry; the timestamp is the attempt's.
 */
import { createHmac } from 'node:crypto';

export function sign(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The three headers of one delivery attempt. */
export function webhookHeaders(
  key: Buffer,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': sign(key, id, timestampSeconds, body),
  };
}

/** The webhook id of a job's final-state event: one per job, so a receiver dedupes on it. */
export function webhookId(jobId: string): string {
  return `msg_${jobId}`;
}
