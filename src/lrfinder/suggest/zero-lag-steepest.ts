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
 * 2. Local-linear (weighted least squares) regression with a Gaussian kernel in x — a two-sided,
 *    zero-phase smoother whose local slope is a derivative estimate dL/dlog10(lr). Bandwidth
 *    h = max(bandwidth_decades (0.1), 2 × median log10 spacing), kernel truncated at 3h.
 *    (Cleveland 1979 LOWESS without robustness iterations; Fan & Gijbels 1996 local polynomials.)
 * 3. k_min = argmin of the smoothed curve; the pick is the steepest (most negative) slope at or
 *    before k_min — the descending part only, like ignite's `FastaiLRFinder.lr_suggestion`.
 * 4. Returned as is: the point of steepest descent of a lag-free curve. (No "one decade below
 *    the minimum" clamp: on a curve with a long flat floor that would move the pick far past
 *    the steepest descent; `minimum` already offers lr_min/10.)
 * Needs >= 8 finite points with positive, non-decreasing LRs.
 */
import { noSuggestion, pick, tooFewPoints, type Suggestion } from './types.js';

export interface ZeroLagOptions {
  /** minimum kernel bandwidth in decades of LR (default 0.1) */
  bandwidth_decades?: number;
}

export const ZERO_LAG_MIN_POINTS = 8;

export interface LocalLinearFit {
  /** indices into the input arrays of the points used */
  index: number[];
  x: number[];
  level: number[];
  slope: number[];
  bandwidth: number;
}

/** Local-linear Gaussian-kernel fit in log10(lr) over the finite points. Null when impossible. */
export function localLinearLogLr(lrs: readonly number[], losses: readonly (number | null)[], bandwidthDecades = 0.1): LocalLinearFit | null {
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
  const median = gaps[Math.floor(gaps.length / 2)];
  const h = Math.max(bandwidthDecades, 2 * median);
  const level = new Array<number>(m);
  const slope = new Array<number>(m);
  let lo = 0;
  let hi = 0;
  for (let k = 0; k < m; k++) {
    while (x[lo] < x[k] - 3 * h) lo++;
    while (hi < m && x[hi] <= x[k] + 3 * h) hi++;
    let sw = 0, sx = 0, sy = 0;
    for (let j = lo; j < hi; j++) {
      const u = (x[j] - x[k]) / h;
      const w = Math.exp(-0.5 * u * u);
      sw += w; sx += w * x[j]; sy += w * y[j];
    }
    const mx = sx / sw;
    const my = sy / sw;
    let sxx = 0, sxy = 0;
    for (let j = lo; j < hi; j++) {
      const u = (x[j] - x[k]) / h;
      const w = Math.exp(-0.5 * u * u);
      sxx += w * (x[j] - mx) * (x[j] - mx);
      sxy += w * (x[j] - mx) * (y[j] - my);
    }
    const b = sxx > 0 ? sxy / sxx : 0;
    slope[k] = b;
    level[k] = my + b * (x[k] - mx);
  }
  return { index, x, level, slope, bandwidth: h };
}

export function zeroLagSteepest(lrs: readonly number[], losses: readonly (number | null)[], opts: ZeroLagOptions = {}): Suggestion {
  let finite = 0;
  for (let i = 0; i < Math.min(lrs.length, losses.length); i++) {
    const v = losses[i];
    if (v !== null && Number.isFinite(v)) finite++;
  }
  if (finite < ZERO_LAG_MIN_POINTS) return tooFewPoints('zero_lag_steepest', ZERO_LAG_MIN_POINTS, finite, 'with a finite loss');
  const fit = localLinearLogLr(lrs, losses, opts.bandwidth_decades ?? 0.1);
  if (fit === null) return noSuggestion('zero_lag_steepest needs positive, non-decreasing learning rates spanning more than one value');
  let kMin = 0;
  for (let k = 1; k < fit.level.length; k++) if (fit.level[k] < fit.level[kMin]) kMin = k;
  let kSteep = 0;
  for (let k = 1; k <= kMin; k++) if (fit.slope[k] < fit.slope[kSteep]) kSteep = k;
  if (!(fit.slope[kSteep] < 0)) return noSuggestion('zero_lag_steepest: the smoothed loss never decreases before its minimum (LR range too small or zero gradients)');
  const k = kSteep;
  return pick(lrs[fit.index[k]], fit.index[k], 'zero_lag_steepest');
}
