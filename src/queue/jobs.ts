/**
 * The API's view of jobs: create, read, list, cancel, delete. Backed by one BullMQ queue per kind on a
 * fail-fast producer connection. A Redis that is not ready answers ProblemError 503 at once.
 *
 * Every path is a constant number of round trips: creating is one admission script (quota, queue
 * depth, index), one BullMQ add and the job's fair placement among the waiting jobs (fairness.ts),
 * in one MULTI shared by the admissions of one event-loop turn; reading is one HGETALL (the state is read from the
 * job's own
 * hash, never by scanning the wait list); listing reads only the fields a list item needs, never
 * results; canceling is one script that decides cancel-or-finished atomically.
 * Creating is preceded by the job's storage reservation (src/storage/: the request's bytes in the
 * owner's quota, one more script and round trip, released when the admission refuses).
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobKind } from '../kinds/registry.js';
import { ProblemError } from '../contracts/problems.js';
import { inflightMember, outcomeOf, queueAdmit, withAdmission } from './admission.js';
import { GroupCommit, UncertainCommit, type AdmissionTransaction } from './group-commit.js';
import { MAX_PRIORITY, queuePlace, withFairness } from './fairness.js';
export { stateOf, type JobRecord } from './job-record.js';
import { JobEventHub, type JobEventListener } from './job-events.js';
import { redisKeys, type RedisKey, type RedisKeys } from './keys.js';
import { queueName } from './names.js';
import { jobRecord, numField, parseResult, type JobRecord } from './job-record.js';
import { resultJson } from './stored-result.js';
import { pendingMember } from '../webhooks/queue.js';
import { bytesOf, itemOfJob, StorageQuota } from '../storage/quota.js';
import type { Limits } from '../config.js';

type AdmitTransaction = AdmissionTransaction & Parameters<typeof queueAdmit>[0] & Parameters<typeof queuePlace>[0];
export type { JobEvent, JobEventListener } from './job-events.js';

export interface JobData<R = unknown> {
  kind: JobKind;
  request: R;
  owner: string;
}

export interface JobStoreOptions {
  prefix: string;
  resultTtlSeconds: number;
  /** LIMIT_JOBS_PER_KEY: jobs one owner may have queued or running; unset = no limit */
  jobsPerOwner?: number;
  /** LIMIT_QUEUE_DEPTH: jobs queued or running in the whole service; unset = no limit */
  queueDepth?: number;
  /** the shared backstop poll of followed jobs (SSE), ms */
  backstopMs?: number;
  /**
   * REDIS_WAIT_REPLICAS: after each admission MULTI, WAIT until this many replicas hold it before
   * answering 202 (0 or unset: no WAIT). With Sentinel this is what makes an acknowledged job
   * survive the primary's loss: replication is asynchronous, and a failover promotes a replica.
   */
  waitReplicas?: number;
  /** REDIS_WAIT_TIMEOUT_MS: the WAIT's timeout, ms */
  waitTimeoutMs?: number;
  /** called when a WAIT timed out with fewer replicas (the jobs are accepted on the primary alone) */
  onReplicationShortfall?: (acked: number, wanted: number) => void;
  /** per-kind retention (RESULT_TTL_S_<KIND>), seconds; unset = resultTtlSeconds */
  retention?: (kind: JobKind) => number;
  /** the storage quota's limits (src/storage/); unset = jobs are not counted */
  storage?: Pick<Limits, 'storageBytesPerKey' | 'redisMemoryFraction' | 'redisMemoryBytes'>;
  /** fair order between owners within each queue (fairness.ts); false = first in, first out (benchmarks compare) */
  fair?: boolean;
  /** the highest priority fairness hands out before it rebases (tests); BullMQ's limit by default */
  fairMaxPriority?: number;
}

/**
 * 503 when Redis cannot be used. The cause rides along as `cause` for the log (errors.ts logs
 * it), never in the detail: Redis error texts (EXECABORT..., Command timed out) describe internals.
 */
