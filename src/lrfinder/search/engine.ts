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
import { scaleFor, tailCheckpoints } from './confidence.js';
import { latticeLr, STEPS_PER_DECADE } from './lattice.js';
import { laterCost, planFor, rungSteps, type RungPlan } from './plan.js';
import { appendCurve, curveEvery } from './curve.js';
import type { Candidate, CandidateReason, RangeTestCurve, SearchAsk, SearchOptions, SearchState, Trial, TrialReport } from './types.js';

export { searchResult } from './result.js';

export interface SearchInput {
  train_steps: number;
  budget_steps?: number;
  tolerance?: number;
  resumable?: boolean;
  metric?: SearchOptions['metric'];
  range_test?: Partial<RangeTestOptions> & AnalysisOptions;
  /** override the rung plan (benchmarks) */
  plan?: RungPlan;
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
  if (!Number.isInteger(budget) || budget < range_test.num_iter + K) {
    throw new RangeError(`budget_steps must be an integer >= num_iter + train_steps (${range_test.num_iter + K}), got ${budget}`);
  }
  const tolerance = input.tolerance ?? SEARCH_DEFAULTS.tolerance;
  if (!(tolerance > 0) || !Number.isFinite(tolerance)) throw new RangeError(`tolerance must be a finite number > 0, got ${tolerance}`);
  const options: SearchOptions = {
    train_steps: K, budget_steps: budget, tolerance, resumable: input.resumable ?? false,
    metric: input.metric ?? 'val_loss', range_test,
    plan: JSON.parse(JSON.stringify(input.plan ?? planFor(input.resumable ?? false))) as RungPlan,
  };
  return {
    version: 1, options, phase: 'range_test', range_test: null, initial_metric: null, rung: 0,
    candidates: [], pending: [], release: [], next_trial: 0, cost: { range_test: 0, trials: 0 }, warnings: [],
  };
}

const copy = (s: SearchState): SearchState => JSON.parse(JSON.stringify(s)) as SearchState;
const spent = (s: SearchState): number => s.cost.range_test + s.cost.trials;

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
  s.initial_metric = initialMetric !== undefined && initialMetric !== null && Number.isFinite(initialMetric) ? initialMetric : first;
  if (first === null) {
    s.warnings.push({ code: 'range_test_non_finite', message: 'the range test had no finite loss: the model or the data produce NaN/Inf from the first step' });
    finish(s);
    return s;
  }
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
  if (report.lr !== undefined && report.lr !== t.lr) throw new RangeError(`trial ${id} is lr ${t.lr}, not ${report.lr}`);
  const c = s.candidates[t.candidate];
  const metric = typeof report.metric === 'number' && Number.isFinite(report.metric) ? report.metric : null;
  const diverged = report.diverged === true || metric === null || (report.stop_reason !== undefined && report.stop_reason !== 'completed');
  let steps = report.steps ?? t.steps;
  if (!Number.isInteger(steps) || steps < t.from_steps || steps > t.steps) throw new RangeError(`trial ${id}: steps must be an integer in [${t.from_steps}, ${t.steps}], got ${steps}`);
  if (!diverged && steps !== t.steps) throw new RangeError(`trial ${id}: a completed trial runs all ${t.steps} steps, got ${steps}`);
  if (diverged && report.steps === undefined) steps = t.steps;
  const trained = report.steps_trained ?? steps - t.from_steps;
  if (!Number.isInteger(trained) || trained < 0) throw new RangeError(`trial ${id}: steps_trained must be an integer >= 0`);
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
    if (s.rung < plan.fractions.length - 1) { s.rung += 1; schedule(s); }
    else if (!extendEdge(s) && !probeCliff(s)) finish(s);
  }
  return s;
}

function finish(s: SearchState): void {
  s.phase = 'done';
  s.release = s.candidates.filter((c) => c.open).map((c) => c.lr);
  for (const c of s.candidates) c.open = false;
}

/** the candidate's metric after exactly `steps` steps, null when not measured or diverged */
function metricAt(c: Candidate, steps: number): number | null {
  return c.metrics.find((m) => m.steps === steps)?.metric ?? null;
}

