/**
 * Every suggestion method by name, as data: its library, that library's default trimming, how it
 * reads `skip_end = 0`, the precision it computes in, how many points it needs, and the function.
 * ./pick.ts applies a spec to a curve.
 *
 * | name              | library          | default trim          | skip_end 0 | float | computes                                   |
 * |-------------------|------------------|-----------------------|------------|-------|--------------------------------------------|
 * | valley            | fastai           | [num_it//10 : -5]     | keeps end¹ | f32   | longest decreasing subsequence, ~middle    |
 * | steep             | fastai           | [num_it//10 : -5]     | keeps end¹ | f32   | forward difference in ln(lr), left end     |
 * | minimum           | fastai           | [num_it//10 : -5]     | keeps end¹ | f32   | lr at the lowest loss / 10                 |
 * | slide             | fastai           | [num_it//10 : -5]     | keeps end¹ | f32   | interval slide rule (lr_diff 15, 0.005)    |
 * | steepest          | torch-lr-finder  | [10 : -5]             | keeps end  | f64   | np.gradient argmin                         |
 * | lightning         | Lightning ≥2.5.3 | [10 : -1]             | empty      | f32   | d loss / d lr (linear lr!), finite only    |
 * | lightning_legacy  | Lightning ≤2.5.2 | [10 : -1]             | empty      | f32   | index gradient, finite only, +skip_begin   |
 * | keras_sma         | keras_lr_finder  | [10 : -5]             | empty      | f64   | backward difference over `sma` points      |
 * | ignite            | ignite           | none                  | keeps end¹ | f32   | central difference before the minimum      |
 * | zero_lag_steepest | lr-finder (ours) | none                  | keeps end  | f64   | local-linear slope in log10(lr), raw losses|
 *
 * ¹ the library has no skip_end argument (fastai hard-codes 5, ignite trims nothing); a requested
 *   skip_end = 0 keeps the end, as torch-lr-finder's `plot` reads it.
 * fastai's lr_find also cuts its window before the first NaN (float32 `isnan`), keeping ±inf.
 */
import {
  FASTAI_DEFAULTS,
  IGNITE_DEFAULTS,
  KERAS_LR_FINDER_DEFAULTS,
  LIGHTNING_DEFAULTS,
  TORCH_LR_FINDER_DEFAULTS,
} from '../defaults.js';
import type { Skips } from '../trim.js';
import { igniteSuggestion } from './ignite.js';
import { argmin, f32 } from './numeric.js';
import { kerasSma } from './keras-sma.js';
import { lightningLegacySuggestion, lightningSuggestion } from './lightning.js';
import { minimum } from './minimum.js';
import { slide, type SlideOptions } from './slide.js';
import { steep } from './steep.js';
import { steepest } from './steepest.js';
import type { Suggestion } from './types.js';
import { valley } from './valley.js';
import { zeroLagSteepestPick, type ZeroLagOptions } from './zero-lag-steepest.js';

export const METHOD_NAMES = Object.freeze([
  'valley',
  'steep',
  'minimum',
  'slide',
  'steepest',
  'lightning',
  'lightning_legacy',
  'keras_sma',
  'ignite',
  'zero_lag_steepest',
] as const);
export type MethodName = (typeof METHOD_NAMES)[number];

export const LIBRARY_NAMES = Object.freeze([
  'fastai',
  'torch-lr-finder',
  'lightning',
  'keras-lr-finder',
  'ignite',
] as const);
export type LibraryName = (typeof LIBRARY_NAMES)[number];
export type MethodOrigin = LibraryName | 'lr-finder';

/** Options some methods read (each ignores the others). */
export interface MethodParams {
  /** fastai `lr_find(num_it)`: the requested iterations; the default front trim is num_it//10 (default: the curve
   * length) */
  num_it?: number;
  /** keras_lr_finder `get_best_lr(sma)` (default 1) */
  sma?: number;
  slide?: SlideOptions;
  zero_lag?: ZeroLagOptions;
}

export interface MethodRun {
  suggestion: Suggestion;
  /** the range the pick could come from, when narrower than the trimmed window (zero_lag_steepest) */
  candidates?: { start: number; end: number } | null;
  /** window positions the method dropped as non-finite (Lightning) */
  dropped?: number;
}

export interface MethodSpec {
  name: MethodName;
  origin: MethodOrigin;
  /** the library's trimming for a curve of n points */
  defaultSkips(n: number, p: MethodParams): Skips;
  /** how `skip_end = 0` reads: Python's [a:-0] (empty) or "keep the end" (torch-lr-finder's plot) */
  skipEndZero: 'empty' | 'keep_end';
  /** fastai's lr_find cuts the window before its first NaN */
  cutsAtNaN: boolean;
  precision: 'float32' | 'float64';
  /** points needed in the window (after any cut) for a pick */
  minPoints(p: MethodParams): number;
  /** the method on the window [start, end) of the full arrays (library floats: NaN, ±Infinity as they are) */
  run(lrs: readonly number[], losses: readonly number[], start: number, end: number, p: MethodParams): MethodRun;
}