export function redisUnavailable(cause?: unknown): ProblemError {
  const err = new ProblemError(
    503,
    'queue_unavailable',
    'Queue unavailable',
    'the job queue is not reachable right now; nothing was queued, retry shortly',
    [],
    { 'retry-after': '2' },
  );
  if (cause !== undefined) (err as { cause?: unknown }).cause = cause;
  return err;
}

/**
 * 503 when Redis went away while the job's admission was in flight (UncertainCommit): the job may
 * have been queued under the id it was given. `Location` names it: GET there tells (404: it was
 * not queued; retry then).
 */
export function redisUncertain(kind: JobKind, id: string, cause: unknown): ProblemError {
  const err = new ProblemError(
    503,
    'queue_unavailable',
    'Queue unavailable',
    `the job queue failed while this job was being stored, so it may have been queued as job ${id}: GET /v1/${kind}/${id} tells ` +
      '(404: it was not queued); retry only then',
    [],
    { 'retry-after': '2', location: `/v1/${kind}/${id}` },
  );
  (err as { cause?: unknown }).cause = cause;
  return err;
}

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

export class JobStore {
  private readonly queues = new Map<JobKind, Queue>();
  private readonly reading = new Map<string, Promise<JobRecord | null>>();
  /** admissions of one event-loop turn share one MULTI; every queue's client wraps this.redis */
  private readonly commits = new GroupCommit<AdmitTransaction>(
    async () => {
      const q = this.queues.values().next().value;
      if (!q || !this.ready()) throw redisUnavailable();
      // BullMQ's client (public: queue.getBackend().client) wraps the transaction so Job#addJob can queue on it
      const client = (await q.getBackend().client) as unknown as { multi(): AdmitTransaction };
      return client.multi();
    },
    256,
    () => this.replicated(),
  );
  readonly events: JobEventHub;
  /** the per-owner storage quota and the memory guard, shared by every store on this connection (null: not counted) */
  readonly storage: StorageQuota | null;

  /** every key this store reads or writes (keys.ts) */
  readonly keys: RedisKeys;

  constructor(
    readonly redis: Redis,
    private readonly opts: JobStoreOptions,
  ) {
    this.keys = redisKeys(opts.prefix);
    withAdmission(redis);
    this.storage = opts.storage ? new StorageQuota(redis, opts.prefix, opts.storage) : null;
    withFairness(redis);
    this.events = new JobEventHub(redis, opts.prefix, opts.backstopMs);
    redis.on('ready', () => void this.loadScripts());
  }

  /**
   * Loads every script defined on the connection (ours and BullMQ's) into the Redis it reaches now.
   * ioredis sends a script's body (EVAL) once per socket, then only its SHA; when that EVAL sat in a
   * MULTI that Redis discarded (EXECABORT, e.g. NOREPLICAS while a promoted primary has no replica
   * yet), the socket counts the script as loaded though the server never ran it, and every later
   * admission would fail NOSCRIPT. Run on each (re)connection — a restarted or promoted primary has
   * an empty script cache — and after any NOSCRIPT.
   */
  private async loadScripts(): Promise<void> {
    const scripts = Object.values(
      (this.redis as unknown as { scriptsSet: Record<string, { lua: string }> }).scriptsSet ?? {},
    );
    await Promise.all(scripts.map((s) => this.redis.script('LOAD', s.lua))).catch(() => undefined);
  }

  /**
   * WAIT for the replicas (on the connection that ran the MULTI: WAIT covers every write this
   * client made before it). A WAIT that times out short of them still accepts the jobs: they are
   * on the primary's fsynced AOF, and answering 503 would invite a retry that runs them twice.
   * A WAIT that fails (the primary died) fails the batch: 503, as when the EXEC's reply is lost.
   */
  private async replicated(): Promise<void> {
    const wanted = this.opts.waitReplicas ?? 0;
    if (wanted <= 0) return;
    const acked = Number(await this.redis.call('WAIT', wanted, this.opts.waitTimeoutMs ?? 1000));
    if (acked < wanted) this.opts.onReplicationShortfall?.(acked, wanted);
  }

  ready(): boolean {
    return this.redis.status === 'ready';
  }

