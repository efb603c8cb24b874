/**
 * `zero_lag_steepest` — a method of our own, offered BESIDE the fastai / torch-lr-finder ones,
 * never instead of them.
 *
 * Why: every original method reads a causal EMA (torch-lr-finder smooth_f=0.05, fastai β=0.98),
 * which lags ~10 iterations at the steepest point and shifts picks ~0.5–0.7 decades toward larger
 * LRs; index-based differences also ignore the LR spacing, and a NaN kills the rest of the curve.
 *
 * How (all in x = log10(lr)):
 * 1. Use the finite points only (a null in the middle is skipped, not a cut). The raw losses are
 *    preferred when available (no EMA lag at all).
 * 2. Local-linear least squares in x over a symmetric window (half-width max(0.2 decades,
 *    3 × median spacing)) — a two-sided, zero-phase smoother whose local slope estimates
 *    dL/dlog10(lr) (Savitzky & Golay 1964, first order; uniform-weight local regression,
 *    Cleveland 1979 without the tricube weights). O(n) with prefix sums.
 * 3. Only points whose fitting window lies wholly inside the curve are candidates (two-sided
 *    windows only: a one-sided fit at the first point reads the first few points' noise or
 *    warm-up as a slope, and used to pick start_lr — issue 10). k_min = argmin of the smoothed
 *    curve over the candidates; the pick is the steepest (most negative) slope at or before k_min
 *    — the descending part only, like ignite's `FastaiLRFinder.lr_suggestion`.
 * 4. Returned as is: the point of steepest descent of a lag-free curve. (No "one decade below
 *    the minimum" clamp: on a curve with a long flat floor that would move the pick far past
 *    the steepest descent; `minimum` already offers lr_min/10.)
 * Needs >= 8 finite points with positive, non-decreasing LRs, spanning more than two half-widths.
 * The caller trims first (skip_start / skip_end, see ./registry.ts); `candidates` reports the
 * range of indices that could be picked, so a pick at its edge can be flagged.
 */
import { noSuggestion, pick, tooFewPoints, type Suggestion } from './types.js';

export interface ZeroLagOptions {
  /** minimum half-width of the fitting window, in decades of LR (default 0.2) */
  half_width_decades?: number;
}

export const ZERO_LAG_MIN_POINTS = 8;
export const ZERO_LAG_DEFAULT_HALF_WIDTH = 0.2;

export interface LocalLinearFit {
  /** indices into the input arrays of the points used */
  index: number[];
  x: number[];
  level: number[];
  slope: number[];
  /** the window half-width used, in decades */
  half_width: number;
}

/**
 * Local-linear least squares in x = log10(lr) over a symmetric window |x - x_k| <= w around every
 * finite point (uniform weights: on uniform spacing this is the Savitzky–Golay first-order filter
 * and its derivative, Savitzky & Golay 1964). w = max(half_width_decades, 3 × median spacing).
 * O(n) with prefix sums (centred x for accuracy). Null when the LRs decrease or never change.
 */
