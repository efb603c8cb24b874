/**
 * A small pool of worker threads in the API process for the work that is too big for the event
 * loop: parsing and checking dataset uploads, rendering a large result's plot.svg and curve.csv.
 * `size` threads (API_THREADS), each one task at a time, and at most `queueLimit` tasks waiting
 * (LIMIT_API_THREAD_QUEUE): past that the caller gets a 503 `busy` problem with Retry-After at
 * once instead of a request that waits behind the others. A thread that dies fails its task (500)
 * and is replaced. Threads are unref'd and started lazily; close() ends them.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import { ProblemError } from '../../contracts/problems.js';
import type { Reply, Task } from './protocol.js';

/** The thread's script: ./thread.js beside this module; from TypeScript sources (tests) the build's copy in dist/. */
export function threadUrl(): URL {
  const here = new URL('./thread.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../../../dist/src/api/offload/thread.js', import.meta.url);
}

interface Pending {
  task: Task;
  transfer: ArrayBuffer[];
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  thread: Thread;
  current: (Pending & { id: number }) | null;
}

export interface OffloadPoolOptions {
  /** threads (API_THREADS); 0 runs nothing: every task is refused as busy */
  size: number;
  /** tasks that may wait for a thread (LIMIT_API_THREAD_QUEUE) */
  queueLimit: number;
  /** heap limit of each thread, MiB */
  memoryMb: number;
  /** the thread script (tests pass a stand-in) */
  url?: URL;
}

/** 503 `busy`: every thread is working and the queue is full. */
export function poolBusy(size: number, queueLimit: number): ProblemError {
  return new ProblemError(
    503,
    'busy',
    'Server busy',
    `every one of this server's ${size} parsing threads is busy and ${queueLimit} requests wait for one (API_THREADS, LIMIT_API_THREAD_QUEUE); nothing was done, retry shortly`,
    [],
    { 'retry-after': '2' },
  );
}

export class OffloadPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: OffloadPoolOptions) {}

  /** tasks running and waiting (for tests and metrics) */
  get load(): { running: number; waiting: number } {
    return { running: this.slots.filter((s) => s.current).length, waiting: this.waiting.length };
  }

  /** Runs a task in a thread. Rejects with a ProblemError (the task's own, or 503 busy) or an Error (a bug: 500). */
  run<T>(task: Task, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed)
      return Promise.reject(
        new ProblemError(
          503,
          'shutting_down',
          'Service unavailable',
          'the server is shutting down; retry shortly',
          [],
          { 'retry-after': '5' },
        ),
      );
    const idle = this.idleSlot();
    if (!idle && (this.opts.size === 0 || this.waiting.length >= this.opts.queueLimit))
      return Promise.reject(poolBusy(this.opts.size, this.opts.queueLimit));
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { task, transfer, resolve: resolve as (v: unknown) => void, reject };
      if (idle) this.start(idle, p);
      else this.waiting.push(p);
    });
  }

  private idleSlot(): Slot | null {
    const free = this.slots.find((s) => !s.current);
    if (free) return free;
    if (this.slots.length < this.opts.size) {
      const slot = this.spawn();
      this.slots.push(slot);
      return slot;
    }
    return null;
  }

  private spawn(): Slot {
    const mb = this.opts.memoryMb;
    const thread = new Thread(this.opts.url ?? threadUrl(), {
      resourceLimits: { maxOldGenerationSizeMb: mb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, mb / 8)) },
      stdout: false,
      stderr: false,
    });
    thread.unref();
    const slot: Slot = { thread, current: null };
    thread.on('message', (msg: Reply) => {
      const cur = slot.current;
      if (!cur || msg.id !== cur.id) return;
      slot.current = null;
      if (msg.ok) cur.resolve(msg.value);
      else if ('problem' in msg) {
        const p = msg.problem;
        cur.reject(new ProblemError(p.status, p.code, p.title, p.detail, p.errors, p.headers));
      } else cur.reject(new Error(msg.error));
      this.next(slot);
    });
    thread.on('error', () => undefined); // 'exit' follows
    thread.on('exit', (code) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const cur = slot.current;
      slot.current = null;
      cur?.reject(new Error(`an offload thread exited (code ${code}) while running ${cur.task.op}`));
      // the waiting tasks get a fresh thread
      if (!this.closed && this.waiting.length) {
        const s = this.idleSlot();
        if (s) this.next(s);
      }
    });
    return slot;
  }

  private start(slot: Slot, p: Pending): void {
    const id = this.nextId++;
    slot.current = { ...p, id };
    try {
      slot.thread.postMessage({ id, task: p.task }, p.transfer);
    } catch (err) {
      slot.current = null;
      p.reject(err);
      this.next(slot);
    }
  }

  private next(slot: Slot): void {
    const p = this.waiting.shift();
    if (p) this.start(slot, p);
  }

  async close(): Promise<void> {
    this.closed = true;
    const gone = new ProblemError(
      503,
      'shutting_down',
      'Service unavailable',
      'the server is shutting down; retry shortly',
      [],
      { 'retry-after': '5' },
    );
    for (const p of this.waiting.splice(0)) p.reject(gone);
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
    this.slots.length = 0;
  }
}

/** The bytes of a Buffer as a transferable ArrayBuffer: its own when it owns all of it, else a copy. */
export function transferable(buf: Buffer | Uint8Array): { bytes: Uint8Array; transfer: ArrayBuffer[] } {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer) {
    return { bytes: new Uint8Array(buf.buffer), transfer: [buf.buffer] };
  }
  const copy = new Uint8Array(buf.byteLength);
  copy.set(buf);
  return { bytes: copy, transfer: [copy.buffer] };
}
