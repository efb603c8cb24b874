/**
 * The API's view of jobs: create, read, cancel. Backed by one BullMQ queue per kind on a
 * fail-fast producer connection. A Redis that is not ready answers ProblemError 503 at once.
 */
import { randomUUID } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobKind } from '../contracts/job.js';
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
}

export function redisUnavailable(cause?: unknown): ProblemError {
  const why = cause instanceof Error ? ` (${cause.message})` : '';
  return new ProblemError(503, 'queue_unavailable', 'Queue unavailable',
    `the job queue (Redis) is not reachable right now${why}; nothing was queued, retry shortly`, [], { 'retry-after': '2' });
}

export class JobStore {
  private readonly queues = new Map<JobKind, Queue>();

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

  async workerCount(kind: JobKind): Promise<number> {
    const q = this.queue(kind);
    return this.guard(() => q.getWorkersCount());
  }

  async close(): Promise<void> {
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
