/**
 * Curve analysis: every suggestion method on one recorded curve, plus warnings.
 *
 * - `analyzeMethods` (POST /v1/curve-analyses, the end of a range test or sweep session): every
 *   method of ./suggest/registry.ts, each with its own library's trimming unless skip_start /
 *   skip_end are set (then for every method), non-finite losses read as each library reads them
 *   (`non_finite: "library"`) or cutting every window ("cut", the service's own pipeline).
 * - `analyzeRangeTest`: analyzeMethods on a range test's outcome — the smoothed series is the
 *   recorded curve (fastai and torch-lr-finder suggest on their smoothed history), the raw series
 *   feeds zero_lag_steepest, fastai's front trim uses the REQUESTED num_iter.
 * - `analyzeCurve`: the v1 view (six methods, fastai's and torch-lr-finder's trimming options set
 *   separately, ../trim.ts), kept for its tests and callers of the library.
 */
import { SERVICE_DEFAULTS } from './defaults.js';
import type { RangeTestOutcome } from './range-test.js';
import { suggest, type MethodOptions, type MethodPick, type RecordedCurve } from './suggest/pick.js';
import { isMethodName, METHOD_NAMES, type MethodName } from './suggest/registry.js';
import {
  checkCurve,
  isV1MethodName,
  SUGGESTION_METHODS,
  V1_METHOD_NAMES,
  type Suggestion,
  type V1MethodName,
} from './suggest/index.js';
import type { SlideOptions } from './suggest/slide.js';
import type { TrimOptions, Window } from './trim.js';
import { curveWarnings, type CurveWarning } from './warnings.js';

export const DEFAULT_SUGGESTION: MethodName = SERVICE_DEFAULTS.suggestion; // chosen by the suggestion-quality benchmark

export interface AnalyzeCurveInput extends TrimOptions {
  lrs: readonly number[];
  losses: readonly (number | null)[];
  raw_losses?: readonly (number | null)[];
  /** the method whose pick becomes suggested_lr (default SERVICE_DEFAULTS.suggestion) */
  suggestion?: V1MethodName;
  /** methods to run (default all); the chosen `suggestion` always runs */
  methods?: readonly V1MethodName[];
  slide?: SlideOptions;
}

export interface CurveAnalysis {
  suggested_lr: number | null;
  suggestion: { method: V1MethodName; lr: number | null; index: number | null; reason?: string };
  suggestions: Partial<Record<V1MethodName, Suggestion>>;
  /** the half-open window [start, end) of the original arrays each method read */
  windows: Partial<Record<V1MethodName, Window>>;
  warnings: CurveWarning[];
}

export function analyzeCurve(input: AnalyzeCurveInput): CurveAnalysis {
  const method: V1MethodName =
    input.suggestion !== undefined && isV1MethodName(input.suggestion) ? input.suggestion : SERVICE_DEFAULTS.suggestion;
  const wanted = new Set<V1MethodName>((input.methods ?? V1_METHOD_NAMES).filter(isV1MethodName));
  wanted.add(method);
  const curve = { lrs: input.lrs, losses: input.losses, raw_losses: input.raw_losses };
  const warnings: CurveWarning[] = [];
  const suggestions: Partial<Record<V1MethodName, Suggestion>> = {};
  const windows: Partial<Record<V1MethodName, Window>> = {};

  if (input.suggestion !== undefined && !isV1MethodName(input.suggestion)) {
    warnings.push({
      code: 'unknown_suggestion',
      message: `unknown suggestion method "${String(input.suggestion)}"; used ${SERVICE_DEFAULTS.suggestion}`,
    });
  }
  const bad = checkCurve(curve);
  if (bad) warnings.push({ code: 'invalid_curve', message: bad });
  else warnings.push(...curveWarnings(input.lrs, input.losses));

  for (const name of V1_METHOD_NAMES) {
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
    suggestion:
      chosen.lr === null
        ? { method, lr: null, index: null, reason: chosen.reason }
        : { method, lr: chosen.lr, index: chosen.index },
    suggestions,
    windows,
    warnings,
  };
}

/**
 * The analysis at the end of a range test (the service's own pipeline): every method on the
 * smoothed series (zero_lag_steepest on the raw one), each with its own library's trimming unless
 * skip_start / skip_end are set, fastai's front trim from the REQUESTED num_iter, windows cut
 * before a non-finite loss (the run stops at the first one anyway).
 */
export function analyzeRangeTest(
  outcome: RangeTestOutcome,
  opts: {
    num_iter: number;
    suggestion?: MethodName;
    skip_start?: number;
    skip_end?: number;
    methods?: readonly MethodName[];
    sma?: number;
  },
): MethodsAnalysis {
  return analyzeMethods(
    { lrs: outcome.lrs, losses: outcome.smoothed_losses, raw_losses: outcome.losses },
    {
      num_it: opts.num_iter,
      suggestion: opts.suggestion,
      skip_start: opts.skip_start,
      skip_end: opts.skip_end,
      methods: opts.methods,
      sma: opts.sma,
      non_finite: 'cut',
    },
  );
}

export interface AnalyzeOptions extends MethodOptions {
  /** the method whose pick is `suggested_lr` (default SERVICE_DEFAULTS.suggestion) */
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
  const method: MethodName =
    opts.suggestion !== undefined && isMethodName(opts.suggestion) ? opts.suggestion : SERVICE_DEFAULTS.suggestion;
  const names = new Set<MethodName>((opts.methods ?? METHOD_NAMES).filter(isMethodName));
  names.add(method);
  const suggestions: Partial<Record<MethodName, MethodPick>> = {};
  for (const m of METHOD_NAMES) if (names.has(m)) suggestions[m] = suggest(m, curve, opts);
  const chosen = suggestions[method] as MethodPick;
  const warnings: CurveWarning[] = [];
  const bad = checkCurve(curve);
  if (bad) warnings.push({ code: 'invalid_curve', message: bad });
  else warnings.push(...curveWarnings(curve.lrs, curve.losses));
  if (chosen.lr === null)
    warnings.push({ code: 'no_suggestion', message: `no ${method} suggestion: ${chosen.reason}` });
  warnings.push(...chosen.warnings);
  return { suggested_lr: chosen.lr, suggestion: chosen, suggestions, warnings };
}
