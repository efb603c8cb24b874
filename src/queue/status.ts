/**
 * BullMQ job state → the API's job status, and worker failure reasons → problems.
 * Workers fail jobs with `UnrecoverableError("<code>: <message>")`; the code survives the trip
 * through Redis as the prefix of `failedReason`.
 */
export type ApiStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

/**
 * The cancel flag is set only while a job has not finished (one script, see admission.ts), so a
 * job with the flag was canceled before it finished: it is `canceled` whatever BullMQ recorded
 * after (a result that raced the cancel is not shown). The cancel's answer is the final state.
 */
export function apiStatus(state: string, cancelRequested: boolean, failedReason?: string): ApiStatus {
  if (cancelRequested) return 'canceled';
  if (state === 'completed') return 'succeeded';
  if (state === 'failed') return parseFailure(failedReason).code === 'canceled' ? 'canceled' : 'failed';
  if (state === 'active') return 'running';
  return 'queued'; // waiting, delayed, prioritized, waiting-children, unknown-but-present
}

export const FAILURE_CODES = {
  canceled: 'the job was canceled',
  timeout: 'the job ran longer than its wall-clock limit',
  resource_limit_exceeded: 'the training thread ran out of its memory limit',
  invalid_job: 'the job data did not validate in the worker',
  result_too_large: 'the result is larger than LIMIT_RESULT_BYTES and was not stored',
  storage_quota_exceeded:
    "the result did not fit in the API key's storage quota (LIMIT_STORAGE_BYTES_PER_KEY) and was not stored",
  worker_lost: 'the worker running the job was lost more often than allowed',
  job_failed: 'the job failed',
} as const;

export function failureReason(code: keyof typeof FAILURE_CODES, message: string): string {
  return `${code}: ${message}`;
}

export function parseFailure(reason: string | undefined): { code: string; message: string } {
  if (!reason) return { code: 'job_failed', message: 'the job failed without a reason' };
  if (/stalled more than allowable limit/.test(reason)) {
    return {
      code: 'worker_lost',
      message: 'the worker running this job stopped (crash or kill) more often than allowed',
    };
  }
  const m = /^([a-z_]+): ([\s\S]*)$/.exec(reason);
  if (m && Object.hasOwn(FAILURE_CODES, m[1])) return { code: m[1], message: m[2] };
  return { code: 'job_failed', message: reason };
}
