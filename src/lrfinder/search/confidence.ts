/**
 * How sure the search is: the probability that, trained with ANOTHER seed (other initial weights
 * and batch order — the user's own run), the recommended LR ends within (1 + tolerance) of the
 * best LR of that run (the best of the half-decade grid 1e-5 … 10, in the benchmark).
 *
 * Scale. Metrics are compared as ratios with a floor of 0.002 × the initial metric (so two
 * near-perfect fits tie): z = ln(metric + floor), and "within tolerance" is z − z_best ≤ ln(1 + tol).
 * A metric at or below −floor (a client's own metric can be negative) falls back to a linear
 * scale: z = metric / max(|best|, floor), within tolerance when z − z_best ≤ tol.
 *
 * What predicts it. One seed cannot show how a second seed ranks the LRs. What the benchmark
 * found to carry that information is how much the metric still moves at the end of a run: each
 * finalist's metric is measured at 5 points over the last 10% of its steps, and the tail noise
 * is the residual standard deviation of z around a straight line, pooled over the finalists. The
 * gap between the best and the runner-up, the stability of the ranking over those 5 points, the
 * level of the loss and a Monte Carlo over the finalists with the tail noise scaled up did not
 * predict a fresh seed's outcome better than the base rate (bench/README.md).
 *
 * The model: logit p = a + b·ln(tail noise) + c·ln(tolerance), fitted by bench/search/calibrate.ts
 * on the preset suite (every run at tolerances 0.05, 0.1, 0.2, 0.5) and checked on the held-out
 * suite. Without tail measurements (a client that reports one number per trial) the noise is
 * NOISE_PRIOR, the preset suite's median, and the result says so.
 */

export const FLOOR_FRACTION = 0.002;
export const TAIL_FRACTION = 0.1;
export const TAIL_POINTS = 5;
/** tail noise below this counts as this (a perfectly flat tail is not infinitely informative) */
export const NOISE_FLOOR = 1e-3;
export const NOISE_PRIOR = 0.1;
/** fitted by bench/search/calibrate.ts (see bench/README.md) */
export const CONFIDENCE_MODEL = Object.freeze({ a: 0.606, b: -0.865, c: 0.566 });
export const LEVELS = Object.freeze({ high: 0.95, medium: 0.7 });

export interface Scale {
  z(metric: number): number;
  /** z − z_best at or below this is within tolerance */
  threshold: number;
  log: boolean;
}

export function scaleFor(best: number, initial: number | null, tolerance: number): Scale {
  const floor = FLOOR_FRACTION * Math.abs(initial ?? best);
  if (best + floor > 0)
    return { z: (m) => Math.log(Math.max(m + floor, Number.MIN_VALUE)), threshold: Math.log1p(tolerance), log: true };
  const s = Math.max(Math.abs(best), floor, Number.MIN_VALUE);
  return { z: (m) => m / s, threshold: tolerance, log: false };
}

/** The step counts (ascending, the last = steps) at which a finalist's tail is measured. */
export function tailCheckpoints(steps: number): number[] {
  const span = Math.floor(steps * TAIL_FRACTION);
  if (span < TAIL_POINTS - 1) return [steps];
  const out: number[] = [];
  for (let j = TAIL_POINTS - 1; j >= 0; j--) out.push(steps - Math.round((span * j) / (TAIL_POINTS - 1)));
  return out;
}

/** Residual variance of ys around their least-squares line in xs (n − 2 degrees of freedom); null below 3 points. */
export function detrendedVariance(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  if (n < 3) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0,
    sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (ys[i] - my - b * (xs[i] - mx)) ** 2;
  return rss / (n - 2);
}

/** The tail noise pooled over the finalists' tails (each: its metrics over the last 10% of its steps), or the prior. */
export function tailNoise(
  tails: readonly { steps: number; metric: number }[][],
  scale: Scale,
): { noise: number; source: 'measured' | 'prior' } {
  const vars: number[] = [];
  for (const t of tails) {
    const v = detrendedVariance(
      t.map((p) => p.steps),
      t.map((p) => scale.z(p.metric)),
    );
    if (v !== null) vars.push(v);
  }
  if (vars.length === 0) return { noise: NOISE_PRIOR, source: 'prior' };
  return { noise: Math.sqrt(vars.reduce((a, b) => a + b, 0) / vars.length), source: 'measured' };
}

/** P(within tolerance on another seed) from the tail noise (CONFIDENCE_MODEL). */
export function confidenceP(noise: number, tolerance: number): number {
  const { a, b, c } = CONFIDENCE_MODEL;
  const logit = a + b * Math.log(Math.max(noise, NOISE_FLOOR)) + c * Math.log(tolerance);
  return 1 / (1 + Math.exp(-logit));
}

export function levelOf(p: number): 'high' | 'medium' | 'low' {
  return p >= LEVELS.high ? 'high' : p >= LEVELS.medium ? 'medium' : 'low';
}
