/**
 * The API's view of jobs: create, read, cancel. Backed by one BullMQ queue per kind on a
 * fail-fast producer connection. A Redis that is not ready answers ProblemError 503 at once.
 */
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobKind } from '../kinds/registry.js';
import { ProblemError } from '../contracts/problems.js';
import { cancelChannel, cancelKey, queueName } from './names.js';
import { apiStatus, parseFailure, type ApiStatus } from './status.js';

export interface JobData<R = unknown> {
  kind: JobKind;
  request: R;
  owner: string;
}

export interface JobRecord {
  id: string;
  kind: JobKind;
  status: ApiStatus;
  progress: Record<string, unknown> | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  request: unknown;
  result: unknown;
  failure: { code: string; message: string } | null;
  owner: string;
}

export interface JobStoreOptions {
  prefix: string;
  resultTtlSeconds: number;
  /** LIMIT_JOBS_PER_KEY: jobs one owner may have queued or running; unset = no limit */
  jobsPerOwner?: number;
}

export function redisUnavailable(cause?: unknown): ProblemError {
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return new ProblemError(503, 'queue_unavailable', 'Queue unavailable',
    `the job queue (Redis) is not reachable right now${why}; nothing was queued, retry shortly`, [], { 'retry-after': '2' });
}

/** What a job-event listener hears: a progress point, or a hint that the job's state changed. */
export type JobEvent =
  | { type: 'progress'; data: unknown }
  | { type: 'state'; event: 'active' | 'completed' | 'failed' | 'waiting' | 'removed' };

export type JobEventListener = (event: JobEvent) => void;

/** One page of an owner's jobs of one kind, newest first. */
export interface JobPage {
  items: JobRecord[];
  /** position after the last item, or null when there are no more */
  next: JobCursor | null;
}

export interface JobCursor {
  /** creation time, ms (the sorted-set score) */
  at: number;
  id: string;
}

/** Sorted set (member `kind/id`) of one owner's jobs that may still be queued or running (LIMIT_JOBS_PER_KEY). */
export function inflightKey(prefix: string, owner: string): string {
  return `${prefix}:lrf:owner-inflight:${encodeURIComponent(owner)}`;
}

/** Sorted set (score = creation ms) of one owner's jobs of one kind: GET /v1/{kind}. */
export function ownerIndexKey(prefix: string, kind: JobKind, owner: string): string {
  return `${prefix}:lrf:owner-jobs:${kind}:${encodeURIComponent(owner)}`;
}

interface EventHub {
  events: QueueEvents;
  connection: Redis;
  listeners: Map<string, Set<JobEventListener>>;
}

export class JobStore {
  private readonly queues = new Map<JobKind, Queue>();
  private readonly hubs = new Map<JobKind, EventHub>();

  constructor(readonly redis: Redis, private readonly opts: JobStoreOptions) {}

  ready(): boolean {
    return this.redis.status === 'ready';
  }

  private queue(kind: JobKind): Queue {
    if (!this.ready()) throw redisUnavailable();
    let q = this.queues.get(kind);
    if (!q) {
      q = new Queue(queueName(kind), { connection: this.redis, prefix: this.opts.prefix, skipVersionCheck: true });
      q.on('error', () => { /* connection errors surface per request as 503 */ });
      this.queues.set(kind, q);
    }
    return q;
  }

