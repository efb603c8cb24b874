/**
 * The LR search as an ask/tell state machine. It never trains anything: a caller asks what to do
 * next (`searchAsk`), does it — a range test, then trials `{lr, steps}` — and tells the outcome
 * (`tellRangeTest`, `tellTrial`); `searchResult` says what it found. The same engine drives the
 * job (our trainer, ./trial-runner.ts) and a client's own training loop over HTTP. Every function
 * is pure and returns a new state; the state is plain JSON (no NaN, no Infinity), so a session can
 * keep it in Redis between reports. Same options and same reports → same asks, bit for bit.
 *
 * The algorithm (./plan.ts): the range test brackets the LRs worth trying (./bracket.ts); rung 0
 * screens half-decade-spaced LRs below its divergence point for a fraction of the horizon; each
 * later rung keeps a window around the previous rung's best, reaching further down than up
 * (the best LR falls as training lengthens), adds window LRs not tried yet, and trains longer; the
 * last rung trains the survivors to the user's horizon. The recommendation is the best of those;
 * ./confidence.ts says how likely it is to stay within tolerance on another seed.
 */
import { checkRangeTestOptions, RANGE_TEST_OPTION_DEFAULTS, type RangeTestOptions } from '../range-test.js';
import { checkCurve, summarizeCurve, type AnalysisOptions } from './bracket.js';
import { planFor, type RungPlan } from './plan.js';
import { appendCurve } from './curve.js';
import { finish } from './candidates.js';
import { schedule } from './rungs.js';
import { extendEdge, probeCliff } from './horizon.js';
import type { RangeTestCurve, SearchAsk, SearchOptions, SearchState, TrialReport } from './types.js';

export { searchResult } from './result.js';
export { bestAt } from './candidates.js';

export interface SearchInput {
  train_steps: number;
  budget_steps?: number;
  tolerance?: number;
  resumable?: boolean;
  metric?: SearchOptions['metric'];
  range_test?: Partial<RangeTestOptions> & AnalysisOptions;
  /** override the rung plan (benchmarks) */
  plan?: RungPlan;
  /** the caller will skipRangeTest: the budget need not hold one */
  no_range_test?: boolean;
}

export const SEARCH_DEFAULTS = Object.freeze({ budget_factor: 4, tolerance: 0.1 });

/**
 * The range test only brackets the search (its divergence point, to a quarter decade), so it
 * needs fewer points than a range test whose curve is the answer: torch-lr-finder's 100, or a
 * quarter of the horizon when that is less, at least 30 (about 4 per decade from 1e-7 to 10).
 */
export function defaultNumIter(trainSteps: number): number {
  return Math.min(RANGE_TEST_OPTION_DEFAULTS.num_iter, Math.max(30, Math.round(trainSteps / 4)));
}

/** Throws RangeError on impossible options. */
export function createSearch(input: SearchInput): SearchState {
  const K = input.train_steps;
  if (!Number.isInteger(K) || K < 1) throw new RangeError(`train_steps must be an integer >= 1, got ${K}`);
  const range_test = { ...RANGE_TEST_OPTION_DEFAULTS, num_iter: defaultNumIter(K), ...(input.range_test ?? {}) };
  checkRangeTestOptions(range_test);
  const budget = input.budget_steps ?? SEARCH_DEFAULTS.budget_factor * K;
  const rt = input.no_range_test ? 0 : range_test.num_iter;
  if (!Number.isInteger(budget) || budget < rt + K) {
    throw new RangeError(`budget_steps must be an integer >= num_iter + train_steps (${rt + K}), got ${budget}`);
  }
  const tolerance = input.tolerance ?? SEARCH_DEFAULTS.tolerance;
  if (!(tolerance > 0) || !Number.isFinite(tolerance))
    throw new RangeError(`tolerance must be a finite number > 0, got ${tolerance}`);
  const options: SearchOptions = {
    train_steps: K,
    budget_steps: budget,
    tolerance,
    resumable: input.resumable ?? false,
    metric: input.metric ?? 'val_loss',
    range_test,
    plan: JSON.parse(JSON.stringify(input.plan ?? planFor(input.resumable ?? false))) as RungPlan,
  };
  return {
    version: 1,
    options,
    phase: 'range_test',
    range_test: null,
    initial_metric: null,
    rung: 0,
    candidates: [],
    pending: [],
    release: [],
    next_trial: 0,
    cost: { range_test: 0, trials: 0 },
    warnings: [],
  };
}

const copy = (s: SearchState): SearchState => JSON.parse(JSON.stringify(s)) as SearchState;

/** What to do next. Asking again without telling returns the same thing. */
export function searchAsk(state: SearchState): SearchAsk {
  if (state.phase === 'range_test') return { type: 'range_test', options: state.options.range_test };
  if (state.phase === 'done' || state.pending.length === 0) return { type: 'done' };
  return { type: 'trial', trial: state.pending[0], release: state.release };
}