export function localLinearLogLr(
  lrs: readonly number[],
  losses: readonly (number | null)[],
  halfWidthDecades = ZERO_LAG_DEFAULT_HALF_WIDTH,
): LocalLinearFit | null {
  const index: number[] = [];
  const x: number[] = [];
  const y: number[] = [];
  const n = Math.min(lrs.length, losses.length);
  for (let i = 0; i < n; i++) {
    const v = losses[i];
    const lr = lrs[i];
    if (v === null || !Number.isFinite(v) || !(lr > 0) || !Number.isFinite(lr)) continue;
    const xi = Math.log10(lr);
    if (x.length > 0 && xi < x[x.length - 1]) return null; // LRs must not decrease
    index.push(i);
    x.push(xi);
    y.push(v);
  }
  const m = x.length;
  if (m < 2) return null;
  const gaps: number[] = [];
  for (let k = 1; k < m; k++) if (x[k] > x[k - 1]) gaps.push(x[k] - x[k - 1]);
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  const w = Math.max(halfWidthDecades, 3 * gaps[Math.floor(gaps.length / 2)]);
  const c = (x[0] + x[m - 1]) / 2;
  const P0 = new Float64Array(m + 1),
    P1 = new Float64Array(m + 1),
    P2 = new Float64Array(m + 1);
  const Py = new Float64Array(m + 1),
    Pxy = new Float64Array(m + 1);
  for (let k = 0; k < m; k++) {
    const u = x[k] - c;
    P0[k + 1] = P0[k] + 1;
    P1[k + 1] = P1[k] + u;
    P2[k + 1] = P2[k] + u * u;
    Py[k + 1] = Py[k] + y[k];
    Pxy[k + 1] = Pxy[k] + u * y[k];
  }
  const level = new Array<number>(m);
  const slope = new Array<number>(m);
  let lo = 0;
  let hi = 0;
  for (let k = 0; k < m; k++) {
    while (x[lo] < x[k] - w) lo++;
    while (hi < m && x[hi] <= x[k] + w) hi++;
    const s0 = P0[hi] - P0[lo],
      s1 = P1[hi] - P1[lo],
      s2 = P2[hi] - P2[lo];
    const sy = Py[hi] - Py[lo],
      sxy = Pxy[hi] - Pxy[lo];
    const den = s0 * s2 - s1 * s1;
    const b = den > 0 ? (s0 * sxy - s1 * sy) / den : 0;
    slope[k] = b;
    level[k] = sy / s0 + b * (x[k] - c - s1 / s0);
  }
  return { index, x, level, slope, half_width: w };
}

export interface ZeroLagPick {
  suggestion: Suggestion;
  /** the half-open range of original indices that could be picked (two-sided windows); null when none */
  candidates: { start: number; end: number } | null;
}

export function zeroLagSteepest(
  lrs: readonly number[],
  losses: readonly (number | null)[],
  opts: ZeroLagOptions = {},
): Suggestion {
  return zeroLagSteepestPick(lrs, losses, opts).suggestion;
}

export function zeroLagSteepestPick(
  lrs: readonly number[],
  losses: readonly (number | null)[],
  opts: ZeroLagOptions = {},
): ZeroLagPick {
  let finite = 0;
  for (let i = 0; i < Math.min(lrs.length, losses.length); i++) {
    const v = losses[i];
    if (v !== null && Number.isFinite(v)) finite++;
  }
  if (finite < ZERO_LAG_MIN_POINTS)
    return {
      suggestion: tooFewPoints('zero_lag_steepest', ZERO_LAG_MIN_POINTS, finite, 'with a finite loss'),
      candidates: null,
    };
  const fit = localLinearLogLr(lrs, losses, opts.half_width_decades ?? ZERO_LAG_DEFAULT_HALF_WIDTH);
  if (fit === null)
    return {
      suggestion: noSuggestion(
        'zero_lag_steepest needs positive, non-decreasing learning rates spanning more than one value',
      ),
      candidates: null,
    };
  const m = fit.x.length;
  const w = fit.half_width;
  const eps = 1e-9 * Math.max(1, w);
  let first = -1;
  let last = -1;
  for (let k = 0; k < m; k++) {
    if (fit.x[k] - w >= fit.x[0] - eps && fit.x[k] + w <= fit.x[m - 1] + eps) {
      if (first < 0) first = k;
      last = k;
    }
  }
  if (first < 0) {
    const span = fit.x[m - 1] - fit.x[0];
    return {
      suggestion: noSuggestion(
        `zero_lag_steepest needs the curve to span at least two fitting half-widths (2 × ${w.toFixed(3)} decades of LR) so that a two-sided fit exists; it spans ${span.toFixed(3)}`,
      ),
      candidates: null,
    };
  }
  const candidates = { start: fit.index[first], end: fit.index[last] + 1 };
  let kMin = first;
  for (let k = first + 1; k <= last; k++) if (fit.level[k] < fit.level[kMin]) kMin = k;
  let kSteep = first;
  for (let k = first + 1; k <= kMin; k++) if (fit.slope[k] < fit.slope[kSteep]) kSteep = k;
  if (!(fit.slope[kSteep] < 0)) {
    return {
      suggestion: noSuggestion(
        'zero_lag_steepest: the smoothed loss never decreases before its minimum (LR range too small or zero gradients)',
      ),
      candidates,
    };
  }
  const k = kSteep;
  return { suggestion: pick(lrs[fit.index[k]], fit.index[k], 'zero_lag_steepest'), candidates };
}
