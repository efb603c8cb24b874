/**
 * Curve analysis: every suggestion method on one recorded curve, plus warnings. Used at the end of
 * a range test (analyzeRangeTest) and by POST /v1/curve-analyses for curves recorded elsewhere.
 *
 * Which series each method sees (decided here, documented in the API):
 * - `losses` is the RECORDED curve: after a range test, our smoothed series (torch-lr-finder's
 *   EMA, smooth_f) — fastai and torch-lr-finder both run their suggesters on their recorded,
 *   smoothed history, and the methods are bit-compatible "given the same curve". For a curve
 *   posted by a client, `losses` is taken as-is (no smoothing added).
 * - fastai's minimum / steep / valley / slide see `losses` in fastai's lr_find window:
 *   [num_it//10 : -5], cut before the first null (num_it defaults to the curve length; the range
 *   test passes the requested num_iter like fastai). Overrides: fastai_skip_start, fastai_skip_end.
 * - torch-lr-finder's steepest sees `losses` in [skip_start : -skip_end] (10 / 5; skip_end = 0
 *   keeps the end), cut before the first null.
 * - zero_lag_steepest (ours) sees `raw_losses` when given (else `losses`), all finite points.
 * The windows actually used are returned in `windows`.
 */
import { SERVICE_DEFAULTS } from './defaults.js';
import type { RangeTestOutcome } from './range-test.js';
import { suggest, type MethodOptions, type MethodPick, type RecordedCurve } from './suggest/pick.js';
import { isMethodName, METHOD_NAMES, type MethodName } from './suggest/registry.js';
import {
  checkCurve,
  isSuggestionMethodName,
  SUGGESTION_METHOD_NAMES,
  SUGGESTION_METHODS,
  type Suggestion,
  type SuggestionMethodName,
} from './suggest/index.js';
import type { SlideOptions } from './suggest/slide.js';
import type { TrimOptions, Window } from './trim.js';
import { curveWarnings, type CurveWarning } from './warnings.js';

export const DEFAULT_SUGGESTION: SuggestionMethodName = SERVICE_DEFAULTS.suggestion; // fastai's default suggest_funcs

export interface AnalyzeCurveInput extends TrimOptions {
  lrs: readonly number[];
  losses: readonly (number | null)[];
  raw_losses?: readonly (number | null)[];
  /** the method whose pick becomes suggested_lr (default valley) */
  suggestion?: SuggestionMethodName;
  /** methods to run (default all); the chosen `suggestion` always runs */
  methods?: readonly SuggestionMethodName[];
  slide?: SlideOptions;
}

export interface CurveAnalysis {
  suggested_lr: number | null;
  suggestion: { method: SuggestionMethodName; lr: number | null; index: number | null; reason?: string };
  suggestions: Partial<Record<SuggestionMethodName, Suggestion>>;
  /** the half-open window [start, end) of the original arrays each method read */
  windows: Partial<Record<SuggestionMethodName, Window>>;
  warnings: CurveWarning[];
}

