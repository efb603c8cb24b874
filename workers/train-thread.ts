/**
 * Training thread: waits for jobs from its worker process, runs each job's generator
 * synchronously and streams throttled progress back. A thread serves many jobs one after
 * another (modules loaded and JIT-warm once); the parent terminates it to cancel or time out a
 * job, and starts a fresh one. Every failure is reported as a message.
 */
import { parentPort } from 'node:worker_threads';
import { findKind } from '../src/kinds/registry.js';
import { runJob } from './run-job.js';
import { resultText } from './result-text.js';
import { JobInputError } from './errors.js';
import type { ThreadInput, ThreadMessage } from './thread-protocol.js';

const PROGRESS_EVERY_MS = 100;

function post(msg: ThreadMessage): void {
  parentPort!.postMessage(msg);
}

function run(input: ThreadInput): void {
  const gen = runJob(input.kind, input.request, input.uploads, { layerPoints: input.layerPoints });
  let last = 0;
  let pending: Record<string, unknown> | null = null;
  for (;;) {
    const next = gen.next();
    if (next.done) {
      if (pending) post({ type: 'progress', progress: pending });
      post(serialise(input.kind, next.value, input.maxResultBytes));
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

/** The result as JSON text, checked against LIMIT_RESULT_BYTES here, before it leaves the thread. */
function serialise(kind: string, result: unknown, maxBytes: number): ThreadMessage {
  // the text the API serves as is (GET /v1/{kind}/{id} splices it): serialised as the API's response schema would
  const json = resultText(kind, result);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > maxBytes) {
    return {
      type: 'error', code: 'result_too_large', unrecoverable: true,
      message: `the result would be ${bytes} bytes, above this service's limit of ${maxBytes} (LIMIT_RESULT_BYTES); ask for fewer iterations, layers or repeats`,
    };
  }
  const summary = findKind(kind)?.summary.of(result) as Record<string, unknown> | undefined;
  return { type: 'result', json, summary: summary ?? null };
}

parentPort!.on('message', (input: ThreadInput) => {
  try {
    run(input);
  } catch (err) {
    const e = err as Error;
    if (err instanceof JobInputError) post({ type: 'error', code: 'invalid_job', message: e.message, unrecoverable: true });
    else post({ type: 'error', code: 'job_failed', message: `${e.name}: ${e.message}`, unrecoverable: true });
  }
});
post({ type: 'ready' });
