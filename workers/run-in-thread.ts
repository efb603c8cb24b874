/**
 * Runs one job's training in its own worker thread: the worker process's event loop stays free
 * to renew BullMQ locks and answer cancel requests. The thread gets a heap limit; a wall-clock
 * timer and a cancel signal terminate it (hard stop, even mid-GEMM).
 */
import { Worker as Thread } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';
import { failureReason } from '../src/queue/status.js';
import type { ThreadMessage, ThreadInput } from './thread-protocol.js';

export interface ThreadRunOptions {
  timeoutMs: number;
  memoryMb: number;
  signal: AbortSignal;
  onProgress: (p: Record<string, unknown>) => void;
}

const THREAD_URL = new URL('./train-thread.js', import.meta.url);

export function runInThread(input: ThreadInput, opts: ThreadRunOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const thread = new Thread(THREAD_URL, {
      workerData: input,
      resourceLimits: { maxOldGenerationSizeMb: opts.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, opts.memoryMb / 8)) },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      fn();
    };
    const stop = (code: 'timeout' | 'canceled', message: string) => {
      finish(() => reject(new UnrecoverableError(failureReason(code, message))));
      void thread.terminate();
    };
    const timer = setTimeout(() => stop('timeout', `the job ran longer than ${Math.round(opts.timeoutMs / 1000)} s (LIMIT_JOB_TIMEOUT_S)`), opts.timeoutMs);
    const onAbort = () => stop('canceled', String(opts.signal.reason ?? 'canceled by request'));
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort);

    thread.on('message', (msg: ThreadMessage) => {
      if (msg.type === 'progress') opts.onProgress(msg.progress);
      else if (msg.type === 'result') finish(() => resolve(msg.result));
      else if (msg.type === 'error') {
        finish(() => reject(msg.unrecoverable
          ? new UnrecoverableError(failureReason(msg.code as 'job_failed', msg.message))
          : new Error(msg.message)));
      }
    });
    thread.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        finish(() => reject(new UnrecoverableError(failureReason('resource_limit_exceeded',
          `the training thread exceeded its ${opts.memoryMb} MiB heap (LIMIT_WORKER_MEMORY_MB); use a smaller model, batch or dataset`))));
      } else {
        finish(() => reject(new UnrecoverableError(failureReason('job_failed', err.message))));
      }
    });
    thread.on('exit', (code) => {
      finish(() => reject(new UnrecoverableError(failureReason('job_failed', `the training thread exited with code ${code} before reporting a result`))));
    });
  });
}
