/**
 * A job's place in its owner's storage quota (src/storage/), from the worker's side. The API
 * reserved the request at admission; here the job's final size is recorded:
 *
 * - a result: checked against the quota before it is stored (request + result JSON + summary).
 *   One that does not fit fails the job with `storage_quota_exceeded` — a terminal state with a
 *   clear code, the request kept, the result not stored. The result's size is not known before the
 *   job has run (LIMIT_RESULT_BYTES bounds it, but reserving 8 MiB per queued job would cap a key
 *   at a few dozen jobs), so it is checked when it exists.
 * - a failure (or cancel): the request and the failure's text, recorded whatever the quota
 *   (they are stored already), expiring with the job (RESULT_TTL_S or RESULT_TTL_S_<KIND>).
 */
import type { Job } from 'bullmq';
import { UnrecoverableError } from 'bullmq';
import { retentionOf, type Config } from '../src/config.js';
import type { RedisKey } from '../src/queue/keys.js';
import type { JobData } from '../src/queue/jobs.js';
import { failureReason } from '../src/queue/status.js';
import { bytesOf, itemOfJob, type StorageLedger } from '../src/storage/ledger.js';

const dataText = (job: Job<JobData>) => JSON.stringify(job.data);

/** Checks and records a job's bytes with its result; throws the job's failure when it does not fit. */
export async function storeResultBytes(
  ledger: StorageLedger,
  config: Readonly<Config>,
  job: Job<JobData>,
  json: string,
  summary: string | null,
): Promise<void> {
  const { kind, owner } = job.data;
  const bytes = bytesOf(dataText(job), json, summary, job.id);
  const o = await ledger.reserve(
    owner,
    itemOfJob(kind, job.id as string),
    bytes,
    Date.now() + retentionOf(config, kind) * 1000,
  );
  if (!o.ok) {
    throw new UnrecoverableError(
      failureReason(
        'storage_quota_exceeded',
        `the job with its result needs ${o.bytes} bytes; your API key stores ${o.total} bytes of its quota of ${o.limit} bytes (LIMIT_STORAGE_BYTES_PER_KEY), so the result was not stored. ` +
          'Delete datasets or finished jobs you no longer need (GET /v1/usage) and submit the job again',
      ),
    );
  }
}

/**
 * Records a failed or canceled job's bytes (its request and failure text), never refused — and
 * only while the job exists (its owner may have deleted it since it failed).
 */
export async function settleFailedBytes(
  ledger: StorageLedger,
  config: Readonly<Config>,
  job: Job<JobData>,
  jobKey: RedisKey,
): Promise<void> {
  const { kind, owner } = job.data;
  const finished = job.finishedOn ?? Date.now();
  await ledger.settle(
    owner,
    itemOfJob(kind, job.id as string),
    bytesOf(dataText(job), job.failedReason, job.id),
    finished + retentionOf(config, kind) * 1000,
    Date.now(),
    jobKey,
  );
}