  /** Runs a Redis operation; connection-level failures become 503 problems. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      throw redisUnavailable(err);
    }
  }

  async create(kind: JobKind, request: unknown, owner: string): Promise<JobRecord> {
    const q = this.queue(kind);
    const id = randomUUID();
    const data: JobData = { kind, request, owner };
    // The owner's index entry goes first: if the add then fails nothing was queued and the
    // dangling entry is skipped (and removed) by list(); the reverse order could queue a job
    // and still answer 503.
    if (this.opts.jobsPerOwner) await this.guard(() => this.admit(owner, this.opts.jobsPerOwner!));
    await this.guard(() => this.indexJob(kind, owner, id));
    if (this.opts.jobsPerOwner) {
      const key = inflightKey(this.opts.prefix, owner);
      await this.guard(() => this.redis.multi().zadd(key, String(Date.now()), `${kind}/${id}`).expire(key, this.opts.resultTtlSeconds).exec());
    }
    const job = await this.guard(() => q.add(kind, data, {
      jobId: id,
      attempts: 1,
      removeOnComplete: { age: this.opts.resultTtlSeconds },
      removeOnFail: { age: this.opts.resultTtlSeconds },
    }));
    return this.toRecord(kind, job as Job<JobData>, 'waiting', false);
  }

  async get(kind: JobKind, id: string, owner?: string): Promise<JobRecord | null> {
    const q = this.queue(kind);
    return this.guard(async () => {
      // State first, then the hash: a job seen `completed` already has its returnvalue (BullMQ
      // writes both in one script), so a record never says succeeded without its result.
      const [state, canceled] = await Promise.all([q.getJobState(id), this.redis.exists(cancelKey(this.opts.prefix, id))]);
      if (state === 'unknown') return null;
      const job = (await q.getJob(id)) as Job<JobData> | undefined;
      if (!job || (owner !== undefined && job.data.owner !== owner)) return null;
      return this.toRecord(kind, job, state, canceled === 1);
    });
  }

  /** Requests a cancel: queued jobs never start, running ones stop within about a second. */
  async cancel(kind: JobKind, id: string, owner?: string): Promise<JobRecord | null> {
    const before = await this.get(kind, id, owner);
    if (!before) return null;
    if (before.status === 'succeeded' || before.status === 'failed') {
      throw new ProblemError(409, 'job_finished', 'Job already finished',
        `job ${id} already ${before.status}; there is nothing to cancel`);
    }
    if (before.status === 'canceled') return before;
    await this.guard(async () => {
      await this.redis.set(cancelKey(this.opts.prefix, id), '1', 'EX', this.opts.resultTtlSeconds + 3600);
      await this.redis.publish(cancelChannel(this.opts.prefix), id);
    });
    return this.get(kind, id, owner);
  }

  /**
   * Admission control: refuses (429) a new job when the owner already has `limit` jobs queued
   * or running. Finished or expired entries are pruned here, so the set stays about `limit` long.
   * Concurrent requests of one owner may overshoot by the number racing.
   */
  private async admit(owner: string, limit: number): Promise<void> {
    const key = inflightKey(this.opts.prefix, owner);
    const members = await this.redis.zrange(key, '0', '-1');
    if (members.length < limit) return;
    const states = await Promise.all(members.map((m) => {
      const [kind, id] = m.split('/') as [JobKind, string];
      return this.queue(kind).getJobState(id);
    }));
    const canceled = await Promise.all(members.map((m) => this.redis.exists(cancelKey(this.opts.prefix, m.split('/')[1]))));
    const done = members.filter((_, i) => states[i] === 'completed' || states[i] === 'failed' || states[i] === 'unknown' || canceled[i] === 1);
    if (done.length) await this.redis.zrem(key, ...done);
    const inflight = members.length - done.length;
    if (inflight >= limit) {
      throw new ProblemError(429, 'too_many_jobs', 'Too many jobs',
        `you have ${inflight} jobs queued or running, the limit per API key is ${limit} (LIMIT_JOBS_PER_KEY); wait for some to finish or cancel them`,
        [], { 'retry-after': '5' });
    }
  }

  private async indexJob(kind: JobKind, owner: string, id: string): Promise<void> {
    const key = ownerIndexKey(this.opts.prefix, kind, owner);
    const now = Date.now();
    const ttl = this.opts.resultTtlSeconds;
    // entries older than twice the result TTL can only point at removed jobs
    await this.redis.multi()
      .zadd(key, now, id)
      .zremrangebyscore(key, '-inf', now - 2 * ttl * 1000)
      .expire(key, 2 * ttl)
      .exec();
  }

