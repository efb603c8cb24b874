/**
 * The shape of the search after the range test: successive halving over a log-LR lattice with a
 * moving window (Jamieson & Talwalkar 2016, "Non-stochastic best arm identification and
 * hyperparameter optimization"; Li et al. 2018, "Hyperband"), adapted to learning rates:
 *
 * - Rung 0 screens `screen` LRs half a decade apart, from the range test's divergence point down.
 * - After each rung, the survivors are the LRs within a window around that rung's best, reaching
 *   further to the LEFT than to the right: with more steps the best constant LR falls (short runs
 *   favour high LRs; in the benchmark the best LR after 1/16 of the steps sat 0 to 2 half-decades
 *   above the best at the horizon). LRs of the window not tried yet join (from the initial weights).
 * - The last rung trains the survivors to the full horizon; the search recommends the best of them.
 *
 * Each rung's step count is a fraction of the horizon. When the runner can continue a candidate
 * (`resumable`), a survivor only trains the new steps; otherwise every trial starts over, so that
 * plan is shorter. Budgets are checked before every rung against the worst case (no early stops).
 */

export interface RungPlan {
  /** step count of each rung as a fraction of train_steps; the last is 1 */
  fractions: number[];
  /** after rung r (all but the last): keep lattice points [best − left·spacing, best + right·spacing] */
  windows: [left: number, right: number][];
  /** LRs screened in rung 0 */
  screen: number;
  /** lattice steps between screened LRs (12 = half a decade) */
  spacing: number;
  /** after rung r: candidates within this much of the best (z scale, ./confidence.ts) survive too */
  tie: number[];
  /** after the last rung, extend to the lattice neighbour while the best is at the edge (budget allowing) */
  extend: boolean;
  /** probe the LR a quarter decade above the pick when the one half a decade above diverged */
  probe: boolean;
  /** candidates per later rung kept in reserve when fitting a rung to the budget */
  reserve: number;
}

export const RESUMABLE_PLAN: Readonly<RungPlan> = Object.freeze<RungPlan>({
  fractions: [1 / 16, 1 / 4, 1 / 2, 1],
  windows: [
    [2, 1],
    [1, 1],
    [1, 1],
  ],
  screen: 7,
  spacing: 12,
  tie: [0.1, 0.1, 0.1],
  extend: true,
  probe: true,
  reserve: 2,
});

export const RESTART_PLAN: Readonly<RungPlan> = Object.freeze<RungPlan>({
  fractions: [1 / 8, 1],
  windows: [[2, 0]],
  screen: 7,
  spacing: 12,
  tie: [0],
  extend: true,
  probe: true,
  reserve: 2,
});

export function planFor(resumable: boolean): RungPlan {
  return resumable ? RESUMABLE_PLAN : RESTART_PLAN;
}

/** The step count of rung r (≥ 1, strictly increasing where the horizon allows, the last = train_steps). */
export function rungSteps(plan: RungPlan, r: number, trainSteps: number): number {
  if (r >= plan.fractions.length - 1) return trainSteps;
  return Math.max(1, Math.min(trainSteps, Math.round(plan.fractions[r] * trainSteps)));
}

/** Worst-case steps of rungs after `r` with `width` candidates each (at most their window). */
export function laterCost(plan: RungPlan, r: number, trainSteps: number, resumable: boolean, width: number): number {
  let cost = 0;
  for (let j = r + 1; j < plan.fractions.length; j++) {
    const [left, right] = plan.windows[j - 1];
    const n = Math.min(width, left + right + 1);
    const steps = rungSteps(plan, j, trainSteps);
    cost += n * (resumable ? steps - rungSteps(plan, j - 1, trainSteps) : steps);
  }
  return cost;
}
