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
 * The state is plain JSON (stored in Redis by src/sync/sweep-sessions/store.ts); every function here
 * is pure and returns a new state.
 *
 * What a client reports (one report per OPTIMIZER step):
 * - gradient accumulation: train `accumulation_steps` micro-batches at `next.lr`, step the
 *   optimizer once, and report the mean of the micro-batch losses (torch-lr-finder's
 *   `range_test(accumulation_steps=k)` records exactly that: each micro-batch loss / k, summed).
 *   To emulate Lightning (`accumulate_grad_batches=k`) report the last micro-batch's loss / k (what
 *   Lightning records); to emulate fastai, report every micro-batch (fastai's LRFinder advances
 *   its schedule per batch, GradientAccumulation or not).
 * - mixed precision: when the GradScaler skipped the optimizer step (inf/NaN gradients), report
 *   `{skipped: true}`: the service's own pipeline does not advance the plan and does not record
 *   the point (the next answer repeats the LR); more than `max_skipped_steps` (20) skipped reports
 *   in a row stop the session as `non_finite`. The libraries do not know about skipped steps —
 *   fastai, torch-lr-finder, Lightning and ignite record them like any other — so an emulating
 *   session records a skipped report's loss as usual (it must carry one) and lists it.
 * - parameter groups (discriminative LRs): `param_groups: [{name, lr_mult}]`; every answer gives
 *   each group's LR, `lr × lr_mult`; the curve and the picks are in the plan's own LR (lr_mult 1),
 *   and the result gives each group's pick × lr_mult.
 * - `emulate`: a library's whole pipeline (./emulate): its plan, smoothing, stop rule, trimming
 *   and methods, one report at a time, bit-identical to `emulate()` on the same losses.
 */
import {
  emulationNext,
  emulationStep,
  startEmulation,
  type EmulationState,
  type ResolvedEmulation,
} from './emulate/index.js';
import { isFiniteLoss, type LossValue } from './losses.js';
import { checkRangeTestOptions, type RangeTestOptions } from './range-test.js';
import { checkLrPlan, lrAt } from './lr-plan.js';
import { SERVICE_DEFAULTS } from './defaults.js';
import {
  checkParamGroups,
  reportsOf,
  trailingSkips,
  sweepEmulation,
  type SweepExtras,
  type SweepOptions,
  type SweepState,
  type SweepStopReason,
} from './session-types.js';
import { emaStep, hasDiverged } from './smoothing.js';

export * from './session-types.js';
export * from './session-result.js';

export function checkSweepOptions(opts: SweepOptions): void {
  checkRangeTestOptions(opts);
  checkLrPlan(opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode);
  checkParamGroups(opts.param_groups);
  const cap = opts.max_skipped_steps;
  if (cap !== undefined && (!Number.isInteger(cap) || cap < 0))
    throw new RangeError(`max_skipped_steps must be an integer >= 0, got ${cap}`);
  sweepEmulation(opts);
}

export function newSweep(opts: SweepExtras = {}): SweepState {
  const e = sweepEmulation(opts);
  const s: SweepState = { losses: [], smoothed_losses: [], best: null, stop_reason: null };
  if (e !== null) {
    s.emulation = startEmulation(e);
    if (s.emulation.stop_reason !== null) s.stop_reason = 'completed';
  }
  return s;
}

export interface SweepNext {
  iteration: number;
  lr: number;
  /** each parameter group's LR (lr × lr_mult), when the session has groups */
  param_groups?: { name: string; lr: number }[];
}

/** The iteration to train next and its LR (and each group's); null once stopped. */
export function sweepNext(state: SweepState, opts: SweepOptions): SweepNext | null {
  if (state.stop_reason !== null) return null;
  const e = sweepEmulation(opts);
  let lr: number;
  if (e !== null && state.emulation) {
    const n = emulationNext(state.emulation, e);
    if (n === null) return null;
    lr = n.lr;
  } else {
    lr = lrAt(state.losses.length, opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode);
  }
  const next: SweepNext = { iteration: reportsOf(state), lr };
  if (opts.param_groups !== undefined && opts.param_groups.length > 0) {
    next.param_groups = opts.param_groups.map((g) => ({ name: g.name, lr: lr * g.lr_mult }));
  }
  return next;
}