  /**
   * The owner's jobs of a kind, newest first, `limit` per page. Index entries whose job is gone
   * (expired or never queued) are skipped and removed.
   */
  async list(kind: JobKind, owner: string, opts: { limit: number; cursor?: JobCursor | null }): Promise<JobPage> {
    this.queue(kind); // 503 at once when Redis is not ready
    const key = ownerIndexKey(this.opts.prefix, kind, owner);
    const limit = Math.max(1, Math.floor(opts.limit));
    return this.guard(async () => {
      const items: JobRecord[] = [];
      let after: JobCursor | null = opts.cursor ?? null;
      for (let round = 0; round < 5 && items.length < limit; round++) {
        const want = limit - items.length + 1;
        // members sharing the cursor's score come in reverse lexicographic order: skip those seen
        const ties = after ? await this.redis.zcount(key, after.at, after.at) : 0;
        const flat = await this.redis.zrevrangebyscore(key, after ? after.at : '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, want + ties);
        const entries: JobCursor[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const e = { id: flat[i], at: Number(flat[i + 1]) };
          if (after && e.at === after.at && e.id >= after.id) continue;
          entries.push(e);
        }
        if (entries.length === 0) return { items, next: null };
        const batch = entries.slice(0, limit - items.length);
        const recs = await Promise.all(batch.map((e) => this.get(kind, e.id, owner)));
        const gone: string[] = [];
        recs.forEach((r, i) => (r ? items.push(r) : gone.push(batch[i].id)));
        if (gone.length) await this.redis.zrem(key, ...gone);
        after = batch[batch.length - 1];
        if (items.length >= limit) return { items, next: entries.length > batch.length ? after : null };
        if (entries.length < want) return { items, next: null };
      }
      return { items, next: items.length > 0 || after ? after : null };
    });
  }

  /**
   * Listens to a job's BullMQ events (progress, active, completed, failed) over the queue's event
   * stream. One QueueEvents per kind, created on first use on its own blocking connection. Events
   * are hints delivered at most once; callers re-read the job for its state. Returns unsubscribe.
   */
  subscribe(kind: JobKind, id: string, listener: JobEventListener): () => void {
    const hub = this.hub(kind);
    let set = hub.listeners.get(id);
    if (!set) hub.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => {
      const s = hub.listeners.get(id);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) hub.listeners.delete(id);
    };
  }

  private hub(kind: JobKind): EventHub {
    let hub = this.hubs.get(kind);
    if (hub) return hub;
    // XREAD BLOCK needs a connection without a command timeout that waits across reconnects
    const connection = this.redis.duplicate({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      commandTimeout: undefined,
      lazyConnect: false,
    });
    connection.on('error', () => { /* reconnects by itself; SSE streams also poll */ });
    const events = new QueueEvents(queueName(kind), { connection, prefix: this.opts.prefix, skipVersionCheck: true });
    events.on('error', () => undefined);
    const listeners = new Map<string, Set<JobEventListener>>();
    const dispatch = (jobId: string, ev: JobEvent) => {
      const set = listeners.get(jobId);
      if (set) for (const l of [...set]) l(ev);
    };
    events.on('progress', ({ jobId, data }) => dispatch(jobId, { type: 'progress', data }));
    for (const name of ['active', 'completed', 'failed', 'waiting', 'removed'] as const) {
      events.on(name, (args: { jobId: string }) => dispatch(args.jobId, { type: 'state', event: name }));
    }
    hub = { events, connection, listeners };
    this.hubs.set(kind, hub);
    return hub;
  }

  async workerCount(kind: JobKind): Promise<number> {
    const q = this.queue(kind);
    return this.guard(() => q.getWorkersCount());
  }

  async close(): Promise<void> {
    const hubs = [...this.hubs.values()];
    this.hubs.clear();
    await Promise.allSettled(hubs.map(async (h) => {
      h.listeners.clear();
      await h.events.close();
      h.connection.disconnect();
    }));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }

  private toRecord(kind: JobKind, job: Job<JobData>, state: string, cancelRequested: boolean): JobRecord {
    const status = apiStatus(state, cancelRequested, job.failedReason);
    const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);
    const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as Record<string, unknown>) : null;
    return {
      id: job.id as string,
      kind,
      status,
      progress,
      created_at: new Date(job.timestamp).toISOString(),
      started_at: iso(job.processedOn),
      finished_at: state === 'completed' || state === 'failed' ? iso(job.finishedOn) : null,
      request: job.data.request,
      result: state === 'completed' ? (job.returnvalue ?? null) : null,
      failure: state === 'failed' ? parseFailure(job.failedReason) : null,
      owner: job.data.owner,
    };
  }
}
