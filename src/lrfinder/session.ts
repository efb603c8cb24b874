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
 *   the point (the next answer repeats the LR). The libraries do not know about skipped steps —
 *   fastai, torch-lr-finder, Lightning and ignite record them like any other — so an emulating
 *   session records a skipped report's loss as usual (it must carry one) and lists it.
 * - parameter groups (discriminative LRs): `param_groups: [{name, lr_mult}]`; every answer gives
 *   each group's LR, `lr × lr_mult`; the curve and the picks are in the plan's own LR (lr_mult 1),
 *   and the result gives each group's pick × lr_mult.
 * - `emulate`: a library's whole pipeline (./emulate): its plan, smoothing, stop rule, trimming
 *   and methods, one report at a time, bit-identical to `emulate()` on the same losses.
 */
import { analyzeRangeTest, type CurveAnalysis } from './analyze.js';
import {
  emulationNext, emulationResult, emulationStep, resolveEmulation, startEmulation,
  type EmulationAnalysisOptions, type EmulationOptions, type EmulationResult, type EmulationState, type ResolvedEmulation,
} from './emulate/index.js';
import { isFiniteLoss, type LossValue } from './losses.js';
import type { LibraryName, MethodName } from './suggest/registry.js';
import { checkRangeTestOptions, summarizeRangeTest, type RangePoint, type RangeTestOptions, type RangeTestOutcome } from './range-test.js';
import { checkLrPlan, lrAt } from './schedule.js';
import { emaStep, hasDiverged } from './smoothing.js';
import type { SuggestionMethodName } from './suggest/index.js';
import type { CurveWarning } from './warnings.js';

/** `stopped_by_client`: the client ended the session early (POST .../stop). */
export type SweepStopReason = RangeTestOutcome['stop_reason'] | 'stopped_by_client';

export interface SweepState {
  /** raw losses of the recorded points, null where non-finite (an emulating session keeps each kind in emulation.raw_losses) */
  losses: (number | null)[];
  /** torch-lr-finder EMA per iteration; null on the non-finite stopping point */
  smoothed_losses: (number | null)[];
  /** best smoothed loss so far; null while no finite point was recorded */
  best: number | null;
  /** null while running */
  stop_reason: SweepStopReason | null;
  /** reports received, skipped ones included (= the next iteration); absent in sessions stored before skipped reports: = losses.length */
  reports?: number;
  /** iterations reported as skipped (GradScaler) */
  skipped?: number[];
  /** the emulated library's state, when the session emulates one */
  emulation?: EmulationState;
}

/** A parameter group of the client's optimizer: its LR is the plan's LR × lr_mult. */
export interface ParamGroup {
  name: string;
  lr_mult: number;
}

export interface SweepEmulation {
  library: LibraryName;
  /** the library's options the request set (the library's defaults fill the rest, ./emulate/options.ts) */
  options?: EmulationOptions;
  /** which methods, which pick, and trimming overrides (default: the library's own) */
  analysis?: EmulationAnalysisOptions;
}

/** What a sweep session adds to the range test's options. */
export interface SweepExtras {
  param_groups?: readonly ParamGroup[];
  emulate?: SweepEmulation | null;
}

export type SweepOptions = RangeTestOptions & SweepExtras;

export const MAX_PARAM_GROUPS = 64;

export function checkParamGroups(groups: readonly ParamGroup[] | undefined): void {
  if (groups === undefined) return;
  if (groups.length > MAX_PARAM_GROUPS) throw new RangeError(`param_groups: at most ${MAX_PARAM_GROUPS} groups, got ${groups.length}`);
  const seen = new Set<string>();
  groups.forEach((g, k) => {
    if (typeof g.name !== 'string' || g.name.length === 0) throw new RangeError(`param_groups[${k}].name must be a non-empty string`);
    if (seen.has(g.name)) throw new RangeError(`param_groups[${k}].name "${g.name}" is used twice`);
    seen.add(g.name);
    if (!(g.lr_mult > 0) || !Number.isFinite(g.lr_mult)) throw new RangeError(`param_groups[${k}].lr_mult must be a finite number > 0, got ${g.lr_mult}`);
  });
}

/** The emulated library's resolved options (RangeError on options the library rejects). */
export function sweepEmulation(opts: SweepExtras): ResolvedEmulation | null {
  if (!opts.emulate) return null;
  const o = resolveEmulation(opts.emulate.library, opts.emulate.options);
  if ((o.library === 'ignite' || o.library === 'keras-lr-finder') && o.num_iter === null && o.lrs === null) {
    throw new RangeError(`${o.library}: a sweep session plans its LRs ahead, so it needs num_iter (the number of steps)`);
  }
  return o;
}

export function checkSweepOptions(opts: SweepOptions): void {
  checkRangeTestOptions(opts);
  checkLrPlan(opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode);
  checkParamGroups(opts.param_groups);
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

const reportsOf = (s: SweepState): number => s.reports ?? s.losses.length;

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
    return { ...state, reports: iteration + 1, skipped: [...(state.skipped ?? []), iteration] };
  }
  if (report.loss === undefined) {
    throw new RangeError(report.skipped === true
      ? `iteration ${iteration}: ${e?.library} records skipped steps like any other, so an emulating session needs the step's loss`
      : `iteration ${iteration}: a report needs a loss (or skipped: true)`);
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
    return { ...state, losses: [...state.losses, null], smoothed_losses: [...state.smoothed_losses, null], stop_reason: 'non_finite' };
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
  return { ...state, losses: [...state.losses, loss], smoothed_losses: [...state.smoothed_losses, smoothed], best, stop_reason };
}