const WHY: Record<CandidateReason, (x: string) => string> = {
  screen: (x) => `screened: half-decade steps below the range test's divergence point ${x}`,
  extend_low: (x) => `the best LR so far was the lowest tried: extending down (${x})`,
  window: (x) => `near the best LR after ${x} steps (the best LR falls as training lengthens)`,
  extend_up: (x) => `the best LR at the horizon (${x}) was the highest trained there: extending up`,
  probe: (x) => `cliff probe: the LR half a decade above ${x} diverged; is the edge within a quarter decade?`,
};

function candidateAt(s: SearchState, k: number, reason: CandidateReason, why: string): Candidate {
  const have = s.candidates.find((c) => c.k === k);
  if (have) return have;
  const c: Candidate = {
    id: s.candidates.length, k, lr: latticeLr(k), reason, why, steps: 0, metrics: [], diverged: false,
    stop_reason: null, curve: [], curve_every: curveEvery(s.options.train_steps), open: true,
  };
  s.candidates.push(c);
  return c;
}

/** Plans the trials of rung `s.rung` (or finishes when nothing fits the budget). */
function schedule(s: SearchState): void {
  const o = s.options;
  const K = o.train_steps;
  const plan = o.plan;
  const sp = plan.spacing;
  const rt = s.range_test!;
  // screened LRs sit on the half-decade grid (1, 3.16, 10, …): the top one at or below the divergence point
  const kTop = Math.floor(Math.floor(Math.log10(rt.top_lr) * STEPS_PER_DECADE + 1e-9) / sp) * sp;
  // in priority order: the budget drops from the end
  let ks: number[];
  let reasonOf: (k: number) => [CandidateReason, string];

  if (s.rung === 0) {
    // the highest LRs last: they are the likeliest to diverge
    ks = Array.from({ length: plan.screen }, (_, j) => kTop - (plan.screen - 1 - j) * sp);
    reasonOf = () => ['screen', WHY.screen(fmt(rt.top_lr))];
  } else {
    const prev = rungSteps(plan, s.rung - 1, K);
    const measured = s.candidates.filter((c) => metricAt(c, prev) !== null);
    if (measured.length === 0) {
      // everything diverged: try lower LRs at the same rung
      const low = Math.min(...s.candidates.map((c) => c.k));
      if (low < kTop - MAX_DECADES_BELOW * STEPS_PER_DECADE) {
        s.warnings.push({ code: 'all_diverged', message: `every LR tried, down to ${fmt(latticeLr(low))}, diverged or went non-finite` });
        finish(s);
        return;
      }
      s.rung -= 1;
      ks = [low - sp, low - 2 * sp, low - 3 * sp];
      reasonOf = () => ['extend_low', WHY.extend_low(`all LRs down to ${fmt(latticeLr(low))} diverged`)];
    } else {
      const m = (c: Candidate): number => metricAt(c, prev)!;
      const best = measured.reduce((a, b) => (m(b) < m(a) || (m(b) === m(a) && b.k < a.k) ? b : a));
      const [left, right] = plan.windows[s.rung - 1];
      const lowest = Math.min(...s.candidates.map((c) => c.k));
      // the window: alternately one lower / one higher, lower first
      const window: number[] = [];
      for (let j = 1; j <= Math.max(left, right); j++) {
        if (j <= left) window.push(best.k - j * sp);
        if (j <= right) window.push(best.k + j * sp);
      }
      // candidates tied with the best (within plan.tie in the comparison scale) survive too
      const scale = scaleFor(m(best), s.initial_metric, o.tolerance);
      const tie = plan.tie[s.rung - 1] ?? 0;
      const ties = measured.filter((c) => c.k !== best.k && !window.includes(c.k) && scale.z(m(c)) - scale.z(m(best)) <= tie)
        .sort((a, b) => m(a) - m(b)).map((c) => c.k);
      // priority (the budget drops from the end): the best, window LRs that continue, ties, new window LRs
      const continues = (k: number): boolean => measured.some((c) => c.k === k);
      ks = [best.k, ...window.filter(continues), ...ties, ...window.filter((k) => !continues(k))];
      reasonOf = (k) => (k < lowest ? ['extend_low', WHY.extend_low(fmt(latticeLr(k)))] : ['window', WHY.window(String(prev))]);
    }
  }
  const divergedK = lowestDiverged(s);
  ks = ks.filter((k) => k < divergedK);
  const steps = rungSteps(plan, s.rung, K);
  const costOf = (list: number[]): number => list.reduce((a, k) => a + steps - fromSteps(s, s.candidates.find((c) => c.k === k), steps), 0);
  const remaining = o.budget_steps - spent(s) - probeReserve(s);
  // fit the budget, worst case (no early stops): first leave room for the later rungs down to a
  // minimum width, then fit this rung alone
  const minWidth = s.rung === 0 ? 4 : 2;
  const later = laterCost(plan, s.rung, K, o.resumable, plan.reserve);
  while (ks.length > minWidth && costOf(ks) + later > remaining) ks = ks.slice(0, -1);
  while (ks.length > 1 && costOf(ks) > remaining) ks = ks.slice(0, -1);
  if (ks.length === 0 || costOf(ks) > remaining) {
    s.warnings.push({ code: 'budget_exhausted', message: `budget_steps (${o.budget_steps}) ran out after ${spent(s)} steps, before every planned trial` });
    finish(s);
    return;
  }
  ks.sort((a, b) => a - b);
  // keep the trainer of the LR just below the survivors: the last rung may extend down to it
  const keep = new Set([...ks, ks[0] - sp]);
  s.release = s.candidates.filter((c) => c.open && !keep.has(c.k)).map((c) => c.lr);
  for (const c of s.candidates) if (!keep.has(c.k)) c.open = false;
  for (const k of ks) {
    const [reason, why] = reasonOf(k);
    push(s, candidateAt(s, k, reason, why), steps);
  }
  if (s.pending.length === 0) finish(s);
}

