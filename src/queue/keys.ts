/**
 * Every Redis key the service uses, built in one place from the configured prefix (QUEUE_PREFIX),
 * as BullMQ's QueueKeys (bullmq/src/classes/queue-keys.ts) builds its own: no other file writes a
 * key name (test/queue/redis-keys.test.ts checks it). Two families:
 *
 * BullMQ's keys, which our code reads or our scripts touch directly (BullMQ builds and owns them):
 *   `<prefix>:<queue>:<id>`           a job's hash (job)
 *   `<prefix>:<queue>:<type>`         a queue's own keys: `prioritized`, `completed`, ... (bullmq)
 *
 * Ours, all under `<prefix>:lrf:` (owners are URI-encoded, so a `:` in an API key cannot forge a key):
 *   cancel:<id>                       string: set while a cancel of job <id> was requested
 *   cancel                            pub/sub channel: cancel requests broadcast to every worker
 *   summary:<id>                      string: the headline of a finished job's result (job lists)
 *   fair:<queue>                      hash: a queue's fair-scheduling clock (v, top, base)
 *   fair-finish:<queue>               sorted set: owner → virtual finish tag of its last admitted job
 *   owner-inflight:<owner>            sorted set: an owner's jobs that may still run (LIMIT_JOBS_PER_KEY)
 *   inflight                          sorted set: every job that may still run (LIMIT_QUEUE_DEPTH)
 *   owner-jobs:<kind>:<owner>         sorted set: an owner's jobs of one kind (GET /v1/{kind})
 *   unused-placeholder                the job key `admit` is given when no job is added behind it
 *   storage:<owner>                   hash: the storage ledger, item → bytes and `#total`
 *   storage-exp:<owner>               sorted set: the storage ledger, item → expiry ms
 *   <session kind>:<id>               hash: a session (`sweep-session`, `lr-search-session`): v, doc
 *   dataset:<id>                      hash: an uploaded dataset (owner, meta, rows)
 *   owner-datasets:<owner>            sorted set: an owner's datasets by creation ms
 *   webhook-pending                   sorted set: `kind/id` of jobs whose webhook is not queued yet
 *   metrics:finished, metrics:duration  hashes: finished-job counters (finish-stats.ts)
 *   idem:<owner>:<sha256 of the key>  string: an Idempotency-Key's record
 *
 * With a hash-tagged prefix (`QUEUE_PREFIX={lrf}`, BullMQ's advice for Redis Cluster) every key
 * starts with the tag, so all of them hash to one slot (CONTRIBUTING.md, "A Redis connection").
 * Key names are data: renaming one orphans what is stored under the old name after an upgrade.
 */
import type { JobKind } from '../kinds/registry.js';

/** A key name made here; the script commands (scripts.ts) take only these. */
export type RedisKey = string & { readonly __redisKey: true };

/** One BullMQ queue per job kind, named after it. */
export function queueName(kind: JobKind): string {
  return kind;
}

/** The BullMQ queue types our code reads or our scripts write (bullmq QueueKeys.getKeys). */
export type BullKeyType = 'prioritized' | 'completed' | 'failed' | 'wait' | 'active' | 'delayed' | 'meta' | 'events';

const key = (s: string) => s as RedisKey;
const owned = (owner: string) => encodeURIComponent(owner);

export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** BullMQ's qualified queue name, `<prefix>:<queue>` (QueueKeys.getQueueQualifiedName). */
  queue(kind: JobKind): string {
    return `${this.prefix}:${queueName(kind)}`;
  }

  /** A BullMQ queue key (QueueKeys.toKey): `<prefix>:<queue>:<type>`. */
  bullmq(kind: JobKind, type: BullKeyType): RedisKey {
    return key(`${this.queue(kind)}:${type}`);
  }

  /** BullMQ's hash of job `id` (Job.toKey): `<prefix>:<queue>:<id>`. */
  job(kind: JobKind, id: string): RedisKey {
    return key(`${this.jobPrefix(kind)}${id}`);
  }

  /** What a job id is appended to for its hash (scripts that reach jobs by id). */
  jobPrefix(kind: JobKind): string {
    return `${this.queue(kind)}:`;
  }

  private ours(rest: string): RedisKey {
    return key(`${this.prefix}:lrf:${rest}`);
  }

  cancel(id: string): RedisKey {
    return this.ours(`cancel:${id}`);
  }

  cancelChannel(): string {
    return this.ours('cancel');
  }

  summary(id: string): RedisKey {
    return this.ours(`summary:${id}`);
  }

  /** a fanned-out job's carry from its task `taskId` to the task that continues from it (workers/fanout-task.ts) */
  carry(parentId: string, taskId: string): RedisKey {
    return this.ours(`carry:${parentId}:${taskId}`);
  }

  fairClock(kind: JobKind): RedisKey {
    return this.ours(`fair:${queueName(kind)}`);
  }

  fairFinish(kind: JobKind): RedisKey {
    return this.ours(`fair-finish:${queueName(kind)}`);
  }

  ownerInflight(owner: string): RedisKey {
    return this.ours(`owner-inflight:${owned(owner)}`);
  }

  inflight(): RedisKey {
    return this.ours('inflight');
  }

  ownerJobs(kind: JobKind, owner: string): RedisKey {
    return this.ours(`owner-jobs:${kind}:${owned(owner)}`);
  }

  admitPlaceholder(): RedisKey {
    return this.ours('unused-placeholder');
  }

  storage(owner: string): RedisKey {
    return this.ours(`storage:${owned(owner)}`);
  }

  storageExpiry(owner: string): RedisKey {
    return this.ours(`storage-exp:${owned(owner)}`);
  }

  /** A session's hash; `kind` is the session kind (`sweep-session`, `lr-search-session`). */
  session(kind: string, id: string): RedisKey {
    return this.ours(`${kind}:${id}`);
  }

  dataset(id: string): RedisKey {
    return this.ours(`dataset:${id}`);
  }

  ownerDatasets(owner: string): RedisKey {
    return this.ours(`owner-datasets:${owned(owner)}`);
  }

  webhookPending(): RedisKey {
    return this.ours('webhook-pending');
  }

  metricsFinished(): RedisKey {
    return this.ours('metrics:finished');
  }

  metricsDuration(): RedisKey {
    return this.ours('metrics:duration');
  }

  /** An Idempotency-Key's record; `keyHash` is the hex SHA-256 of the client's key. */
  idempotency(owner: string, keyHash: string): RedisKey {
    return this.ours(`idem:${owned(owner)}:${keyHash}`);
  }
}

const made = new Map<string, RedisKeys>();

/** The keys of one prefix (one instance per prefix, for code that is handed the prefix). */
export function redisKeys(prefix: string): RedisKeys {
  let k = made.get(prefix);
  if (!k) made.set(prefix, (k = new RedisKeys(prefix)));
  return k;
}
