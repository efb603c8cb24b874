/**
 * The LR plan of an LR range test, as torch-lr-finder schedules it.
 *
 * Source: davidtvs/pytorch-lr-finder, torch_lr_finder/lr_finder.py, `ExponentialLR.get_lr` and
 * `LinearLR.get_lr` (torch >= 1.1 branch), with `r = last_epoch / (num_iter - 1)`:
 *   exp:    lr_i = start_lr * (end_lr / start_lr) ** r
 *   linear: lr_i = start_lr + r * (end_lr - start_lr)
 * The LR recorded for iteration i is `get_lr()[0]` taken before `lr_schedule.step()`, so i runs
 * 0 … num_iter-1 and `num_iter <= 1` is a ValueError there (a RangeError here).
 *
 * Deviation (deliberate, documented): the endpoints are set explicitly, so lrs[0] === start_lr and
 * lrs[num_iter-1] === end_lr bit for bit (torch-lr-finder's `start*(end/start)**1.0` can miss
 * end_lr by an ulp). Interior points use the same expression in the same order as Python; JS
 * Math.pow and C pow may still differ in the last ulp.
 *
 * Unlike fastai (`start*(end/start)**(i/num_it)`, end_lr never reached) and Lightning (skips the
 * 1/N exponent), every requested LR from start_lr to end_lr is visited.
 */

export type StepMode = 'exp' | 'linear';

/** Throws RangeError when the plan is impossible (pure validation, no I/O). */
export function checkLrPlan(start_lr: number, end_lr: number, num_iter: number, step_mode: StepMode): void {
  if (!Number.isInteger(num_iter) || num_iter < 2) {
    throw new RangeError(
      `num_iter must be an integer >= 2 (torch-lr-finder: "\`num_iter\` must be larger than 1"), got ${num_iter}`,
    );
  }
  if (!Number.isFinite(start_lr) || !Number.isFinite(end_lr)) {
    throw new RangeError(`start_lr and end_lr must be finite, got ${start_lr} and ${end_lr}`);
  }
  if (step_mode === 'exp') {
    if (!(start_lr > 0) || !(end_lr > 0)) {
      throw new RangeError(`step_mode "exp" needs start_lr > 0 and end_lr > 0, got ${start_lr} and ${end_lr}`);
    }
  } else if (step_mode === 'linear') {
    if (start_lr < 0 || end_lr < 0) throw new RangeError(`learning rates must be >= 0, got ${start_lr} and ${end_lr}`);
  } else {
    throw new RangeError(`step_mode must be "exp" or "linear", got ${String(step_mode)}`);
  }
}

/** LR of iteration i (0-based) of a num_iter-step plan. */
export function lrAt(i: number, start_lr: number, end_lr: number, num_iter: number, step_mode: StepMode): number {
  if (i <= 0) return start_lr;
  if (i >= num_iter - 1) return end_lr;
  const r = i / (num_iter - 1);
  return step_mode === 'exp' ? start_lr * (end_lr / start_lr) ** r : start_lr + r * (end_lr - start_lr);
}

/** The whole plan: num_iter LRs, first exactly start_lr, last exactly end_lr. */
export function lrPlan(start_lr: number, end_lr: number, num_iter: number, step_mode: StepMode = 'exp'): number[] {
  checkLrPlan(start_lr, end_lr, num_iter, step_mode);
  const lrs = new Array<number>(num_iter);
  for (let i = 0; i < num_iter; i++) lrs[i] = lrAt(i, start_lr, end_lr, num_iter, step_mode);
  return lrs;
}
