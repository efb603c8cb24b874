/**
 * A fanned-out job (a kind with `fanout`, src/kinds/kind.ts; JOB_FANOUT): the parent job stays
 * active on the worker that took it — so its status, progress, cancel, SSE events, result and
 * webhook are a job's like any other — and runs the kind's `start` in its thread; then, rung after
 * rung, it adds the kind's tasks as child jobs to the kind's internal task queue (names.ts
 * taskQueueName), which every worker process serves (fanout-task.ts), waits for all of them,
 * tells their outputs in the order the kind gave the tasks, and at the end runs `finish` in its
 * thread. Its own thread is idle meanwhile: its slot costs no CPU.
 *
 * - Child job ids are the parent's id and the task's (names.ts taskJobId), and the kind's tasks
 *   follow from the request alone: a parent that runs again (its worker died, it was handed back)
 *   adds the same children, BullMQ keeps the ones that exist, and the finished ones are not run again.
 * - A child that fails fails the parent with the child's reason. A worker killed mid-task: BullMQ's
 *   stalled-job check gives that task (only) to another worker.
 * - Cancel (or a timeout) of the parent: its waiting children are removed, the running ones are
 *   told to stop (the cancel channel, with the child's id), and a child that starts later sees the
 *   parent's cancel flag. A parent handed back or whose lock was lost leaves its children for the
 *   worker that runs it next.
 */
