/**
 * The result of a search (final or, before it is done, provisional): the recommendation is the
 * candidate with the best metric at the full horizon (ties: the lower LR); the interval spans the
 * horizon-trained candidates within (1 + tolerance) of it (same floor as ./confidence.ts); the
 * confidence is ./confidence.ts's probability for another seed. Before any candidate reached the
 * horizon, the best at the longest measured step count stands in, with a warning.
 */
import { GRID_INDICES } from './lattice.js';
import { confidenceP, levelOf, scaleFor, tailNoise, TAIL_FRACTION, type Scale } from './confidence.js';
import type { Candidate, SearchResult, SearchState } from './types.js';
import type { CurveWarning } from '../warnings.js';
import { maxOf, minOf } from '../../core/extent.js';

const lastMetric = (c: Candidate): number | null => (c.metrics.length ? c.metrics[c.metrics.length - 1].metric : null);

export function searchResult(state: SearchState): SearchResult {
  const o = state.options;
  const K = o.train_steps;
  const warnings: CurveWarning[] = [...state.warnings];
  const atK = state.candidates.filter((c) => c.steps === K && !c.diverged && lastMetric(c) !== null);
  let pool = atK;
  if (pool.length === 0) {
    const longest = Math.max(
      0,
      ...state.candidates.filter((c) => !c.diverged && lastMetric(c) !== null).map((c) => c.steps),
    );
    pool = state.candidates.filter((c) => c.steps === longest && !c.diverged && lastMetric(c) !== null);
    if (pool.length > 0)
      warnings.push({
        code: 'not_verified_at_horizon',
        message: `no candidate was trained to train_steps (${K}); the recommendation is the best after ${longest} steps`,
      });
  }
  const base = {
    metric: o.metric,
    candidates: [...state.candidates]
      .sort((a, b) => a.lr - b.lr)
      .map((c) => ({
        lr: c.lr,
        why: c.why,
        reason: c.reason,
        steps: c.steps,
        metric: lastMetric(c),
        at_horizon: c.steps === K && !c.diverged,
        diverged: c.diverged,
        stop_reason: c.stop_reason,
        curve: c.curve,
        curve_every: c.curve_every,
      })),
    range_test: state.range_test,
    cost: {
      steps: state.cost.range_test + state.cost.trials,
      range_test_steps: state.cost.range_test,
      trial_steps: state.cost.trials,
      budget_steps: o.budget_steps,
      grid_steps: GRID_INDICES.length * K,
    },
    train_steps: K,
    tolerance: o.tolerance,
    initial_metric: state.initial_metric,
  };
  if (pool.length === 0) {
    if (state.phase === 'done')
      warnings.push({
        code: 'no_recommendation',
        message: 'no candidate trained without diverging: check the data and the model (or clip gradients)',
      });
    return {
      ...base,
      recommended_lr: null,
      recommended_metric: null,
      interval: null,
      confidence: { level: 'low', p_within_tolerance: 0, noise: 0, noise_source: 'prior' },
      warnings,
    };
  }
  const better = (a: Candidate, b: Candidate): Candidate =>
    lastMetric(b)! < lastMetric(a)! || (lastMetric(b) === lastMetric(a) && b.lr < a.lr) ? b : a;
  const top = pool.reduce(better);
  const bestMetric = lastMetric(top)!;
  // the cliff probe a quarter decade above the best diverged: step down to the best finalist below
  const probe = state.candidates.find((c) => c.reason === 'probe' && c.k === top.k + Math.round(o.plan.spacing / 2));
  const below = pool.filter((c) => c.k < top.k);
  const best = probe?.diverged && below.length > 0 ? below.reduce(better) : top;
  if (best !== top) {
    warnings.push({
      code: 'stepped_down_from_cliff',
      message: `${fmt(top.lr)} had the best metric, but ${fmt(probe!.lr)}, a quarter decade above it, diverged: ${fmt(best.lr)} is recommended as the safer LR`,
    });
  }
  const scale = scaleFor(bestMetric, state.initial_metric, o.tolerance);
  // the interval: horizon-trained LRs within tolerance of the best metric
  const zBest = scale.z(bestMetric);
  const inside = pool.filter((c) => scale.z(lastMetric(c)!) - zBest <= scale.threshold);
  const tails = pool.map((c) =>
    c.metrics.filter(
      (m): m is { steps: number; metric: number } =>
        m.metric !== null && m.steps >= c.steps - Math.floor(c.steps * TAIL_FRACTION),
    ),
  );
  const noise = tailNoise(tails, scale);
  // at most a coin flip when there is nothing to compare (one LR trained to the horizon), or when
  // the recommendation is already outside the tolerance on this seed (stepped down from a cliff)
  const outside = scale.z(lastMetric(best)!) - zBest > scale.threshold;
  const p =
    pool.length > 1 && !outside
      ? confidenceP(noise.noise, o.tolerance)
      : Math.min(0.5, confidenceP(noise.noise, o.tolerance));
  warnings.push(...edgeWarnings(state, best, pool, scale));
  if (noise.source === 'prior')
    warnings.push({
      code: 'noise_prior',
      message:
        "the metric was not measured over the last 10% of the finalists' steps: the confidence assumes the benchmark's typical tail noise",
    });
  return {
    ...base,
    recommended_lr: best.lr,
    recommended_metric: lastMetric(best),
    interval: { low: minOf(inside.map((c) => c.lr)), high: maxOf(inside.map((c) => c.lr)) },
    confidence: { level: levelOf(p), p_within_tolerance: p, noise: noise.noise, noise_source: noise.source },
    warnings,
  };
}

const fmt = (x: number): string => Number(x.toPrecision(3)).toString();

function edgeWarnings(state: SearchState, best: Candidate, pool: Candidate[], scale: Scale): CurveWarning[] {
  const out: CurveWarning[] = [];
  const sp = state.options.plan.spacing;
  if (pool.every((c) => c.lr >= best.lr)) {
    // the lowest LR trained to the horizon won: say so unless the LR below it was measured and clearly worse
    const lower = state.candidates.find((c) => c.k === best.k - sp);
    const at = lower?.steps ?? 0;
    const ml = lower && !lower.diverged ? lastMetric(lower) : null;
    const mb = best.metrics.find((m) => m.steps === at)?.metric ?? null;
    const worse =
      lower !== undefined &&
      (lower.diverged || (ml !== null && mb !== null && scale.z(ml) - scale.z(mb) > scale.threshold));
    if (!worse)
      out.push({
        code: 'pick_at_low_edge',
        message: 'the recommended LR is the lowest trained to the horizon: a lower one may be as good',
      });
  }
  const above = state.candidates.filter((c) => c.lr > best.lr).sort((a, b) => a.lr - b.lr)[0];
  if (above && above.diverged) {
    out.push({
      code: 'divergence_near',
      message: `the next LR tried (${fmt(above.lr)}) diverged after ${above.steps} steps: with another seed the recommended LR may be close to the edge`,
    });
  }
  return out;
}
