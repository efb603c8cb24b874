/**
 * The LR range test (Smith 2015, "Cyclical Learning Rates for Training Neural Networks", §3.3)
 * as a generator of points, following torch-lr-finder's `LRFinder.range_test`
 * (davidtvs/pytorch-lr-finder, torch_lr_finder/lr_finder.py): its argument names and defaults,
 * its LR plan (./schedule.ts), its EMA and its stop rule (./smoothing.ts), with two fixes:
 *
 * 1. Non-finite losses. torch-lr-finder lets a NaN/inf into the EMA (poisoned forever, garbage
 *    suggestion). Here any non-finite loss, or a step that reports `non_finite` (NaN/inf in the
 *    gradients, the update was skipped), stops the run at once with stop_reason `non_finite`.
 *    That point is recorded with `loss: null` (or its finite raw value when only the gradients
 *    were non-finite), `smoothed_loss: null`, and it never enters the EMA or the best loss.
 * 2. Sign-safe divergence (see divergenceThreshold): identical to `loss > diverge_th * best`
 *    for best > 0, and no misfire for best <= 0.
 *
 * The generator yields one RangePoint per optimizer step and returns a RangeTestOutcome. The
 * caller (a worker) drives it: it may report progress between points, or stop pulling to cancel
 * (`summarizeRangeTest` builds an outcome from the points seen so far).
 */
import type { StepResult } from '../core/types.js';
import { TORCH_LR_FINDER_DEFAULTS } from './defaults.js';
import { lrPlan, type StepMode } from './lr-plan.js';
import { emaStep, hasDiverged } from './smoothing.js';

export interface RangeTestOptions {
  start_lr: number;
  end_lr: number;
  num_iter: number;
  step_mode: StepMode;
  /** weight of the new sample in the EMA, in [0, 1); 0 = no smoothing */
  smooth_f: number;
  /** stop when smoothed > diverge_th·best (sign-safe form, see smoothing.ts); > 1 */
  diverge_th: number;
}

/** torch-lr-finder's `range_test` defaults (start_lr=None there means "the optimizer's LR"; 1e-7 like fastai). */
export const RANGE_TEST_OPTION_DEFAULTS: Readonly<RangeTestOptions> = Object.freeze({
  start_lr: TORCH_LR_FINDER_DEFAULTS.start_lr,
  end_lr: TORCH_LR_FINDER_DEFAULTS.end_lr,
  num_iter: TORCH_LR_FINDER_DEFAULTS.num_iter,
  step_mode: TORCH_LR_FINDER_DEFAULTS.step_mode,
  smooth_f: TORCH_LR_FINDER_DEFAULTS.smooth_f,
  diverge_th: TORCH_LR_FINDER_DEFAULTS.diverge_th,
});

export type StopReason = 'completed' | 'diverged' | 'non_finite';

export interface RangePoint {
  iteration: number;
  lr: number;
  /** raw minibatch loss; null when non-finite */
  loss: number | null;
  /** torch-lr-finder EMA; null on a non-finite point */
  smoothed_loss: number | null;
  /** total gradient norm before clipping; null when non-finite */
  grad_norm: number | null;
  /** best smoothed loss so far (including this point); null while no finite point was recorded */
  best_loss: number | null;
}

export interface RangeTestOutcome {
  lrs: number[];
  losses: (number | null)[];
  smoothed_losses: (number | null)[];
  grad_norms: (number | null)[];
  stop_reason: StopReason;
  /** number of recorded points (the stopping point included) */
  iterations: number;
  /** LR at which the best smoothed loss was reached; null when no finite point was recorded */
  best_lr: number | null;
  best_loss: number | null;
}

/** Throws RangeError on options torch-lr-finder would reject (and diverge_th <= 1, which stops at once). */
export function checkRangeTestOptions(opts: RangeTestOptions): void {
  if (!(opts.smooth_f >= 0 && opts.smooth_f < 1)) {
    throw new RangeError(`smooth_f must be in [0, 1) (torch-lr-finder), got ${opts.smooth_f}`);
  }
  if (!(opts.diverge_th > 1) || !Number.isFinite(opts.diverge_th)) {
    throw new RangeError(`diverge_th must be a finite number > 1, got ${opts.diverge_th}`);
  }
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Build the outcome from recorded points (used by the generator; a worker may use it on cancel). */
export function summarizeRangeTest(points: readonly RangePoint[], stop_reason: StopReason): RangeTestOutcome {
  let bestIdx = -1;
  let best = Infinity;
  // the first strictly smaller smoothed loss wins, as `if loss < best_loss` in torch-lr-finder
  for (let i = 0; i < points.length; i++) {
    const s = points[i].smoothed_loss;
    if (s !== null && (bestIdx < 0 || s < best)) {
      best = s;
      bestIdx = i;
    }
  }
  return {
    lrs: points.map((p) => p.lr),
    losses: points.map((p) => p.loss),
    smoothed_losses: points.map((p) => p.smoothed_loss),
    grad_norms: points.map((p) => p.grad_norm),
    stop_reason,
    iterations: points.length,
    best_lr: bestIdx >= 0 ? points[bestIdx].lr : null,
    best_loss: bestIdx >= 0 ? best : null,
  };
}

export function* rangeTest(
  opts: RangeTestOptions,
  step: (lr: number, i: number) => StepResult,
): Generator<RangePoint, RangeTestOutcome> {
  checkRangeTestOptions(opts);
  const lrs = lrPlan(opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode);
  const points: RangePoint[] = [];
  let prev = NaN;
  let best = NaN;
  for (let i = 0; i < lrs.length; i++) {
    const lr = lrs[i];
    const r = step(lr, i);
    const rawFinite = Number.isFinite(r.loss);
    if (!rawFinite || r.non_finite) {
      const p: RangePoint = {
        iteration: i,
        lr,
        loss: rawFinite ? r.loss : null,
        smoothed_loss: null,
        grad_norm: finiteOrNull(r.grad_norm),
        best_loss: i === 0 ? null : best,
      };
      points.push(p);
      yield p;
      return summarizeRangeTest(points, 'non_finite');
    }
    let smoothed: number;
    if (i === 0) {
      smoothed = r.loss;
      best = smoothed;
    } else {
      smoothed = emaStep(prev, r.loss, opts.smooth_f);
      if (smoothed < best) best = smoothed;
    }
    prev = smoothed;
    const p: RangePoint = {
      iteration: i,
      lr,
      loss: r.loss,
      smoothed_loss: smoothed,
      grad_norm: finiteOrNull(r.grad_norm),
      best_loss: best,
    };
    points.push(p);
    yield p;
    if (hasDiverged(smoothed, best, opts.diverge_th)) return summarizeRangeTest(points, 'diverged');
  }
  return summarizeRangeTest(points, 'completed');
}
