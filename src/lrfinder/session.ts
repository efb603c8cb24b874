/**
 * A sweep session: the LR range test of ./range-test.ts driven from outside, one reported loss at
 * a time (the client trains at the planned LR in its own PyTorch/JAX loop and reports the loss).
 *
 * Same plan (lrAt, ./schedule.ts), same EMA (emaStep) and same stop rule (hasDiverged, sign-safe;
 * a non-finite loss stops at once and never enters the EMA or the best) as `rangeTest`, so feeding
 * the losses `rangeTest`'s step function would have returned gives the same points bit for bit
 * (test/lrfinder/session.test.ts). Source of the rule: davidtvs/pytorch-lr-finder,
 * torch_lr_finder/lr_finder.py, `LRFinder.range_test` (see ./smoothing.ts).
 *
 * The state is plain JSON (stored in Redis by src/queue/sweep-sessions.ts); every function here
 * is pure and returns a new state.
 */
import { analyzeRangeTest, type CurveAnalysis } from './analyze.js';
import { checkRangeTestOptions, summarizeRangeTest, type RangePoint, type RangeTestOptions, type RangeTestOutcome } from './range-test.js';
import { checkLrPlan, lrAt } from './schedule.js';
import { emaStep, hasDiverged } from './smoothing.js';
import type { SuggestionMethodName } from './suggest/index.js';
import type { CurveWarning } from './warnings.js';

/** `stopped_by_client`: the client ended the session early (POST .../stop). */
export type SweepStopReason = RangeTestOutcome['stop_reason'] | 'stopped_by_client';

export interface SweepState {
  /** raw losses reported so far (null = NaN/Inf), one per iteration 0..n-1 */
  losses: (number | null)[];
  /** torch-lr-finder EMA per iteration; null on the non-finite stopping point */
  smoothed_losses: (number | null)[];
  /** best smoothed loss so far; null while no finite point was recorded */
  best: number | null;
  /** null while running */
  stop_reason: SweepStopReason | null;
}

export function checkSweepOptions(opts: RangeTestOptions): void {
  checkRangeTestOptions(opts);
  checkLrPlan(opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode);
}

export function newSweep(): SweepState {
  return { losses: [], smoothed_losses: [], best: null, stop_reason: null };
}

/** The iteration to train next and its LR; null once stopped. */
export function sweepNext(state: SweepState, opts: RangeTestOptions): { iteration: number; lr: number } | null {
  if (state.stop_reason !== null) return null;
  const i = state.losses.length;
  return { iteration: i, lr: lrAt(i, opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode) };
}

/**
 * Records the loss of the next iteration (trained at sweepNext's LR) and applies the stop rule,
 * in `rangeTest`'s order: non-finite → stop; else EMA (the first point seeds it), best, record,
 * then diverged → stop; the last planned point → completed. Throws on a stopped session.
 */
export function sweepStep(state: SweepState, opts: RangeTestOptions, loss: number | null): SweepState {
  if (state.stop_reason !== null) throw new RangeError(`the session already stopped (${state.stop_reason})`);
  const i = state.losses.length;
  if (loss === null || !Number.isFinite(loss)) {
    return { losses: [...state.losses, null], smoothed_losses: [...state.smoothed_losses, null], best: state.best, stop_reason: 'non_finite' };
  }
  let smoothed: number;
  let best: number;
  if (i === 0) {
    smoothed = loss;
    best = smoothed;
  } else {
    smoothed = emaStep(state.smoothed_losses[i - 1] as number, loss, opts.smooth_f);
    best = state.best as number;
    if (smoothed < best) best = smoothed;
  }
  let stop_reason: SweepStopReason | null = null;
  if (hasDiverged(smoothed, best, opts.diverge_th)) stop_reason = 'diverged';
  else if (i + 1 >= opts.num_iter) stop_reason = 'completed';
  return { losses: [...state.losses, loss], smoothed_losses: [...state.smoothed_losses, smoothed], best, stop_reason };
}

/** Ends a running session early (the client stops its loop); a stopped one is returned unchanged. */
export function sweepStop(state: SweepState): SweepState {
  return state.stop_reason !== null ? state : { ...state, stop_reason: 'stopped_by_client' };
}

/** The recorded points as the range test's RangePoints (grad_norm unknown: null). */
export function sweepPoints(state: SweepState, opts: RangeTestOptions): RangePoint[] {
  const points: RangePoint[] = [];
  let best: number | null = null;
  for (let i = 0; i < state.losses.length; i++) {
    const s = state.smoothed_losses[i];
    if (s !== null && (best === null || s < best)) best = s;
    points.push({
      iteration: i,
      lr: lrAt(i, opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode),
      loss: state.losses[i],
      smoothed_loss: s,
      grad_norm: null,
      best_loss: best,
    });
  }
  return points;
}

export interface SweepAnalysisOptions {
  suggestion?: SuggestionMethodName;
  skip_start?: number;
  skip_end?: number;
}

export interface SweepResult {
  lrs: number[];
  losses: (number | null)[];
  smoothed_losses: (number | null)[];
  suggested_lr: number | null;
  suggestion: CurveAnalysis['suggestion'];
  suggestions: CurveAnalysis['suggestions'];
  best_lr: number | null;
  best_loss: number | null;
  stop_reason: SweepStopReason;
  iterations: number;
  warnings: CurveWarning[];
}

const NON_FINITE_HINT =
  'the reported loss was NaN/Inf: clip gradients (torch.nn.utils.clip_grad_norm_), lower end_lr, and check the data for NaN or huge values';

/**
 * The result of a stopped (or stopping) session: summarizeRangeTest + analyzeRangeTest on the
 * recorded points, exactly as a range test job builds its result (minus grad norms and layers).
 */
export function sweepResult(state: SweepState, opts: RangeTestOptions & SweepAnalysisOptions): SweepResult {
  const reason = state.stop_reason ?? 'stopped_by_client';
  // summarizeRangeTest only carries the reason through; the analysis does not depend on it
  const outcome = summarizeRangeTest(sweepPoints(state, opts), reason === 'stopped_by_client' ? 'completed' : reason);
  const analysis = analyzeRangeTest(outcome, {
    num_iter: opts.num_iter,
    suggestion: opts.suggestion,
    skip_start: opts.skip_start,
    skip_end: opts.skip_end,
  });
  const warnings = [...analysis.warnings];
  if (reason === 'non_finite') warnings.push({ code: 'non_finite', message: NON_FINITE_HINT, iteration: outcome.iterations - 1 });
  return {
    lrs: outcome.lrs,
    losses: outcome.losses,
    smoothed_losses: outcome.smoothed_losses,
    suggested_lr: analysis.suggested_lr,
    suggestion: analysis.suggestion,
    suggestions: analysis.suggestions,
    best_lr: outcome.best_lr,
    best_loss: outcome.best_loss,
    stop_reason: reason,
    iterations: outcome.iterations,
    warnings,
  };
}
