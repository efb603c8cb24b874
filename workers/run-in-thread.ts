/**
 * Runs jobs' training in worker threads, so the worker process's event loop stays free to renew
 * BullMQ locks and answer cancel requests. Threads are kept warm and reused job after job
 * (module loading and JIT happen once); each has a heap limit. A wall-clock timer or a cancel
 * signal terminates the thread (a hard stop, even mid-GEMM) and a fresh one replaces it at once.
 * A job's wall clock (LIMIT_JOB_TIMEOUT_S) starts when its thread is ready: starting a thread
 * (loading modules, compiling the kernels) is the service's cost, never charged to the job.
 * Whatever goes wrong between the process and a thread fails that job only, never the process:
 * job data that cannot be sent (a structured-clone failure, e.g. nesting too deep) fails it
 * `invalid_job`; a message that cannot be read back, a thread that throws, exits or runs out of
 * memory fails it with a reason, and the process takes the next job.
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
/** a thread that has not loaded its modules after this long is broken, not slow */
const THREAD_START_TIMEOUT_MS = 120_000;

interface PooledThread {
  thread: Thread;
  /** settles when the thread has posted `ready` (rejects if it dies or hangs first) */
  ready: Promise<void>;
}

export class ThreadPool {
  private readonly idle: PooledThread[] = [];
  private closed = false;

  /**
   * `warm` threads are started now and kept ready; `threadUrl` is the thread's script (the
   * training thread; tests pass a stand-in that speaks the same protocol).
   */
  constructor(
    private readonly memoryMb: number,
    private readonly warm = 0,
    private readonly threadUrl: URL = THREAD_URL,
  ) {
    for (let i = 0; i < warm; i++) this.idle.push(this.spawn());
  }

  /** threads started or ready and waiting for a job */
  get idleThreads(): number {
    return this.idle.length;
  }

  private spawn(): PooledThread {
    const thread = new Thread(this.threadUrl, {
      resourceLimits: {
        maxOldGenerationSizeMb: this.memoryMb,
        maxYoungGenerationSizeMb: Math.min(64, Math.max(8, this.memoryMb / 8)),
      },
      stdout: false,
      stderr: false,
    });
    thread.on('error', () => undefined); // handled per run; an idle thread that dies is dropped below
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`it was not ready after ${THREAD_START_TIMEOUT_MS / 1000} s`)),
        THREAD_START_TIMEOUT_MS,
      );
      timer.unref();
      const onMessage = (msg: ThreadMessage) => {
        if (msg.type !== 'ready') return;
        clearTimeout(timer);
        thread.off('message', onMessage);
        resolve();
      };
      thread.on('message', onMessage);
      thread.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      thread.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`it exited with code ${code}`));
      });
    });
    ready.catch(() => undefined); // observed by the run that uses the thread
    const pooled = { thread, ready };
    thread.once('exit', () => {
      const i = this.idle.indexOf(pooled);
      if (i >= 0) this.idle.splice(i, 1);
    });
    thread.unref();
    return pooled;
  }

  /** keeps `warm` threads starting or ready after one was terminated */
  private replenish(): void {
    while (!this.closed && this.idle.length < this.warm) this.idle.push(this.spawn());
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((t) => t.thread.terminate()));
  }

  run(input: ThreadInput, opts: ThreadRunOptions): Promise<ThreadResult> {
    const pooled = this.idle.pop() ?? this.spawn();
    const { thread } = pooled;
    thread.ref();
    return new Promise((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        opts.signal.removeEventListener('abort', onAbort);
        thread.off('message', onMessage);
        thread.off('error', onError);
        thread.off('exit', onExit);
        thread.off('messageerror', onMessageError);
      };
      const finish = (ok: boolean, fn: () => void) => {
        if (settled) return;
        settled = true;
        cleanup();
        if (ok) {
          thread.unref();
          this.idle.push(pooled);
        } else {
          void thread.terminate();
          this.replenish();
        }
        fn();
      };
      const fail = (code: Parameters<typeof failureReason>[0], message: string) =>
        finish(false, () => reject(new UnrecoverableError(failureReason(code, message))));

      const onAbort = () => fail('canceled', String(opts.signal.reason ?? 'canceled by request'));
      const onMessage = (msg: ThreadMessage) => {
        if (msg.type === 'progress') opts.onProgress(msg.progress);
        else if (msg.type === 'result') {
          const { type: _type, ...result } = msg;
          finish(true, () => resolve(result));
        } else if (msg.type === 'error') {
          // a thread whose job threw is healthy: keep it
          finish(true, () =>
            reject(
              msg.unrecoverable
                ? new UnrecoverableError(failureReason(msg.code as 'job_failed', msg.message))
                : new Error(msg.message),
            ),
          );
        }
      };
      const onError = (err: Error & { code?: string }) => {
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          fail(
            'resource_limit_exceeded',
            `the training thread exceeded its ${this.memoryMb} MiB heap (LIMIT_WORKER_MEMORY_MB); use a smaller model, batch or dataset`,
          );
        } else {
          fail('job_failed', err.message);
        }
      };
      const onExit = (code: number) =>
        fail('job_failed', `the training thread exited with code ${code} before reporting a result`);
      const onMessageError = (err: Error) =>
        fail('job_failed', `a message from the training thread could not be read (${err.message})`);

      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort);
      thread.on('message', onMessage);
      thread.on('error', onError);
      thread.on('exit', onExit);
      thread.on('messageerror', onMessageError);
      pooled.ready
        .then(
          () => {
            if (settled) return;
            try {
              // structured clone: throws (synchronously, here) on job data it cannot copy, e.g. a RangeError on deep
              // nesting
              thread.postMessage(input);
            } catch (err) {
              // nothing reached the thread: it stays healthy and goes back to the pool
              const e = err as Error;
              return finish(true, () =>
                reject(
                  new UnrecoverableError(
                    failureReason(
                      'invalid_job',
                      `the job data could not be passed to the training thread (${e?.name ?? 'Error'}: ${e?.message ?? String(err)})`,
                    ),
                  ),
                ),
              );
            }
            timer = setTimeout(
              () =>
                fail('timeout', `the job ran longer than ${Math.round(opts.timeoutMs / 1000)} s (LIMIT_JOB_TIMEOUT_S)`),
              opts.timeoutMs,
            );
          },
          (err: Error) => fail('job_failed', `the training thread did not start: ${err.message}`),
        )
        .catch((err: unknown) =>
          fail(
            'job_failed',
            `the training thread could not be given the job: ${String((err as Error)?.message ?? err)}`,
          ),
        );
    });
  }
}
