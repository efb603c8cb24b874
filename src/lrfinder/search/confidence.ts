/**
 * How sure the search is: the probability that, trained with ANOTHER seed (other initial weights
 * and batch order — the user's own run), the recommended LR ends within (1 + tolerance) of the best
 * LR of that run.
 *
 * Scale. Metrics are compared as ratios with a floor of 0.002 × the initial metric (so two
 * near-perfect fits tie): z = ln(metric + floor), and "within tolerance" is z − z_best ≤ ln(1 + tol).
 * A metric at or below −floor (a client's own metric can be negative) falls back to a linear
 * scale: z = metric / max(|best|, floor), within tolerance when z − z_best ≤ tol.
 *
 * Noise. Two seeds give different final metrics at the same LR; what matters here is the part that
 * differs between LRs (a shift common to every LR of a run cancels in the ratio). That seed noise
 * is not observable from one seed, but it goes with how much the metric still moves at the end of
 * a run: the search measures each finalist's metric at 5 points over the last 10% of its steps and
 * takes the residual standard deviation around a straight line (σ_tail, pooled over finalists).
 * On the benchmark's preset suite the seed noise σ_seed (per LR, in z) was 1.5–3 × σ_tail,
 * NOISE_PER_TAIL = 2.3 (bench/README.md); without tail measurements (a client that reports one
 * number) σ_seed = NOISE_PRIOR, the suite's median, and the result says so.
 *
 * Probability. Monte Carlo over the finalists (the LRs measured at the horizon): the other seed's
 * z_c = z_c(this seed) + √2·σ_seed·N(0, 1) (this seed's own noise plus the other's), and
 * p = P(z_pick − min_c z_c ≤ threshold). Draws come from the search's seed: deterministic.
 */
import { createRng } from '../../core/rng.js';

export const FLOOR_FRACTION = 0.002;
export const NOISE_PER_TAIL = 2.3;
export const NOISE_PRIOR = 0.35;
export const TAIL_FRACTION = 0.1;
export const TAIL_POINTS = 5;
const DRAWS = 4000;

export interface Scale {
  z(metric: number): number;
  /** z − z_best at or below this is within tolerance */
  threshold: number;
  log: boolean;
}

export function scaleFor(best: number, initial: number | null, tolerance: number): Scale {
  const floor = FLOOR_FRACTION * Math.abs(initial ?? best);
  if (best + floor > 0) return { z: (m) => Math.log(Math.max(m + floor, Number.MIN_VALUE)), threshold: Math.log1p(tolerance), log: true };
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
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) { sxx += (xs[i] - mx) ** 2; sxy += (xs[i] - mx) * (ys[i] - my); }
  const b = sxx > 0 ? sxy / sxx : 0;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (ys[i] - my - b * (xs[i] - mx)) ** 2;
  return rss / (n - 2);
}

/** σ_seed from the finalists' tails (each: the metrics at its tail step counts), or the prior. */
export function seedNoise(tails: readonly { steps: number; metric: number }[][], scale: Scale): { noise: number; source: 'measured' | 'prior' } {
  const vars: number[] = [];
  for (const t of tails) {
    const v = detrendedVariance(t.map((p) => p.steps), t.map((p) => scale.z(p.metric)));
    if (v !== null) vars.push(v);
  }
  if (vars.length === 0) return { noise: NOISE_PRIOR, source: 'prior' };
  const pooled = Math.sqrt(vars.reduce((a, b) => a + b, 0) / vars.length);
  return { noise: NOISE_PER_TAIL * pooled, source: 'measured' };
}

/** P(the pick is within tolerance on another seed), by Monte Carlo over the finalists' z values. */
export function pWithin(zs: readonly number[], pick: number, noise: number, threshold: number, seed: number): number {
  if (zs.length <= 1) return zs.length === 1 ? 0.5 : 0;
  const rng = createRng(seed).fork('confidence');
  const sd = Math.SQRT2 * noise;
  let hits = 0;
  for (let d = 0; d < DRAWS; d++) {
    let min = Infinity, zp = 0;
    for (let c = 0; c < zs.length; c++) {
      const z = zs[c] + sd * rng.normal();
      if (z < min) min = z;
      if (c === pick) zp = z;
    }
    if (zp - min <= threshold) hits++;
  }
  return hits / DRAWS;
}

export function levelOf(p: number): 'high' | 'medium' | 'low' {
  return p >= 0.9 ? 'high' : p >= 0.6 ? 'medium' : 'low';
}