/** Ends a running session early (the client stops its loop); a stopped one is returned unchanged. */
export function sweepStop(state: SweepState): SweepState {
  return state.stop_reason !== null ? state : { ...state, stop_reason: 'stopped_by_client' };
}

/** The recorded points as the range test's RangePoints (grad_norm unknown: null; non-finite values null). */
export function sweepPoints(state: SweepState, opts: SweepOptions): RangePoint[] {
  const points: RangePoint[] = [];
  const e = sweepEmulation(opts);
  let best: number | null = null;
  for (let i = 0; i < state.losses.length; i++) {
    const s = state.smoothed_losses[i];
    if (s !== null && (best === null || s < best)) best = s;
    const raw = state.losses[i];
    points.push({
      iteration: i,
      lr: e !== null && state.emulation ? state.emulation.lrs[i] : lrAt(i, opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode),
      loss: isFiniteLoss(raw) ? raw : null,
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

type Pick = { lr: number; index: number } | { lr: null; index: null; reason: string };

export interface SweepResult {
  lrs: number[];
  losses: (number | null)[];
  smoothed_losses: (number | null)[];
  suggested_lr: number | null;
  suggestion: { method: MethodName; lr: number | null; index: number | null; reason?: string };
  suggestions: Partial<Record<MethodName, Pick>>;
  best_lr: number | null;
  best_loss: number | null;
  stop_reason: SweepStopReason;
  iterations: number;
  warnings: CurveWarning[];
  /** reports received (recorded + skipped), when some were skipped */
  reports?: number;
  /** iterations reported as skipped */
  skipped?: number[];
  /** each parameter group's pick: suggested_lr × lr_mult */
  param_groups?: { name: string; lr_mult: number; suggested_lr: number | null }[];
  /** the emulated library's whole result (its picks with window, trimming and warnings) */
  emulation?: EmulationResult;
}

const NON_FINITE_HINT =
  'the reported loss was NaN/Inf: clip gradients (torch.nn.utils.clip_grad_norm_), lower end_lr, and check the data for NaN or huge values';

/**
 * The result of a stopped (or stopping) session: summarizeRangeTest + analyzeRangeTest on the
 * recorded points, exactly as a range test job builds its result (minus grad norms and layers);
 * an emulating session's result is the library's (emulationResult), bit-identical to `emulate()`.
 */
export function sweepResult(state: SweepState, opts: SweepOptions & SweepAnalysisOptions): SweepResult {
  const reason = state.stop_reason ?? 'stopped_by_client';
  const e = sweepEmulation(opts);
  const base = e !== null && state.emulation ? emulatedResult(state, opts, e, reason) : serviceResult(state, opts, reason);
  if (state.skipped !== undefined && state.skipped.length > 0) {
    base.reports = reportsOf(state);
    base.skipped = [...state.skipped];
    base.warnings.push(e === null
      ? { code: 'skipped_steps', message: `${state.skipped.length} step(s) skipped by the GradScaler were not recorded and did not advance the plan` }
      : { code: 'skipped_steps_recorded', message: `${state.skipped.length} step(s) skipped by the GradScaler were recorded, as ${e.library} records them` });
  }
  if (opts.param_groups !== undefined && opts.param_groups.length > 0) {
    base.param_groups = opts.param_groups.map((g) => ({ name: g.name, lr_mult: g.lr_mult, suggested_lr: base.suggested_lr === null ? null : base.suggested_lr * g.lr_mult }));
  }
  return base;
}

function serviceResult(state: SweepState, opts: SweepOptions & SweepAnalysisOptions, reason: SweepStopReason): SweepResult {
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

function emulatedResult(state: SweepState, opts: SweepOptions, e: ResolvedEmulation, reason: SweepStopReason): SweepResult {
  const r = emulationResult(state.emulation as EmulationState, e, opts.emulate?.analysis ?? {});
  const suggestions: Partial<Record<MethodName, Pick>> = {};
  for (const [m, p] of Object.entries(r.suggestions)) {
    if (p) suggestions[m as MethodName] = p.lr === null ? { lr: null, index: null, reason: p.reason ?? 'no pick' } : { lr: p.lr, index: p.index as number };
  }
  const pts = sweepPoints(state, opts);
  const best = summarizeRangeTest(pts, 'completed');
  const s = r.suggestion;
  const warnings = [...r.warnings];
  for (const p of Object.values(r.suggestions)) if (p) warnings.push(...p.warnings.map((w) => ({ ...w, message: `${p.method}: ${w.message}` })));
  return {
    lrs: [...r.lrs],
    losses: pts.map((p) => p.loss),
    smoothed_losses: [...state.smoothed_losses],
    suggested_lr: s.lr,
    suggestion: s.lr === null ? { method: s.method, lr: null, index: null, reason: s.reason } : { method: s.method, lr: s.lr, index: s.index },
    suggestions,
    best_lr: best.best_lr,
    best_loss: best.best_loss,
    stop_reason: reason,
    iterations: r.iterations,
    warnings,
    emulation: r,
  };
}