export interface SweepReport {
  /** the loss of the step (NaN, ±Infinity as they are; null = non-finite of unknown kind) */
  loss?: LossValue;
  /** the GradScaler skipped this optimizer step */
  skipped?: boolean;
}

/**
 * One report of the client's loop (the step trained at sweepNext's LR). The service's pipeline:
 * a skipped step only counts the iteration; a loss goes through `sweepStep`. An emulating session
 * records every reported loss, skipped or not, as the library would. Throws RangeError on a stopped
 * session or a report without a loss where one is needed.
 */
export function sweepReport(state: SweepState, opts: SweepOptions, report: SweepReport): SweepState {
  if (state.stop_reason !== null) throw new RangeError(`the session already stopped (${state.stop_reason})`);
  const iteration = reportsOf(state);
  const e = sweepEmulation(opts);
  if (report.skipped === true && e === null) {
    const next: SweepState = { ...state, reports: iteration + 1, skipped: [...(state.skipped ?? []), iteration] };
    // a GradScaler that skips step after step never finds finite gradients: stop as non_finite
    if (trailingSkips(next) > (opts.max_skipped_steps ?? SERVICE_DEFAULTS.max_skipped_steps))
      next.stop_reason = 'non_finite';
    return next;
  }
  if (report.loss === undefined) {
    throw new RangeError(
      report.skipped === true
        ? `iteration ${iteration}: ${e?.library} records skipped steps like any other, so an emulating session needs the step's loss`
        : `iteration ${iteration}: a report needs a loss (or skipped: true)`,
    );
  }
  const skipped = report.skipped === true ? [...(state.skipped ?? []), iteration] : state.skipped;
  const base = e === null ? sweepStep(state, opts, report.loss) : emulateStep(state, e, report.loss);
  const next: SweepState = { ...base, reports: iteration + 1 };
  if (skipped !== undefined) next.skipped = skipped;
  return next;
}

function emulateStep(state: SweepState, e: ResolvedEmulation, loss: LossValue): SweepState {
  const em = emulationStep(state.emulation as EmulationState, e, loss);
  const last = em.losses[em.losses.length - 1];
  const value = typeof last === 'number' ? last : null;
  const best = value !== null && (state.best === null || value < state.best) ? value : state.best;
  const stop = em.stop_reason === null ? null : em.stop_reason === 'exhausted' ? 'completed' : em.stop_reason;
  return {
    ...state,
    losses: [...state.losses, isFiniteLoss(loss) ? loss : null],
    smoothed_losses: [...state.smoothed_losses, value !== null && Number.isFinite(value) ? value : null],
    best,
    stop_reason: stop,
    emulation: em,
  };
}

/**
 * Records the loss of the next iteration (trained at sweepNext's LR) and applies the stop rule,
 * in `rangeTest`'s order: non-finite → stop; else EMA (the first point seeds it), best, record,
 * then diverged → stop; the last planned point → completed. Throws on a stopped session.
 */
export function sweepStep(state: SweepState, opts: RangeTestOptions, loss: LossValue): SweepState {
  if (state.stop_reason !== null) throw new RangeError(`the session already stopped (${state.stop_reason})`);
  const i = state.losses.length;
  if (!isFiniteLoss(loss)) {
    return {
      ...state,
      losses: [...state.losses, null],
      smoothed_losses: [...state.smoothed_losses, null],
      stop_reason: 'non_finite',
    };
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
  return {
    ...state,
    losses: [...state.losses, loss],
    smoothed_losses: [...state.smoothed_losses, smoothed],
    best,
    stop_reason,
  };
}

/** Ends a running session early (the client stops its loop); a stopped one is returned unchanged. */
export function sweepStop(state: SweepState): SweepState {
  return state.stop_reason !== null ? state : { ...state, stop_reason: 'stopped_by_client' };
}
