/**
 * Training thread entry: runs one job's generator and streams throttled progress to the parent.
 * Every failure is reported as a message; the parent decides what it means for the job.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runJob } from './jobs/index.js';
import { JobInputError } from './jobs/errors.js';
import type { ThreadInput, ThreadMessage } from './thread-protocol.js';

const PROGRESS_EVERY_MS = 100;

function post(msg: ThreadMessage): void {
  parentPort!.postMessage(msg);
}

function main(): void {
  const input = workerData as ThreadInput;
  const gen = runJob(input.kind, input.request);
  let last = 0;
  let pending: Record<string, unknown> | null = null;
  for (;;) {
    const next = gen.next();
    if (next.done) {
      if (pending) post({ type: 'progress', progress: pending });
      post({ type: 'result', result: next.value });
      return;
    }
    const now = performance.now();
    if (now - last >= PROGRESS_EVERY_MS) {
      post({ type: 'progress', progress: next.value });
      last = now;
      pending = null;
    } else {
      pending = next.value;
    }
  }
}

try {
  main();
} catch (err) {
  const e = err as Error;
  if (err instanceof JobInputError) post({ type: 'error', code: 'invalid_job', message: e.message, unrecoverable: true });
  else post({ type: 'error', code: 'job_failed', message: `${e.name}: ${e.message}`, unrecoverable: true });
}
