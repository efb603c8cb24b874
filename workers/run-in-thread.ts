/**
 * Runs jobs' training in worker threads, so the worker process's event loop stays free to renew
 * BullMQ locks and answer cancel requests. Threads are kept warm and reused job after job
 * (module loading and JIT happen once); each has a heap limit. A wall-clock timer or a cancel
 * signal terminates the thread (a hard stop, even mid-GEMM) and a fresh one replaces it.
 */
import { Worker as Thread } from 'node:worker_threads';
import { UnrecoverableError } from 'bullmq';
import { failureReason } from '../src/queue/status.js';
import type { ThreadInput, ThreadMessage, ThreadResult } from './thread-protocol.js';

export interface ThreadRunOptions {
  timeoutMs: number;
  signal: AbortSignal;
  onProgress: (p: Record<string, unknown>) => void;
}

const THREAD_URL = new URL('./train-thread.js', import.meta.url);

export class ThreadPool {
  private readonly idle: Thread[] = [];

  constructor(private readonly memoryMb: number, warm = 0) {
    for (let i = 0; i < warm; i++) this.idle.push(this.spawn());
  }

  private spawn(): Thread {
    const t = new Thread(THREAD_URL, {
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, this.memoryMb / 8)) },
      stdout: false,
      stderr: false,
    });
    t.on('error', () => undefined); // handled per run; an idle thread that dies is dropped below
    t.once('exit', () => {
      const i = this.idle.indexOf(t);
      if (i >= 0) this.idle.splice(i, 1);
    });
    t.unref();
    return t;
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((t) => t.terminate()));
  }

  run(input: ThreadInput, opts: ThreadRunOptions): Promise<ThreadResult> {
    const thread = this.idle.pop() ?? this.spawn();
    thread.ref();
    return new Promise((resolve, reject) => {
      let settled = false;
      const cleanup = () => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
      };
      const finish = (ok: boolean, fn: () => void) => {
        if (settled) return;
        settled = true;
        cleanup();
        if (ok) {
          thread.unref();
          this.idle.push(thread);
        } else {
          void thread.terminate();
        }
        fn();
      };
      const fail = (code: Parameters<typeof failureReason>[0], message: string) =>
        finish(false, () => reject(new UnrecoverableError(failureReason(code, message))));

      const timer = setTimeout(() => fail('timeout', `the job ran longer than ${Math.round(opts.timeoutMs / 1000)} s (LIMIT_JOB_TIMEOUT_S)`), opts.timeoutMs);
      const onAbort = () => fail('canceled', String(opts.signal.reason ?? 'canceled by request'));
      const onMessage = (msg: ThreadMessage) => {
        if (msg.type === 'progress') opts.onProgress(msg.progress);
        else if (msg.type === 'result') finish(true, () => resolve({ json: msg.json, summary: msg.summary }));
        else if (msg.type === 'error') {
          // a thread whose job threw is healthy: keep it
          finish(true, () => reject(msg.unrecoverable
            ? new UnrecoverableError(failureReason(msg.code as 'job_failed', msg.message))
            : new Error(msg.message)));
        }
      };
      const onError = (err: Error & { code?: string }) => {
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          fail('resource_limit_exceeded', `the training thread exceeded its ${this.memoryMb} MiB heap (LIMIT_WORKER_MEMORY_MB); use a smaller model, batch or dataset`);
        } else {
          fail('job_failed', err.message);
        }
      };
      const onExit = (code: number) => fail('job_failed', `the training thread exited with code ${code} before reporting a result`);

      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort);
      thread.on('message', onMessage);
      thread.on('error', onError);
      thread.on('exit', onExit);
      thread.postMessage(input);
    });
  }
}