export function analyzeCurve(input: AnalyzeCurveInput): CurveAnalysis {
  const method: SuggestionMethodName = input.suggestion !== undefined && isSuggestionMethodName(input.suggestion)
    ? input.suggestion : DEFAULT_SUGGESTION;
  const wanted = new Set<SuggestionMethodName>((input.methods ?? SUGGESTION_METHOD_NAMES).filter(isSuggestionMethodName));
  wanted.add(method);
  const curve = { lrs: input.lrs, losses: input.losses, raw_losses: input.raw_losses };
  const warnings: CurveWarning[] = [];
  const suggestions: Partial<Record<SuggestionMethodName, Suggestion>> = {};
  const windows: Partial<Record<SuggestionMethodName, Window>> = {};

  if (input.suggestion !== undefined && !isSuggestionMethodName(input.suggestion)) {
    warnings.push({ code: 'unknown_suggestion', message: `unknown suggestion method "${String(input.suggestion)}"; used ${DEFAULT_SUGGESTION}` });
  }
  const bad = checkCurve(curve);
  if (bad) warnings.push({ code: 'invalid_curve', message: bad });
  else warnings.push(...curveWarnings(input.lrs, input.losses));

  for (const name of SUGGESTION_METHOD_NAMES) {
    if (!wanted.has(name)) continue;
    const m = SUGGESTION_METHODS[name];
    suggestions[name] = m.suggest(curve, input, { slide: input.slide });
    if (!bad) windows[name] = m.window(curve, input);
  }

  const chosen = suggestions[method] as Suggestion;
  if (chosen.lr === null) {
    warnings.push({ code: 'no_suggestion', message: `no ${method} suggestion: ${chosen.reason}` });
  } else if (!bad) {
    // the chosen method's own warnings (a pick at the edge of its window, next to a non-finite loss)
    warnings.push(...SUGGESTION_METHODS[method].pick(curve, input, { slide: input.slide }).warnings);
  }
  return {
    suggested_lr: chosen.lr,
    suggestion: chosen.lr === null
      ? { method, lr: null, index: null, reason: chosen.reason }
      : { method, lr: chosen.lr, index: chosen.index },
    suggestions,
    windows,
    warnings,
  };
}

/**
 * The analysis at the end of a range test: the smoothed series is the recorded curve, the raw
 * series feeds zero_lag_steepest, and fastai's front trim uses the REQUESTED num_iter.
 */
export function analyzeRangeTest(
  outcome: RangeTestOutcome,
  opts: { num_iter: number; suggestion?: SuggestionMethodName; skip_start?: number; skip_end?: number; methods?: readonly SuggestionMethodName[] },
): CurveAnalysis {
  return analyzeCurve({
    lrs: outcome.lrs,
    losses: outcome.smoothed_losses,
    raw_losses: outcome.losses,
    num_it: opts.num_iter,
    skip_start: opts.skip_start,
    skip_end: opts.skip_end,
    suggestion: opts.suggestion,
    methods: opts.methods,
  });
}

export interface AnalyzeOptions extends MethodOptions {
  /** the method whose pick is `suggested_lr` (default valley, fastai's default) */
  suggestion?: MethodName;
  /** methods to run (default: every method); the chosen `suggestion` always runs */
  methods?: readonly MethodName[];
}

export interface MethodsAnalysis {
  suggested_lr: number | null;
  suggestion: MethodPick;
  /** every requested method's pick, with the window it read, the trimming applied and its warnings */
  suggestions: Partial<Record<MethodName, MethodPick>>;
  /** the curve's warnings and the chosen pick's */
  warnings: CurveWarning[];
}

/**
 * Every method (./suggest/registry.ts) on one recorded curve, each with its own library's
 * trimming unless `skip_start` / `skip_end` are set (then for every method), non-finite losses
 * cut (`non_finite: "cut"`, the service's behaviour) or read as each library would ("library").
 */
export function analyzeMethods(curve: RecordedCurve, opts: AnalyzeOptions = {}): MethodsAnalysis {
  const method: MethodName = opts.suggestion !== undefined && isMethodName(opts.suggestion) ? opts.suggestion : SERVICE_DEFAULTS.suggestion;
  const names = new Set<MethodName>((opts.methods ?? METHOD_NAMES).filter(isMethodName));
  names.add(method);
  const suggestions: Partial<Record<MethodName, MethodPick>> = {};
  for (const m of METHOD_NAMES) if (names.has(m)) suggestions[m] = suggest(m, curve, opts);
  const chosen = suggestions[method] as MethodPick;
  const warnings: CurveWarning[] = [];
  const bad = checkCurve(curve);
  if (bad) warnings.push({ code: 'invalid_curve', message: bad });
  else warnings.push(...curveWarnings(curve.lrs, curve.losses));
  if (chosen.lr === null) warnings.push({ code: 'no_suggestion', message: `no ${method} suggestion: ${chosen.reason}` });
  warnings.push(...chosen.warnings);
  return { suggested_lr: chosen.lr, suggestion: chosen, suggestions, warnings };
}
