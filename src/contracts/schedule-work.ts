/**
 * What simulating a schedule costs: every step evaluates at most every scheduler of the tree once
 * (SequentialLR one child at a time, ChainedScheduler all of them), so steps × schedulers bounds
 * the work. The API simulates schedules on its event loop (POST /v1/schedules/preview, and the
 * check of each schedule of a schedule simulation at admission): LIMIT_SCHEDULE_WORK bounds that
 * product, so one request costs at most a few tens of milliseconds of the loop whatever its nesting.
 */
import { limitExceeded, type ProblemError } from './problems.js';

/** The schedulers in a schedule spec: the spec itself and every nested one (`schedulers: [...]`), counted without
 * recursion. */
export function scheduleNodes(spec: unknown): number {
  let n = 0;
  const stack: unknown[] = [spec];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      if (typeof (v as { type?: unknown }).type === 'string') n++;
      for (const x of Object.values(v)) if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  return Math.max(1, n);
}

/** 400 limit_exceeded at `pointer` when steps × schedulers is above `limit` (LIMIT_SCHEDULE_WORK); null when within. */
export function scheduleWorkProblem(pointer: string, spec: unknown, steps: number, limit: number): ProblemError | null {
  const nodes = scheduleNodes(spec);
  const work = steps * nodes;
  if (work <= limit) return null;
  return limitExceeded(
    pointer,
    `steps × schedulers (${steps} × ${nodes}, the simulation's work)`,
    work,
    limit,
    'LIMIT_SCHEDULE_WORK',
  );
}
