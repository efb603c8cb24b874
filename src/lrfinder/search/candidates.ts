/**
 * The search state's candidates and trials: looking them up, adding them, asking for a trial,
 * and finishing. Shared by the rung planner (./rungs.ts), the horizon stage (./horizon.ts) and
 * the engine (./engine.ts); every function mutates the (already copied) state it is given.
 */
import { tailCheckpoints } from './confidence.js';
import { latticeLr } from './lattice.js';
import { curveEvery } from './curve.js';
import type { Candidate, CandidateReason, SearchState } from './types.js';
import { minOf } from '../../core/extent.js';

export const spent = (s: SearchState): number => s.cost.range_test + s.cost.trials;

export const fmt = (x: number): string => Number(x.toPrecision(3)).toString();

export function finish(s: SearchState): void {
  s.phase = 'done';
  s.release = s.candidates.filter((c) => c.open).map((c) => c.lr);
  for (const c of s.candidates) c.open = false;
}

/** the candidate's metric after exactly `steps` steps, null when not measured or diverged */
export function metricAt(c: Candidate, steps: number): number | null {
  return c.metrics.find((m) => m.steps === steps)?.metric ?? null;
}

export const WHY: Record<CandidateReason, (x: string) => string> = {
  screen: (x) => `screened: half-decade steps below the range test's divergence point ${x}`,
  extend_low: (x) => `the best LR so far was the lowest tried: extending down (${x})`,
  window: (x) => `near the best LR after ${x} steps (the best LR falls as training lengthens)`,
  extend_up: (x) => `the best LR at the horizon (${x}) was the highest trained there: extending up`,
  probe: (x) => `cliff probe: the LR half a decade above ${x} diverged; is the edge within a quarter decade?`,
};

export function candidateAt(s: SearchState, k: number, reason: CandidateReason, why: string): Candidate {
  const have = s.candidates.find((c) => c.k === k);
  if (have) return have;
  const c: Candidate = {
    id: s.candidates.length,
    k,
    lr: latticeLr(k),
    reason,
    why,
    steps: 0,
    metrics: [],
    diverged: false,
    stop_reason: null,
    curve: [],
    curve_every: curveEvery(s.options.train_steps),
    open: true,
  };
  s.candidates.push(c);
  return c;
}

/** the steps a trial of `c` up to `steps` starts from: its own when it can be continued, else 0 */
export function fromSteps(s: SearchState, c: Candidate | undefined, steps: number): number {
  return c && s.options.resumable && c.open && !c.diverged && c.steps <= steps ? c.steps : 0;
}

export function lowestDiverged(s: SearchState): number {
  return minOf(s.candidates.filter((c) => c.diverged).map((c) => c.k));
}

export function push(s: SearchState, c: Candidate, steps: number): void {
  if (c.diverged) return;
  const K = s.options.train_steps;
  const f = fromSteps(s, c, steps);
  const evalAt = steps === K ? tailCheckpoints(K).filter((x) => x < K && x > f) : [];
  s.pending.push({
    id: `t${s.next_trial++}`,
    candidate: c.id,
    lr: c.lr,
    steps,
    from_steps: f,
    eval_at: evalAt,
    reason: c.reason,
    why: c.why,
    rung: s.rung,
  });
}

/** the candidate with the best metric after `steps` steps (ties: the lower LR) */
export function bestAt(s: SearchState, steps: number): Candidate | null {
  let best: Candidate | null = null;
  for (const c of s.candidates) {
    const m = metricAt(c, steps);
    if (m === null) continue;
    if (best === null || m < metricAt(best, steps)! || (m === metricAt(best, steps) && c.k < best.k)) best = c;
  }
  return best;
}