/** The range test's curve (and, when known, the metric at the initial weights). */
export function tellRangeTest(state: SearchState, curve: RangeTestCurve, initialMetric?: number | null): SearchState {
  if (state.phase !== 'range_test') throw new RangeError('the search does not expect a range test now');
  const bad = checkCurve(curve);
  if (bad) throw new RangeError(`range test: ${bad}`);
  const s = copy(state);
  s.range_test = summarizeCurve(curve, s.options.range_test);
  s.cost.range_test = curve.lrs.length;
  const first = s.range_test.losses.find((l) => l !== null) ?? null;
  s.initial_metric =
    initialMetric !== undefined && initialMetric !== null && Number.isFinite(initialMetric) ? initialMetric : first;
  if (first === null) {
    s.warnings.push({
      code: 'range_test_non_finite',
      message: 'the range test had no finite loss: the model or the data produce NaN/Inf from the first step',
    });
    finish(s);
    return s;
  }
  s.phase = 'trials';
  schedule(s);
  return s;
}

/**
 * Starts the trials without a range test (a client that cannot run one): the screen starts at
 * `topLr` (the top of the LRs worth trying) and goes down; edge extension follows the best lower.
 */
export function skipRangeTest(state: SearchState, topLr: number): SearchState {
  if (state.phase !== 'range_test') throw new RangeError('the search does not expect a range test now');
  if (!(topLr > 0) || !Number.isFinite(topLr)) throw new RangeError(`topLr must be a finite number > 0, got ${topLr}`);
  const s = copy(state);
  s.range_test = { lrs: [], losses: [], smoothed_losses: [], stop_reason: 'skipped', suggestions: {}, top_lr: topLr };
  s.warnings.push({
    code: 'no_range_test',
    message: `no range test: the screen started at ${Number(topLr.toPrecision(3))} and went down`,
  });
  s.phase = 'trials';
  schedule(s);
  return s;
}

/** The outcome of trial `id` (any pending trial, in any order). */
export function tellTrial(state: SearchState, id: string, report: TrialReport): SearchState {
  const at = state.pending.findIndex((t) => t.id === id);
  if (at < 0) throw new RangeError(`trial ${id} is not pending (unknown, or already reported)`);
  const s = copy(state);
  const t = s.pending[at];
  if (report.lr !== undefined && report.lr !== t.lr)
    throw new RangeError(`trial ${id} is lr ${t.lr}, not ${report.lr}`);
  const c = s.candidates[t.candidate];
  const metric = typeof report.metric === 'number' && Number.isFinite(report.metric) ? report.metric : null;
  const diverged =
    report.diverged === true ||
    metric === null ||
    (report.stop_reason !== undefined && report.stop_reason !== 'completed');
  let steps = report.steps ?? t.steps;
  if (!Number.isInteger(steps) || steps < t.from_steps || steps > t.steps)
    throw new RangeError(`trial ${id}: steps must be an integer in [${t.from_steps}, ${t.steps}], got ${steps}`);
  if (!diverged && steps !== t.steps)
    throw new RangeError(`trial ${id}: a completed trial runs all ${t.steps} steps, got ${steps}`);
  if (diverged && report.steps === undefined) steps = t.steps;
  const trained = report.steps_trained ?? steps - t.from_steps;
  if (!Number.isInteger(trained) || trained < 0)
    throw new RangeError(`trial ${id}: steps_trained must be an integer >= 0`);
  s.cost.trials += trained;
  // a restarted candidate (no continuation) reports its whole curve again
  if (t.from_steps === 0 && c.steps > 0) c.curve = [];
  c.curve = appendCurve(c.curve, c.curve_every, t.from_steps, report.losses);
  c.steps = steps;
  const record = (at: number, m: number | null): void => {
    c.metrics = c.metrics.filter((x) => x.steps !== at);
    c.metrics.push({ steps: at, metric: m });
  };
  for (const m of report.metrics_at ?? []) {
    if (m.steps > t.from_steps && m.steps < steps && t.eval_at.includes(m.steps)) {
      record(m.steps, typeof m.metric === 'number' && Number.isFinite(m.metric) ? m.metric : null);
    }
  }
  record(steps, diverged ? null : metric);
  c.metrics.sort((a, b) => a.steps - b.steps);
  if (diverged) {
    c.diverged = true;
    c.open = false;
    c.stop_reason = report.stop_reason && report.stop_reason !== 'completed' ? report.stop_reason : 'diverged';
  }
  s.pending.splice(at, 1);
  if (s.pending.length === 0) {
    const plan = s.options.plan;
    if (s.rung < plan.fractions.length - 1) {
      s.rung += 1;
      schedule(s);
    } else if (!extendEdge(s) && !probeCliff(s)) finish(s);
  }
  return s;
}