/** the steps a trial of `c` up to `steps` starts from: its own when it can be continued, else 0 */
function fromSteps(s: SearchState, c: Candidate | undefined, steps: number): number {
  return c && s.options.resumable && c.open && !c.diverged && c.steps <= steps ? c.steps : 0;
}

function lowestDiverged(s: SearchState): number {
  return Math.min(...s.candidates.filter((c) => c.diverged).map((c) => c.k), Infinity);
}

function push(s: SearchState, c: Candidate, steps: number): void {
  if (c.diverged) return;
  const K = s.options.train_steps;
  const f = fromSteps(s, c, steps);
  const evalAt = steps === K ? tailCheckpoints(K).filter((x) => x < K && x > f) : [];
  s.pending.push({ id: `t${s.next_trial++}`, candidate: c.id, lr: c.lr, steps, from_steps: f, eval_at: evalAt, reason: c.reason, why: c.why, rung: s.rung });
}

/**
 * After the last rung: while the best finalist is the lowest (or highest) LR trained to the
 * horizon, train its lattice neighbour one spacing further out to the horizon too, if the budget
 * allows — the minimum must not sit at the edge of what was measured. Returns true when it asked.
 */
function extendEdge(s: SearchState): boolean {
  const o = s.options;
  const K = o.train_steps;
  if (!o.plan.extend) return false;
  const sp = o.plan.spacing;
  const finals = s.candidates.filter((c) => metricAt(c, K) !== null);
  if (finals.length === 0) return false;
  const best = finals.reduce((a, b) => (metricAt(b, K)! < metricAt(a, K)! ? b : a));
  const lowest = Math.min(...finals.map((c) => c.k));
  const highest = Math.max(...finals.map((c) => c.k));
  const next = best.k === lowest ? best.k - sp : best.k === highest && finals.length > 1 ? best.k + sp : null;
  if (next === null || next >= lowestDiverged(s)) return false;
  const have = s.candidates.find((c) => c.k === next);
  if (have && (have.diverged || have.steps === K)) return false;
  if (K - fromSteps(s, have, K) > o.budget_steps - spent(s) - probeReserve(s)) return false;
  push(s, next < best.k
    ? candidateAt(s, next, 'extend_low', WHY.extend_low(fmt(latticeLr(next))))
    : candidateAt(s, next, 'extend_up', WHY.extend_up(fmt(best.lr))), K);
  return s.pending.length > 0;
}

/** steps kept back for the cliff probe until it has run */
function probeReserve(s: SearchState): number {
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
function probeCliff(s: SearchState): boolean {
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

/** how far below the range test's divergence point the search extends at most */
const MAX_DECADES_BELOW = 8;

const fmt = (x: number): string => Number(x.toPrecision(3)).toString();
