/**
 * Training thread: waits for jobs from its worker process, runs each job's generator
 * synchronously and streams throttled progress back. A thread serves many jobs one after
 * another (modules loaded and JIT-warm once); the parent terminates it to cancel or time out a
 * job, and starts a fresh one. Every failure is reported as a message: anything the job throws
 * (a stack overflow, a structured-clone failure of a progress message, a result too deep to
 * serialise, a throw of a non-Error) fails that job with its name and message, and the thread
 * stays ready for the next one.
 */
import { parentPort } from 'node:worker_threads';
import { findKind } from '../src/kinds/registry.js';
import { deserialize, serialize } from 'node:v8';
import { runFanStep, runJob, type FanStepOutcome } from './run-job.js';
import { resultText } from './result-text.js';
import { JobInputError } from './errors.js';
import type { ThreadInput, ThreadMessage } from './thread-protocol.js';
import { actOut, faultOf } from './test-faults.js';

const PROGRESS_EVERY_MS = 100;

function post(msg: ThreadMessage): void {
  parentPort!.postMessage(msg);
}

function run(input: ThreadInput): void {
  const fault = faultOf(input.request); // TEST ONLY: null unless LRF_TEST_THREAD_FAULTS=1 (workers/test-faults.ts)
  if (fault) {
    const result = actOut(fault, (msg) => post(msg as ThreadMessage));
    post(serialise(input.kind, result, input.maxResultBytes));
    return;
  }
  if (input.op) {
    return drain(runFanStep(input.kind, input.request, fanOp(input), input.uploads), (out) => fanMessage(input, out));
  }
  drain(runJob(input.kind, input.request, input.uploads, { layerPoints: input.layerPoints }), (result) =>
    serialise(input.kind, result, input.maxResultBytes),
  );
}

/** A fanned-out step's message: the result (finish), or its value and carry. */
function fanMessage(input: ThreadInput, out: FanStepOutcome): ThreadMessage {
  if ('result' in out) return serialise(input.kind, out.result, input.maxResultBytes);
  // the carry (a trainer's position: typed arrays) as v8's structured serialisation: exact, a Buffer Redis stores
  const carry = out.carry === null || out.carry === undefined ? null : new Uint8Array(serialize(out.carry));
  return { type: 'result', json: '', summary: null, value: out.value, carry, backend: out.backend };
}

function fanOp(input: ThreadInput): Parameters<typeof runFanStep>[2] {
  const op = input.op!;
  if (op.type !== 'task') return op;
  const carry = op.carry ? deserialize(Buffer.from(op.carry.buffer, op.carry.byteOffset, op.carry.byteLength)) : null;
  return { type: 'task', task: op.task, carry };
}

/** Runs a generator to its end, posting throttled progress, then the message `done` makes of its value. */
function drain<R>(gen: Generator<Record<string, unknown>, R>, done: (value: R) => ThreadMessage): void {
  let last = 0;
  let pending: Record<string, unknown> | null = null;
  for (;;) {
    const next = gen.next();
    if (next.done) {
      if (pending) post({ type: 'progress', progress: pending });
      post(done(next.value));
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
      type: 'error',
      code: 'result_too_large',
      unrecoverable: true,
      message: `the result would be ${bytes} bytes, above this service's limit of ${maxBytes} (LIMIT_RESULT_BYTES); ask for fewer iterations, layers or repeats`,
    };
  }
  const summary = findKind(kind)?.summary.of(result) as Record<string, unknown> | undefined;
  return { type: 'result', json, summary: summary ?? null };
}

/** `Name: message` of anything thrown (an Error or not), never longer than a log line should be. */
function describe(err: unknown): string {
  let text: string;
  try {
    text = err instanceof Error ? `${err.name}: ${err.message}` : `a non-Error value was thrown: ${String(err)}`;
  } catch {
    text = 'an unprintable value was thrown';
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

parentPort!.on('message', (input: ThreadInput) => {
  try {
    run(input);
  } catch (err) {
    if (err instanceof JobInputError)
      post({ type: 'error', code: 'invalid_job', message: err.message, unrecoverable: true });
    else
      post({
        type: 'error',
        code: 'job_failed',
        message: `the training thread failed: ${describe(err)}`,
        unrecoverable: true,
      });
  }
});
post({ type: 'ready' });
