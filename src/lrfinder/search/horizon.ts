/**
 * After the last rung (every survivor trained to the horizon): the edge extension and the cliff
 * probe, each asked for only when the budget allows it.
 */
import { latticeLr } from './lattice.js';
import { rungSteps } from './plan.js';
import { bestAt, candidateAt, fmt, fromSteps, lowestDiverged, metricAt, push, spent, WHY } from './candidates.js';
import type { SearchState } from './types.js';
import { maxOf, minOf } from '../../core/extent.js';

/**
 * After the last rung: while the best finalist is the lowest (or highest) LR trained to the
 * horizon, train its lattice neighbour one spacing further out to the horizon too, if the budget
 * allows — the minimum must not sit at the edge of what was measured. Returns true when it asked.
 */
export function extendEdge(s: SearchState): boolean {
  const o = s.options;
  const K = o.train_steps;
  if (!o.plan.extend) return false;
  const sp = o.plan.spacing;
  const finals = s.candidates.filter((c) => metricAt(c, K) !== null);
  if (finals.length === 0) return false;
  const best = finals.reduce((a, b) => (metricAt(b, K)! < metricAt(a, K)! ? b : a));
  const lowest = minOf(finals.map((c) => c.k));
  const highest = maxOf(finals.map((c) => c.k));
  const next = best.k === lowest ? best.k - sp : best.k === highest && finals.length > 1 ? best.k + sp : null;
  if (next === null || next >= lowestDiverged(s)) return false;
  const have = s.candidates.find((c) => c.k === next);
  if (have && (have.diverged || have.steps === K)) return false;
  if (K - fromSteps(s, have, K) > o.budget_steps - spent(s) - probeReserve(s)) return false;
  push(
    s,
    next < best.k
      ? candidateAt(s, next, 'extend_low', WHY.extend_low(fmt(latticeLr(next))))
      : candidateAt(s, next, 'extend_up', WHY.extend_up(fmt(best.lr))),
    K,
  );
  return s.pending.length > 0;
}

/** steps kept back for the cliff probe until it has run */
export function probeReserve(s: SearchState): number {
  const o = s.options;
  return o.plan.probe && !s.candidates.some((c) => c.reason === 'probe') ? rungSteps(o.plan, 0, o.train_steps) : 0;
}

/**
 * The cliff probe: when the LR half a decade above the best finalist diverged, train the LR a
 * quarter of a decade above it for the screening steps. If that diverges too, the divergence
 * boundary is within a quarter decade of the pick, and another seed may well cross it: the
 * result then steps down to the best finalist below (./result.ts). In the benchmark, picks next
 * to such a probe that diverged did worse on a fresh seed than the finalist below in 4 of 5 runs.
 */
export function probeCliff(s: SearchState): boolean {
  const o = s.options;
  const K = o.train_steps;
  if (!o.plan.probe || s.candidates.some((c) => c.reason === 'probe')) return false;
  const best = bestAt(s, K);
  if (!best) return false;
  const up = s.candidates.find((c) => c.k === best.k + o.plan.spacing);
  if (!up || !up.diverged) return false;
  const k = best.k + Math.round(o.plan.spacing / 2);
  if (s.candidates.some((c) => c.k === k)) return false;
  const steps = rungSteps(o.plan, 0, K);
  if (steps > o.budget_steps - spent(s)) return false;
  push(s, candidateAt(s, k, 'probe', WHY.probe(fmt(best.lr))), steps);
  return s.pending.length > 0;
}
