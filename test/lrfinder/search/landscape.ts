/**
 * Hand-built metric landscapes for the search engine's tests, where the right answer is known:
 * the metric after `steps` steps at LR 10^x is
 *
 *   m(x, s) = floor + depth · (x − x*(s))² + noise(x, s)        (x below the cliff)
 *   x*(s)   = x_opt + drift · log10(K / s)                        (the best LR falls as s grows)
 *
 * and every LR at or above 10^cliff diverges after `divergeAfter` steps. The noise is a
 * deterministic hash of (x, s) (the same trial always reports the same value, as a seeded trainer
 * does), uniform in ±noise. The range test is a smooth curve that falls until ~1.3 decades below
 * the cliff and blows up at it, the shape real range tests have.
 */
import type { RangeTestCurve, SearchAsk, SearchState, TrialReport } from '../../../src/lrfinder/search/types.js';
import { searchAsk, tellRangeTest, tellTrial } from '../../../src/lrfinder/search/engine.js';
import { lrPlan } from '../../../src/lrfinder/lr-plan.js';

export interface Landscape {
  K: number;
  x_opt: number;
  drift: number;
  depth: number;
  floor: number;
  cliff: number;
  noise: number;
  divergeAfter: number;
  initial: number;
}

export const BOWL: Landscape = {
  K: 1000,
  x_opt: -2.3,
  drift: 0.25,
  depth: 0.2,
  floor: 0.05,
  cliff: -1.2,
  noise: 0,
  divergeAfter: 3,
  initial: 2.3,
};

function hash(x: number, s: number): number {
  // a deterministic value in [0, 1) from (x, s)
  let h = Math.imul(Math.round(x * 1e6) | 0, 0x9e3779b1) ^ Math.imul(s | 0, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  return ((h ^ (h >>> 15)) >>> 0) / 4294967296;
}

export function metricOf(L: Landscape, lr: number, steps: number): number | null {
  const x = Math.log10(lr);
  if (x >= L.cliff) return null;
  const xs = L.x_opt + L.drift * Math.log10(L.K / steps);
  return L.floor + L.depth * (x - xs) ** 2 + L.noise * (2 * hash(x, steps) - 1);
}

/** the trial as a runner would report it (diverged trials stop after divergeAfter steps) */
export function report(L: Landscape, lr: number, steps: number, from: number, evalAt: number[] = []): TrialReport {
  const m = metricOf(L, lr, steps);
  if (m === null) {
    const at = Math.min(steps, Math.max(from + 1, L.divergeAfter));
    return { metric: null, diverged: true, stop_reason: 'diverged', steps: at, steps_trained: at - from };
  }
  return {
    metric: m,
    steps,
    steps_trained: steps - from,
    metrics_at: evalAt.map((s) => ({ steps: s, metric: metricOf(L, lr, s) })),
  };
}

export function rangeCurve(L: Landscape, num_iter = 100): RangeTestCurve {
  const lrs = lrPlan(1e-7, 10, num_iter, 'exp');
  const losses: (number | null)[] = [];
  for (const lr of lrs) {
    const x = Math.log10(lr);
    if (x > L.cliff + 0.3 && losses.length >= 2) break;
    losses.push(
      x < L.cliff - 1.3
        ? L.initial - (0.4 * (x + 7)) / (L.cliff + 5.7)
        : L.initial * (1 + 10 * (x - (L.cliff - 1.3)) ** 2),
    );
  }
  const n = losses.length;
  return { lrs: lrs.slice(0, n), losses, stop_reason: n < num_iter ? 'diverged' : 'completed' };
}

/** Drives a search to the end on a landscape; returns every ask and the final state. */
export function drive(
  state: SearchState,
  L: Landscape,
  opts: { roundTrip?: boolean } = {},
): { asks: SearchAsk[]; state: SearchState } {
  const asks: SearchAsk[] = [];
  let s = state;
  for (let guard = 0; guard < 500; guard++) {
    if (opts.roundTrip) s = JSON.parse(JSON.stringify(s)) as SearchState;
    const a = searchAsk(s);
    asks.push(a);
    if (a.type === 'done') return { asks, state: s };
    if (a.type === 'range_test') s = tellRangeTest(s, rangeCurve(L, a.options.num_iter), L.initial);
    else s = tellTrial(s, a.trial.id, report(L, a.trial.lr, a.trial.steps, a.trial.from_steps, a.trial.eval_at));
  }
  throw new Error('the search did not finish in 500 asks');
}
