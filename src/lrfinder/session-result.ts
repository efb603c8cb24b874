/** A sweep session's result: the service's analysis of the recorded points, or the emulated library's. */
import { analyzeRangeTest } from './analyze.js';
import { emulationResult, type EmulationResult, type EmulationState, type ResolvedEmulation } from './emulate/index.js';
import { summarizeRangeTest, type RangePoint } from './range-test.js';
import { isFiniteLoss } from './losses.js';
import { lrAt } from './lr-plan.js';
import { SERVICE_DEFAULTS } from './defaults.js';
import {
  endsWithSkip,
  reportsOf,
  sweepEmulation,
  trailingSkips,
  type SweepOptions,
  type SweepState,
  type SweepStopReason,
} from './session-types.js';
import type { MethodPick } from './suggest/pick.js';
import type { MethodName } from './suggest/registry.js';
import type { CurveWarning } from './warnings.js';

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
      lr:
        e !== null && state.emulation
          ? state.emulation.lrs[i]
          : lrAt(i, opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode),
      loss: isFiniteLoss(raw) ? raw : null,
      smoothed_loss: s,
      grad_norm: null,
      best_loss: best,
    });
  }
  return points;
}

/** The service pipeline's analysis options (an emulating session reads `emulate.analysis` instead). */
export interface SweepAnalysisOptions {
  suggestion?: MethodName;
  /** points dropped at the front / end by every method (default: each method's own library's) */
  skip_start?: number;
  skip_end?: number;
  /** methods to run (default: every method) */
  methods?: readonly MethodName[];
  /** keras_lr_finder `get_best_lr(sma)` */
  sma?: number;
}

export interface SweepResult {
  lrs: number[];
  losses: (number | null)[];
  smoothed_losses: (number | null)[];
  suggested_lr: number | null;
  suggestion: MethodPick;
  /** every method's pick, with the window it read, the trimming applied and its warnings */
  suggestions: Partial<Record<MethodName, MethodPick>>;
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
  const base =
    e !== null && state.emulation ? emulatedResult(state, opts, e, reason) : serviceResult(state, opts, reason);
  if (state.skipped !== undefined && state.skipped.length > 0) {
    base.reports = reportsOf(state);
    base.skipped = [...state.skipped];
    base.warnings.push(
      e === null
        ? {
            code: 'skipped_steps',
            message: `${state.skipped.length} step(s) skipped by the GradScaler were not recorded and did not advance the plan`,
          }
        : {
            code: 'skipped_steps_recorded',
            message: `${state.skipped.length} step(s) skipped by the GradScaler were recorded, as ${e.library} records them`,
          },
    );
    if (e === null && reason === 'non_finite' && endsWithSkip(state)) {
      const run = trailingSkips(state);
      base.warnings.push({
        code: 'too_many_skipped_steps',
        message:
          `the GradScaler skipped ${run} optimizer steps in a row (more than max_skipped_steps, ${opts.max_skipped_steps ?? SERVICE_DEFAULTS.max_skipped_steps}): ` +
          'the gradients are not finite at any loss scale; the session stopped as non_finite. Lower end_lr, clip gradients, or check the data',
        iteration: reportsOf(state) - 1,
      });
    }
  }
  if (opts.param_groups !== undefined && opts.param_groups.length > 0) {
    base.param_groups = opts.param_groups.map((g) => ({
      name: g.name,
      lr_mult: g.lr_mult,
      suggested_lr: base.suggested_lr === null ? null : base.suggested_lr * g.lr_mult,
    }));
  }
  return base;
}

function serviceResult(
  state: SweepState,
  opts: SweepOptions & SweepAnalysisOptions,
  reason: SweepStopReason,
): SweepResult {
  // summarizeRangeTest only carries the reason through; the analysis does not depend on it
  const outcome = summarizeRangeTest(sweepPoints(state, opts), reason === 'stopped_by_client' ? 'completed' : reason);
  const analysis = analyzeRangeTest(outcome, {
    num_iter: opts.num_iter,
    suggestion: opts.suggestion,
    skip_start: opts.skip_start,
    skip_end: opts.skip_end,
    methods: opts.methods,
    sma: opts.sma,
  });
  const warnings = [...analysis.warnings];
  if (reason === 'non_finite' && !endsWithSkip(state))
    warnings.push({ code: 'non_finite', message: NON_FINITE_HINT, iteration: outcome.iterations - 1 });
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

function emulatedResult(
  state: SweepState,
  opts: SweepOptions,
  e: ResolvedEmulation,
  reason: SweepStopReason,
): SweepResult {
  const r = emulationResult(state.emulation as EmulationState, e, opts.emulate?.analysis ?? {});
  const pts = sweepPoints(state, opts);
  const best = summarizeRangeTest(pts, 'completed');
  const s = r.suggestion;
  // the library's warnings and the chosen pick's (every pick carries its own)
  const warnings = [...r.warnings, ...s.warnings];
  if (s.lr === null) warnings.push({ code: 'no_suggestion', message: `no ${s.method} suggestion: ${s.reason}` });
  return {
    lrs: [...r.lrs],
    losses: pts.map((p) => p.loss),
    smoothed_losses: [...state.smoothed_losses],
    suggested_lr: s.lr,
    suggestion: s,
    suggestions: r.suggestions,
    best_lr: best.best_lr,
    best_loss: best.best_loss,
    stop_reason: reason,
    iterations: r.iterations,
    warnings,
    emulation: r,
  };
}
