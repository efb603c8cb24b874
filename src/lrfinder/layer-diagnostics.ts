/**
 * Per-layer series recorded during a range test (gradient norm, weight norm, update/weight
 * ratio, activation mean/std, dead-ReLU fraction) and the warnings they justify — the signs of
 * vanishing or exploding gradients and of dead units that a loss curve alone does not show.
 *
 * Thresholds are heuristics, stated in the messages: at initialisation a gradient-norm ratio of
 * 1e3 between the first and the last weight layer, or an activation-std change of 1e2 across the
 * hidden layers (Glorot & Bengio 2010, He et al. 2015: well-initialised nets keep both within a
 * small factor), and half of a ReLU layer's units dead at the suggested LR.
 */
import type { LayerStats } from '../core/types.js';
import { factor } from './text.js';
import type { CurveWarning } from './warnings.js';

export interface LayerSeries {
  layer: string;
  grad_norm: (number | null)[];
  weight_norm: (number | null)[];
  update_ratio: (number | null)[];
  act_mean: (number | null)[];
  act_std: (number | null)[];
  dead_fraction: (number | null)[];
}

const FIELDS = ['grad_norm', 'weight_norm', 'update_ratio', 'act_mean', 'act_std', 'dead_fraction'] as const;
const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Appends one step's statistics to the per-layer series (created on the first call). */
export function appendLayerStats(series: LayerSeries[], stats: readonly LayerStats[]): void {
  stats.forEach((s, i) => {
    series[i] ??= {
      layer: s.layer,
      grad_norm: [],
      weight_norm: [],
      update_ratio: [],
      act_mean: [],
      act_std: [],
      dead_fraction: [],
    };
    for (const f of FIELDS) series[i][f].push(fin(s[f]));
  });
}

export const GRADIENT_RATIO_LIMIT = 1e3;
export const DEAD_FRACTION_LIMIT = 0.5;
export const ACTIVATION_GROWTH_LIMIT = 1e2;

/**
 * @param series per-layer series of the run
 * @param gradNorms the run's total gradient norm per iteration
 * @param suggestedIndex iteration of the suggested LR, if any
 */
export function layerWarnings(
  series: readonly LayerSeries[],
  gradNorms: readonly (number | null)[],
  suggestedIndex: number | null,
): CurveWarning[] {
  const out: CurveWarning[] = [];
  if (gradNorms[0] === 0) {
    out.push({
      code: 'zero_gradients',
      message: 'the gradient is exactly zero at the start, so no LR can move the loss',
      iteration: 0,
    });
  }
  const silent = series.filter((s) => s.act_std[0] === 0 && s.grad_norm[0] === 0);
  if (silent.length > 0 && gradNorms[0] !== 0) {
    out.push({
      code: 'zero_gradients',
      message: `${silent.map((s) => s.layer).join(', ')} output a constant and get exactly zero gradient at the start: they cannot learn (init "zeros" makes every unit identical and silent; use kaiming or xavier)`,
      iteration: 0,
    });
  }
  // activation scale across the hidden layers (the output layer excluded): He et al. 2015 §2.2
  const hidden = series.slice(0, -1).filter((s) => (s.act_std[0] ?? 0) > 0);
  if (hidden.length >= 2) {
    const a = hidden[0],
      b = hidden[hidden.length - 1];
    const growth = (b.act_std[0] as number) / (a.act_std[0] as number);
    if (growth > ACTIVATION_GROWTH_LIMIT) {
      out.push({
        code: 'exploding_activations',
        message: `activation std grows ${factor(growth)}× from ${a.layer} to ${b.layer} at initialisation: the init scale is too large for this depth (use kaiming_normal for ReLU, xavier for tanh)`,
        iteration: 0,
      });
    } else if (growth < 1 / ACTIVATION_GROWTH_LIMIT) {
      out.push({
        code: 'vanishing_activations',
        message: `activation std shrinks to ${factor(growth)}× from ${a.layer} to ${b.layer} at initialisation: the init scale is too small for this depth (use kaiming_normal for ReLU, xavier for tanh)`,
        iteration: 0,
      });
    }
  }
  // weight layers: the ones whose weights have a norm (activation layers have none)
  const weighted = series.filter((s) => (s.weight_norm[0] ?? 0) > 0 && (s.grad_norm[0] ?? 0) > 0);
  if (weighted.length >= 2) {
    const a = weighted[0],
      b = weighted[weighted.length - 1];
    const first = a.grad_norm[0],
      last = b.grad_norm[0];
    if (first !== null && last !== null && first > 0 && last > 0) {
      const ratio = first / last;
      if (ratio < 1 / GRADIENT_RATIO_LIMIT) {
        out.push({
          code: 'vanishing_gradients',
          message: `at initialisation the gradient norm of ${a.layer} is ${factor(ratio)}× that of ${b.layer}: gradients vanish toward the input (use kaiming init for ReLU nets, xavier for tanh, or add normalisation)`,
          iteration: 0,
        });
      } else if (ratio > GRADIENT_RATIO_LIMIT) {
        out.push({
          code: 'exploding_gradients',
          message: `at initialisation the gradient norm of ${a.layer} is ${factor(ratio)}× that of ${b.layer}: gradients explode toward the input (lower the init scale, clip gradients, or add normalisation)`,
          iteration: 0,
        });
      }
    }
  }
  if (suggestedIndex !== null) {
    for (const s of series) {
      const dead = s.dead_fraction[suggestedIndex];
      if (dead !== null && dead !== undefined && dead > DEAD_FRACTION_LIMIT) {
        out.push({
          code: 'dead_units',
          message: `${Math.round(dead * 100)}% of ${s.layer}'s ReLU units output 0 for the whole batch at the suggested LR: consider leaky_relu, a lower LR or kaiming init`,
          iteration: suggestedIndex,
        });
      }
    }
  }
  return out;
}

/**
 * `points` evenly spaced indices of `n`: always the first and the last, the rest at
 * round(k·(n−1)/(points−1)) (numpy.linspace rounded to integers); all of them when n ≤ points.
 */
export function sampleIndex(n: number, points: number): number[] {
  if (n <= points) return Array.from({ length: n }, (_, i) => i);
  if (points < 2) return n > 0 ? [0] : [];
  const out: number[] = [];
  for (let k = 0; k < points; k++) {
    const i = Math.round((k * (n - 1)) / (points - 1));
    if (out.length === 0 || i !== out[out.length - 1]) out.push(i);
  }
  return out;
}

/**
 * Per-layer series cut to at most `points` values each (LIMIT_LAYER_POINTS), so a result's size does
 * not grow with layers × iterations: the first and the last point and evenly spaced ones between.
 * `index` says which points were kept (positions in the original series); warnings are computed on
 * the full series before this.
 */
export function downsampleLayers(
  series: readonly LayerSeries[],
  points: number,
): { layers: LayerSeries[]; index: number[] } {
  const n = series[0]?.grad_norm.length ?? 0;
  const index = sampleIndex(n, points);
  if (index.length === n) return { layers: series.slice(), index };
  const pick = (xs: (number | null)[]) => index.map((i) => xs[i] ?? null);
  return {
    index,
    layers: series.map((s) => ({
      layer: s.layer,
      grad_norm: pick(s.grad_norm),
      weight_norm: pick(s.weight_norm),
      update_ratio: pick(s.update_ratio),
      act_mean: pick(s.act_mean),
      act_std: pick(s.act_std),
      dead_fraction: pick(s.dead_fraction),
    })),
  };
}