  private queue(kind: JobKind): Queue {
    if (!this.ready()) throw redisUnavailable();
    let q = this.queues.get(kind);
    if (!q) {
      q = new Queue(queueName(kind), { connection: this.redis, prefix: this.opts.prefix, skipVersionCheck: true });
      q.on('error', () => {
        /* connection errors surface per request as 503 */
      });
      this.queues.set(kind, q);
    }
    return q;
  }

  /** How long a finished job of `kind` is kept, seconds. */
  retention(kind: JobKind): number {
    return this.opts.retention?.(kind) ?? this.opts.resultTtlSeconds;
  }

  /** BullMQ's hash key of a job (`<prefix>:<queue>:<id>`). */
  jobKey(kind: JobKind, id: string): RedisKey {
    return this.keys.job(kind, id);
  }

  /** Runs a Redis operation; connection-level failures become 503 problems (the cause is logged, not sent). */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      if (err instanceof Error && err.message.includes('NOSCRIPT')) void this.loadScripts();
      throw redisUnavailable(err);
    }
  }

  /**
   * Admits and queues in one MULTI (one round trip): the admission script (quota, queue depth,
   * index), then BullMQ's add of the job, which adds nothing when the script refused (see
   * admission.ts), then the job's placement among the waiting jobs, fair between owners
   * (fairness.ts). All or nothing: no admitted job without its queue entry, even across a crash.
   * Admissions of the same event-loop turn share the MULTI (group-commit.ts).
   */
  async create(kind: JobKind, request: unknown, owner: string, opts: { webhook?: boolean } = {}): Promise<JobRecord> {
    const q = this.queue(kind);
    const id = randomUUID();
    const data: JobData = { kind, request, owner };
    const perOwner = this.opts.jobsPerOwner ?? 0;
    const depth = this.opts.queueDepth ?? Number.MAX_SAFE_INTEGER;
    const ttl = this.retention(kind);
    const fair = this.opts.fair !== false;
    const job = new Job<JobData>(
      q,
      kind,
      data,
      {
        jobId: id,
        attempts: 1,
        removeOnComplete: { age: ttl },
        removeOnFail: { age: ttl },
        // a placeholder: the placement below gives the job its fair priority in the same MULTI
        ...(fair ? { priority: MAX_PRIORITY } : {}),
      },
      id,
    );
    const limits = { perOwner, depth, ttlSeconds: ttl };
    // the request counts in the owner's storage quota from admission (its result when the worker stores it;
    // until the job finishes the entry lasts twice the retention, like the owner's job index)
    const storage = this.storage;
    const item = itemOfJob(kind, id);
    if (storage)
      await this.guard(() =>
        storage.reserve(owner, item, bytesOf(JSON.stringify(data), id), Date.now() + 2 * ttl * 1000),
      );
    const unreserve = () => storage?.release(owner, item).catch(() => undefined);
    const [admitted] = await this.guard(() =>
      this.commits
        .submit({
          admit: (tx) => queueAdmit(tx, this.opts.prefix, kind, id, owner, limits),
          add: (tx) => job.addJob(tx as never),
          // after the add: the job's fair place among the waiting jobs (fairness.ts)
          also: (tx) => {
            if (fair)
              queuePlace(tx, kind, id, owner, {
                prefix: this.opts.prefix,
                ttlSeconds: ttl,
                maxPriority: this.opts.fairMaxPriority,
              });
            // a job with a callback_url waits in the webhook reconciler's pending set until its delivery is queued
            // (an entry of a refused job has no job hash behind it: the reconciler drops it)
            if (opts.webhook) {
              (tx as unknown as { zadd(k: string, score: number, m: string): void }).zadd(
                this.keys.webhookPending(),
                Date.now(),
                pendingMember(kind, id),
              );
            }
          },
        })
        .catch((err: unknown) => {
          throw err instanceof UncertainCommit ? redisUncertain(kind, id, err.cause) : err;
        }),
    ).catch(async (err) => {
      await unreserve();
      throw err;
    });
    const outcome = outcomeOf(admitted as [number, number]);
    if (!outcome.ok) await unreserve();
    if (!outcome.ok && outcome.reason === 'owner') {
      throw new ProblemError(
        429,
        'too_many_jobs',
        'Too many jobs',
        `you have ${outcome.count} jobs queued or running, the limit per API key is ${perOwner} (LIMIT_JOBS_PER_KEY); wait for some to finish or cancel them`,
        [],
        { 'retry-after': '5' },
      );
    }
    if (!outcome.ok) {
      throw new ProblemError(
        503,
        'queue_full',
        'Queue full',
        `the service has ${outcome.count} jobs queued or running, its limit is ${depth} (LIMIT_QUEUE_DEPTH); nothing was queued, retry later`,
        [],
        { 'retry-after': '30' },
      );
    }
    return this.toRecord(kind, job, false);
  }

  async get(kind: JobKind, id: string, owner?: string): Promise<JobRecord | null> {
    const rec = await this.read(kind, id);
    return rec && (owner === undefined || rec.owner === owner) ? rec : null;
  }

  /**
   * One read per job at a time: concurrent reads of the same job (the streams that follow it, all
   * woken by one event) share the HGETALL and the parse of its result.
   */
  private read(kind: JobKind, id: string): Promise<JobRecord | null> {
    const key = `${kind}/${id}`;
    const pending = this.reading.get(key);
    if (pending) return pending;
    const q = this.queue(kind);
    const p = this.guard(async () => {
      // one HGETALL: state, timestamps and result come from the same snapshot of the job's hash
      const [job, canceled] = await Promise.all([
        q.getJob(id) as Promise<Job<JobData> | undefined>,
        this.redis.exists(this.keys.cancel(id)),
      ]);
      if (!job || !job.data) return null;
      return this.toRecord(kind, job, canceled === 1);
    }).finally(() => this.reading.delete(key));
    this.reading.set(key, p);
    return p;
  }

  /**
   * A job with its result as the stored JSON text (bytes, see stored-result.ts) instead of a parsed
   * object: GET /v1/{kind}/{id}, plot.svg and curve.csv never parse or serialise a result on the
   * event loop. `rec.result` is null; `result` is the text when the job succeeded.
   */
  async getStored(
    kind: JobKind,
    id: string,
    owner?: string,
  ): Promise<{ rec: JobRecord; result: Buffer | null } | null> {
    this.queue(kind); // 503 at once when Redis is not ready
    const key = this.jobKey(kind, id);
    const rows = await this.guard(async () => {
      // one round trip, in one MULTI: the fields of the record, the result's bytes, the cancel flag
      const res = await this.redis
        .multi()
        .hmget(key, 'data', 'timestamp', 'processedOn', 'finishedOn', 'failedReason', 'progress')
        .hgetBuffer(key, 'returnvalue')
        .exists(this.keys.cancel(id))
        .exec();
      if (!res) throw new Error('job read aborted');
      return res.map(([err, v]) => {
        if (err) throw err;
        return v;
      });
    });
    const [data, timestamp, processedOn, finishedOn, failedReason, progress] = rows[0] as (string | null)[];
    if (data === null || timestamp === null) return null;
    const job = JSON.parse(data) as JobData;
    if (!job || (owner !== undefined && job.owner !== owner)) return null;
    const rec = jobRecord({
      id,
      kind,
      timestamp: Number(timestamp),
      processedOn: numField(processedOn),
      finishedOn: numField(finishedOn),
      failedReason,
      progress,
      cancelRequested: rows[2] === 1,
      request: job.request,
      owner: job.owner,
    });
    return { rec, result: rec.status === 'succeeded' ? resultJson(rows[1] as Buffer | null) : null };
  }

  /**
   * Requests a cancel. One script decides: a job that already finished is a 409 naming its state;
   * otherwise the flag is set (queued jobs never start, running ones stop within about a second)
   * and the job's final state is `canceled` whatever happens after — the answer never changes.
   */
  async cancel(kind: JobKind, id: string, owner?: string): Promise<JobRecord | null> {
    const before = await this.get(kind, id, owner);
    if (!before) return null;
    const outcome = await this.guard(() =>
      withAdmission(this.redis).lrfCancel(
        this.jobKey(kind, id),
        this.keys.cancel(id),
        this.keys.ownerInflight(before.owner),
        this.keys.inflight(),
        this.keys.bullmq(kind, 'completed'),
        this.retention(kind) + 3600,
        inflightMember(kind, id, before.owner),
        id,
      ),
    );
    if (outcome === 'missing') return null;
    if (outcome === 'completed' || outcome === 'failed') {
      const status = outcome === 'completed' ? 'succeeded' : 'failed';
      throw new ProblemError(
        409,
        'job_finished',
        'Job already finished',
        `job ${id} already ${status}; there is nothing to cancel`,
      );
    }
    await this.guard(() => this.redis.publish(this.keys.cancelChannel(), id));
    this.events.notify(id, { type: 'state', event: 'canceled' });
    return this.get(kind, id, owner);
  }

  /**
   * Deletes a finished job of the owner's (its request, result, summary and index entry) and
   * releases its storage. null when it is not the owner's (or gone); 409 `job_not_finished` while
   * it is queued or running (cancel it first).
   */
  async remove(kind: JobKind, id: string, owner: string): Promise<true | null> {
    const rec = await this.get(kind, id, owner);
    if (!rec) return null;
    if (rec.finished_at === null) {
      throw new ProblemError(
        409,
        'job_not_finished',
        'Job not finished',
        `job ${id} is ${rec.status}; only a finished job can be deleted (cancel it first, then delete it once it is canceled)`,
        [],
        { 'retry-after': '1' },
      );
    }
    const q = this.queue(kind);
    await this.guard(async () => {
      await q.remove(id);
      await this.redis
        .multi()
        .del(this.keys.summary(id), this.keys.cancel(id))
        .zrem(this.keys.ownerJobs(kind, owner), id)
        .exec();
      await this.storage?.release(owner, itemOfJob(kind, id));
    });
    return true;
  }

  /**
   * The owner's jobs of a kind, newest first, `limit` per page. Reads only what an item shows
   * (timestamps, state fields, progress, the stored summary, and the request when it is at most
   * `requestMaxBytes`), never results. Index entries whose job is gone are skipped and removed.
   */
  async list(
    kind: JobKind,
    owner: string,
    opts: { limit: number; cursor?: JobCursor | null; requestMaxBytes: number },
  ): Promise<JobPage> {
    this.queue(kind); // 503 at once when Redis is not ready
    const key = this.keys.ownerJobs(kind, owner);
    const limit = Math.max(1, Math.floor(opts.limit));
    return this.guard(async () => {
      const items: JobRecord[] = [];
      let after: JobCursor | null = opts.cursor ?? null;
      for (let round = 0; round < 5 && items.length < limit; round++) {
        const want = limit - items.length + 1;
        // members sharing the cursor's score come in reverse lexicographic order: skip those seen
        const ties = after ? await this.redis.zcount(key, after.at, after.at) : 0;
        const flat = await this.redis.zrevrangebyscore(
          key,
          after ? after.at : '+inf',
          '-inf',
          'WITHSCORES',
          'LIMIT',
          0,
          want + ties,
        );
        const entries: JobCursor[] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          const e = { id: flat[i], at: Number(flat[i + 1]) };
          if (after && e.at === after.at && e.id >= after.id) continue;
          entries.push(e);
        }
        if (entries.length === 0) return { items, next: null };
        const batch = entries.slice(0, limit - items.length);
        const recs = await this.listRecords(
          kind,
          owner,
          batch.map((e) => e.id),
          opts.requestMaxBytes,
        );
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

  /** Two pipelined round trips for a page: the small fields (and the request's size), then the small requests. */
  private async listRecords(
    kind: JobKind,
    owner: string,
    ids: string[],
    requestMaxBytes: number,
  ): Promise<(JobRecord | null)[]> {
    const p = this.redis.pipeline();
    for (const id of ids) {
      p.hmget(this.jobKey(kind, id), 'timestamp', 'processedOn', 'finishedOn', 'failedReason', 'progress');
      p.hstrlen(this.jobKey(kind, id), 'data');
      p.exists(this.keys.cancel(id));
      p.get(this.keys.summary(id));
    }
    const rows = ((await p.exec()) ?? []).map(([err, v]) => {
      if (err) throw err;
      return v;
    });
    // data = {kind, request, owner}: its envelope adds a few dozen bytes to the request
    const small = ids.filter(
      (_, i) => (rows[i * 4 + 1] as number) > 0 && (rows[i * 4 + 1] as number) <= requestMaxBytes + 512,
    );
    const requests = new Map<string, unknown>();
    if (small.length) {
      const p2 = this.redis.pipeline();
      for (const id of small) p2.hget(this.jobKey(kind, id), 'data');
      const got = (await p2.exec()) ?? [];
      small.forEach((id, i) => {
        const raw = got[i]?.[1];
        if (typeof raw === 'string') requests.set(id, (JSON.parse(raw) as JobData).request);
      });
    }
    return ids.map((id, i) => {
      const [timestamp, processedOn, finishedOn, failedReason, progress] = rows[i * 4] as (string | null)[];
      if (timestamp === null) return null;
      const rec = jobRecord({
        id,
        kind,
        timestamp: Number(timestamp),
        processedOn: numField(processedOn),
        finishedOn: numField(finishedOn),
        failedReason,
        progress,
        cancelRequested: rows[i * 4 + 2] === 1,
        request: requests.get(id) ?? null,
        owner,
      });
      const summary =
        rec.status === 'succeeded' && typeof rows[i * 4 + 3] === 'string'
          ? (JSON.parse(rows[i * 4 + 3] as string) as Record<string, unknown>)
          : null;
      return { ...rec, summary };
    });
  }

  /** Follows a job's events (progress, state changes) through the process's one event hub. Returns unsubscribe. */
  subscribe(kind: JobKind, id: string, listener: JobEventListener): () => void {
    this.queue(kind);
    return this.events.subscribe(kind, id, listener);
  }

  async workerCount(kind: JobKind): Promise<number> {
    const q = this.queue(kind);
    return this.guard(() => q.getWorkersCount());
  }

  async close(): Promise<void> {
    await this.events.close();
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }

  private toRecord(kind: JobKind, job: Job<JobData>, cancelRequested: boolean): JobRecord {
    return jobRecord(
      {
        id: job.id as string,
        kind,
        timestamp: job.timestamp,
        processedOn: job.processedOn,
        finishedOn: job.finishedOn,
        failedReason: job.failedReason,
        progress: job.progress,
        cancelRequested,
        request: job.data.request,
        owner: job.data.owner,
      },
      (status) => (status === 'succeeded' ? parseResult(job.returnvalue) : null),
    );
  }
}

/** The store's options from the configuration. */
export function jobStoreOptions(config: {
  queuePrefix: string;
  resultTtlSeconds: number;
  retention?: ReadonlyMap<string, number>;
  limits: { jobsPerKey: number; queueDepth: number } & Partial<
    Pick<Limits, 'storageBytesPerKey' | 'redisMemoryFraction' | 'redisMemoryBytes'>
  >;
  redisWaitReplicas?: number;
  redisWaitTimeoutMs?: number;
}): JobStoreOptions {
  const { storageBytesPerKey, redisMemoryFraction, redisMemoryBytes } = config.limits;
  return {
    prefix: config.queuePrefix,
    resultTtlSeconds: config.resultTtlSeconds,
    jobsPerOwner: config.limits.jobsPerKey,
    queueDepth: config.limits.queueDepth,
    waitReplicas: config.redisWaitReplicas,
    waitTimeoutMs: config.redisWaitTimeoutMs,
    retention: (kind) => config.retention?.get(kind) ?? config.resultTtlSeconds,
    ...(storageBytesPerKey !== undefined && redisMemoryFraction !== undefined && redisMemoryBytes !== undefined
      ? { storage: { storageBytesPerKey, redisMemoryFraction, redisMemoryBytes } }
      : {}),
  };
}