import { Job, UnrecoverableError, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../src/config.js';
import type { FanTask, KindFanOut } from '../src/kinds/kind.js';
import type { RegisteredKind } from '../src/kinds/registry.js';
import type { JobData } from '../src/queue/jobs.js';
import { taskJobId } from '../src/queue/names.js';
import { redisKeys } from '../src/queue/keys.js';
import { failureReason } from '../src/queue/status.js';
import { itemOfCarry, type StorageLedger } from '../src/storage/ledger.js';
import { Handback } from './handback.js';
import type { ThreadPool } from './run-in-thread.js';
import type { ThreadInput, ThreadResult } from './thread-protocol.js';

/** how often the parent reads its children's state and progress */
export const FANOUT_POLL_MS = 50;

/** What a child task job holds: its parent and the task. */
export interface TaskData {
  parent: string;
  kind: string;
  owner: string;
  task: FanTask;
}

export interface FanOutContext {
  config: Readonly<Config>;
  redis: Redis;
  log: Logger;
  pool: ThreadPool;
  ledger?: StorageLedger;
  /** the kind's internal task queue */
  tasks: Queue;
}

type Base = Omit<ThreadInput, 'op'>;

export async function runFanOut(
  ctx: FanOutContext,
  job: Job<JobData>,
  kind: RegisteredKind,
  base: Base,
  signal: AbortSignal,
  onProgress: (p: Record<string, unknown>) => void,
): Promise<ThreadResult> {
  const fan = kind.fanout as KindFanOut<unknown, unknown>;
  const parent = job.id as string;
  const deadline = performance.now() + ctx.config.limits.jobTimeoutMs;
  const timeoutMs = (): number => Math.max(1, deadline - performance.now());
  const seen: FanTask[] = [];
  /** tasks whose carry is deleted already (no later task continues from them) */
  const dropped = new Set<string>();
  let leave = false;
  try {
    const run = (op: NonNullable<ThreadInput['op']>) =>
      ctx.pool.run({ ...base, op }, { timeoutMs: timeoutMs(), signal, onProgress });
    const started = await run({ type: 'start' });
    let state = started.value;
    for (let tasks = fan.tasks(state); tasks.length > 0; tasks = fan.tasks(state)) {
      seen.push(...tasks);
      await ctx.tasks.addBulk(
        tasks.map((task) => ({
          name: task.id,
          data: { parent, kind: kind.name, owner: job.data.owner, task } satisfies TaskData,
          opts: {
            jobId: taskJobId(parent, task.id),
            attempts: 1,
            removeOnComplete: { age: 3600 },
            removeOnFail: { age: 3600 },
          },
        })),
      );
      const outputs = await awaitTasks(ctx, fan, state, parent, tasks, signal, deadline, onProgress);
      state = fan.tell(state, outputs);
      const keep = new Set(fan.keep(state));
      const drop = seen.filter((t) => !keep.has(t.id) && !dropped.has(t.id));
      await dropCarries(ctx, kind.name, job.data.owner, parent, drop);
      for (const t of drop) dropped.add(t.id);
    }
    return await run({ type: 'finish', state, backend: started.backend ?? null });
  } catch (err) {
    leave = Handback.handedBack(signal) || signal.reason === 'lock lost';
    throw err;
  } finally {
    if (!leave) {
      await cleanUp(ctx, kind.name, job.data.owner, parent, seen).catch((e) =>
        ctx.log.warn({ err: (e as Error).message }, 'children not cleaned up'),
      );
    }
  }
}

/** Waits until every task's child job finished; their outputs in the tasks' order. */
async function awaitTasks(
  ctx: FanOutContext,
  fan: KindFanOut<unknown, unknown>,
  state: unknown,
  parent: string,
  tasks: FanTask[],
  signal: AbortSignal,
  deadline: number,
  onProgress: (p: Record<string, unknown>) => void,
): Promise<unknown[]> {
  const outputs: unknown[] = new Array(tasks.length);
  const done = new Array<boolean>(tasks.length).fill(false);
  let last = '';
  for (;;) {
    if (signal.aborted) {
      throw new UnrecoverableError(failureReason('canceled', String(signal.reason ?? 'canceled by request')));
    }
    if (performance.now() > deadline) {
      const s = Math.round(ctx.config.limits.jobTimeoutMs / 1000);
      throw new UnrecoverableError(failureReason('timeout', `the job ran longer than ${s} s (LIMIT_JOB_TIMEOUT_S)`));
    }
    const running: Record<string, unknown>[] = [];
    for (let i = 0; i < tasks.length; i++) {
      if (done[i]) continue;
      const child = await Job.fromId(ctx.tasks, taskJobId(parent, tasks[i].id));
      if (!child) {
        throw new UnrecoverableError(failureReason('job_failed', `its task ${tasks[i].id} vanished from the queue`));
      }
      if (child.finishedOn) {
        if (child.failedReason) throw new UnrecoverableError(child.failedReason);
        outputs[i] = child.returnvalue;
        done[i] = true;
      } else if (child.progress && typeof child.progress === 'object') {
        running.push(child.progress as Record<string, unknown>);
      }
    }
    if (done.every(Boolean)) return outputs;
    const p = fan.progress(
      state,
      outputs.filter((_, i) => done[i]),
      running,
    );
    const text = JSON.stringify(p);
    if (text !== last) {
      onProgress(p);
      last = text;
    }
    await sleep(FANOUT_POLL_MS, signal);
  }
}

async function dropCarries(
  ctx: FanOutContext,
  kind: string,
  owner: string,
  parent: string,
  tasks: FanTask[],
): Promise<void> {
  if (tasks.length === 0) return;
  await ctx.redis.del(...tasks.map((t) => redisKeys(ctx.config.queuePrefix).carry(parent, t.id)));
  if (ctx.ledger) for (const t of tasks) await ctx.ledger.release(owner, itemOfCarry(kind, parent, t.id));
}

/** The parent is done (or canceled, failed): its children go, running ones are told to stop, its carries go. */
async function cleanUp(
  ctx: FanOutContext,
  kind: string,
  owner: string,
  parent: string,
  tasks: FanTask[],
): Promise<void> {
  for (const t of tasks) {
    const id = taskJobId(parent, t.id);
    const child = await Job.fromId(ctx.tasks, id);
    if (!child) continue;
    // a running child is locked: it cannot be removed, so it is stopped (and removed by its age)
    await child.remove().catch(() => ctx.redis.publish(redisKeys(ctx.config.queuePrefix).cancelChannel(), id));
  }
  await dropCarries(ctx, kind, owner, parent, tasks);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