const fastaiSkips = (n: number, p: MethodParams): Skips => ({
  skip_start: Math.floor((p.num_it ?? n) / 10),
  skip_end: FASTAI_DEFAULTS.skip_end,
});
const fixed = (skip_start: number, skip_end: number) => (): Skips => ({ skip_start, skip_end });
const windowed =
  (fn: (l: readonly number[], y: readonly number[], p: MethodParams) => Suggestion) =>
  (lrs: readonly number[], losses: readonly number[], start: number, end: number, p: MethodParams): MethodRun => {
    const s = fn(lrs.slice(start, end), losses.slice(start, end), p);
    return { suggestion: s.lr === null ? s : { lr: s.lr, index: s.index + start } };
  };

function fastai(
  name: MethodName,
  minPoints: (p: MethodParams) => number,
  fn: (l: readonly number[], y: readonly number[], p: MethodParams) => Suggestion,
): MethodSpec {
  return {
    name,
    origin: 'fastai',
    defaultSkips: fastaiSkips,
    skipEndZero: 'keep_end',
    cutsAtNaN: true,
    precision: 'float32',
    minPoints,
    run: windowed(fn),
  };
}

export const METHODS: Readonly<Record<MethodName, MethodSpec>> = Object.freeze({
  valley: fastai(
    'valley',
    () => 1,
    (l, y) => valley(l, y),
  ),
  steep: fastai(
    'steep',
    () => 2,
    (l, y) => steep(l, y),
  ),
  minimum: fastai(
    'minimum',
    () => 1,
    (l, y) => minimum(l, y),
  ),
  slide: fastai(
    'slide',
    (p) => Math.max(2, (p.slide?.lr_diff ?? FASTAI_DEFAULTS.slide.lr_diff) + 1),
    (l, y, p) => slide(l, y, p.slide),
  ),
  steepest: {
    name: 'steepest',
    origin: 'torch-lr-finder',
    defaultSkips: fixed(TORCH_LR_FINDER_DEFAULTS.skip_start, TORCH_LR_FINDER_DEFAULTS.skip_end),
    skipEndZero: 'keep_end',
    cutsAtNaN: false,
    precision: 'float64',
    minPoints: () => 2,
    run: windowed((l, y) => steepest(l, y)),
  },
  lightning: {
    name: 'lightning',
    origin: 'lightning',
    defaultSkips: fixed(LIGHTNING_DEFAULTS.skip_begin, LIGHTNING_DEFAULTS.skip_end),
    skipEndZero: 'empty',
    cutsAtNaN: false,
    precision: 'float32',
    minPoints: () => 2,
    run: (l, y, s, e) => lightningSuggestion(l, y, s, e),
  },
  lightning_legacy: {
    name: 'lightning_legacy',
    origin: 'lightning',
    defaultSkips: fixed(LIGHTNING_DEFAULTS.skip_begin, LIGHTNING_DEFAULTS.skip_end),
    skipEndZero: 'empty',
    cutsAtNaN: false,
    precision: 'float32',
    minPoints: () => 2,
    run: (l, y, s, e) => lightningLegacySuggestion(l, y, s, e),
  },
  keras_sma: {
    name: 'keras_sma',
    origin: 'keras-lr-finder',
    defaultSkips: fixed(KERAS_LR_FINDER_DEFAULTS.n_skip_beginning, KERAS_LR_FINDER_DEFAULTS.n_skip_end),
    skipEndZero: 'empty',
    cutsAtNaN: false,
    precision: 'float64',
    minPoints: () => 1,
    run(l, y, s, e, p) {
      const sma = p.sma ?? KERAS_LR_FINDER_DEFAULTS.sma;
      // the first `sma` derivatives are keras_lr_finder's zero padding: real differences start at sma
      return { suggestion: kerasSma(l, y, s, e, sma), candidates: { start: Math.min(Math.max(s, sma), e), end: e } };
    },
  },
  ignite: {
    name: 'ignite',
    origin: 'ignite',
    defaultSkips: fixed(IGNITE_DEFAULTS.skip_start, IGNITE_DEFAULTS.skip_end),
    skipEndZero: 'keep_end',
    cutsAtNaN: false,
    precision: 'float32',
    minPoints: () => IGNITE_DEFAULTS.min_descending_points,
    run(lrs, losses, start, end) {
      const s = windowed((l, y) => igniteSuggestion(l, y))(lrs, losses, start, end, {});
      // ignite's candidates: index 1 … m-2 of the descending part (m = argmin + 1)
      const m = argmin(losses.slice(start, end).map(f32)) + 1;
      return { ...s, candidates: { start: start + 1, end: start + Math.max(1, m - 1) } };
    },
  },
  zero_lag_steepest: {
    name: 'zero_lag_steepest',
    origin: 'lr-finder',
    defaultSkips: fixed(0, 0),
    skipEndZero: 'keep_end',
    cutsAtNaN: false,
    precision: 'float64',
    minPoints: () => 8,
    run(lrs, losses, start, end, p) {
      const r = zeroLagSteepestPick(lrs.slice(start, end), losses.slice(start, end), p.zero_lag);
      const s = r.suggestion;
      return {
        suggestion: s.lr === null ? s : { lr: s.lr, index: s.index + start },
        candidates: r.candidates && { start: r.candidates.start + start, end: r.candidates.end + start },
      };
    },
  },
});

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(METHODS, x);
}
