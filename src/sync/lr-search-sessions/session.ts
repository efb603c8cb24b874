/**
 * What the LR-search-session routes answer and how a report changes a session (pure). A session is
 * a sweep (src/lrfinder/session.ts: torch-lr-finder's plan, EMA and stop rule, one reported loss
 * per step) followed by the LR search engine (src/lrfinder/search/) with every trial from the
 * client's initial weights (`resumable: false`). Reports are idempotent: re-sending a recorded
 * loss or a reported trial's metric changes nothing; another value for it, a skipped step or a
 * trial other than the one asked for is a 409 naming what is expected. A session started with
 * `parallelism` hands its trials out on leases instead, reported in any order (./leases.ts).
 */
import type { Limits } from '../../config.js';
import { invalid, limitExceeded, ProblemError } from '../../contracts/problems.js';
import { RANGE_TEST_DEFAULTS } from '../../contracts/lr-range-test.js';
import { lrAt, type StepMode } from '../../lrfinder/lr-plan.js';
import { checkSweepOptions, newSweep, sweepNext, sweepStep, type SweepState } from '../../lrfinder/session.js';
import {
  createSearch,
  defaultNumIter,
  searchAsk,
  searchResult,
  skipRangeTest,
  tellRangeTest,
  tellTrial,
} from '../../lrfinder/search/engine.js';
import type { SearchResult, SearchState, Trial } from '../../lrfinder/search/types.js';
import type { SuggestionMethodName } from '../../lrfinder/suggest/index.js';
import { DEFAULT_LEASE_SECONDS, type LrSearchSessionReport, type LrSearchSessionRequest } from './contract.js';
import { activeLeases, checkLease, isParallel, leaseCounts, leasedTrial, type Lease } from './leases.js';

export const BASE = '/v1/lr-search-sessions';

export interface ResolvedSearchSession {
  train_steps: number;
  budget_steps: number;
  tolerance: number;
  start_lr: number;
  end_lr: number;
  num_iter: number;
  step_mode: StepMode;
  smooth_f: number;
  diverge_th: number;
  suggestion: SuggestionMethodName;
  /** false: no range test, the trials start at end_lr */
  range_test: boolean;
  /** set (with lease_seconds) when the request asked for parallel trials: they are leased out */
  parallelism?: number;
  lease_seconds?: number;
}

export interface SearchSessionDoc {
  id: string;
  owner: string;
  created_at: string;
  updated_at: string;
  request: ResolvedSearchSession;
  sweep: SweepState;
  search: SearchState;
  /** trial id → the metric reported (a re-sent report must match it) */
  reported: Record<string, number | null>;
  /** set once done */
  result: SearchResult | null;
  /** a parallel session: every lease handed out (./leases.ts) */
  leases?: Lease[];
  /** a parallel session: trial id → the lease its counted report named */
  reported_lease?: Record<string, string>;
}

/** Defaults and limits as an LR search job's (LIMIT_SCHEDULE_STEPS, LIMIT_SIMULATION_STEPS, LIMIT_NUM_ITER); throws
 * ProblemError. */
export function resolveSearchSession(b: LrSearchSessionRequest, limits: Limits): ResolvedSearchSession {
  const D = RANGE_TEST_DEFAULTS;
  const train_steps = b.train_steps ?? 1000;
  if (train_steps > limits.scheduleSteps)
    throw limitExceeded('/train_steps', 'train_steps', train_steps, limits.scheduleSteps, 'LIMIT_SCHEDULE_STEPS');
  const num_iter = b.num_iter ?? defaultNumIter(train_steps);
  if (num_iter > limits.numIter)
    throw limitExceeded('/num_iter', 'num_iter', num_iter, limits.numIter, 'LIMIT_NUM_ITER');
  const budget_steps = b.budget_steps ?? 4 * train_steps;
  const rtSteps = b.range_test === false ? 0 : num_iter;
  if (budget_steps > limits.simulationSteps)
    throw limitExceeded(
      b.budget_steps === undefined ? '/train_steps' : '/budget_steps',
      'budget_steps',
      budget_steps,
      limits.simulationSteps,
      'LIMIT_SIMULATION_STEPS',
    );
  if (budget_steps < rtSteps + train_steps) {
    throw invalid(
      '/budget_steps',
      `must be at least num_iter + train_steps (${rtSteps} + ${train_steps} = ${rtSteps + train_steps}), got ${budget_steps}`,
    );
  }
  const r: ResolvedSearchSession = {
    train_steps,
    budget_steps,
    tolerance: b.tolerance ?? 0.1,
    start_lr: b.start_lr ?? D.start_lr,
    end_lr: b.end_lr ?? D.end_lr,
    num_iter,
    step_mode: b.step_mode ?? D.step_mode,
    smooth_f: b.smooth_f ?? D.smooth_f,
    diverge_th: b.diverge_th ?? D.diverge_th,
    suggestion: (b.suggestion ?? D.suggestion) as SuggestionMethodName,
    range_test: b.range_test ?? true,
  };
  if (!(r.end_lr > r.start_lr))
    throw invalid('/end_lr', `must be greater than start_lr (${r.start_lr}), got ${r.end_lr}`);
  if (b.parallelism !== undefined || b.lease_seconds !== undefined) {
    const parallelism = b.parallelism ?? 1;
    if (parallelism > limits.searchParallelism) {
      const limit = limits.searchParallelism;
      throw limitExceeded('/parallelism', 'parallelism', parallelism, limit, 'LIMIT_SEARCH_PARALLELISM');
    }
    const lease = b.lease_seconds ?? Math.min(DEFAULT_LEASE_SECONDS, limits.searchLeaseSeconds);
    if (lease > limits.searchLeaseSeconds) {
      throw limitExceeded('/lease_seconds', 'lease_seconds', lease, limits.searchLeaseSeconds, 'LIMIT_SEARCH_LEASE_S');
    }
    r.parallelism = parallelism;
    r.lease_seconds = lease;
  }
  try {
    checkSweepOptions(r);
  } catch (err) {
    throw invalid('/', (err as Error).message);
  }
  return r;
}

/** A new session's state: the sweep about to start, the search waiting for its range test. */
export function startSession(
  r: ResolvedSearchSession,
): Pick<SearchSessionDoc, 'sweep' | 'search' | 'reported' | 'result'> {
  const search = createSearch({
    train_steps: r.train_steps,
    budget_steps: r.budget_steps,
    tolerance: r.tolerance,
    resumable: false,
    metric: 'val_loss',
    no_range_test: !r.range_test,
    range_test: {
      start_lr: r.start_lr,
      end_lr: r.end_lr,
      num_iter: r.num_iter,
      step_mode: r.step_mode,
      smooth_f: r.smooth_f,
      diverge_th: r.diverge_th,
      suggestion: r.suggestion,
    },
  });
  return {
    sweep: newSweep(),
    search: r.range_test ? search : skipRangeTest(search, r.end_lr),
    reported: {},
    result: null,
  };
}

const statusOf = (doc: SearchSessionDoc) =>
  doc.result !== null ? 'done' : doc.search.phase === 'range_test' ? 'range_test' : 'trials';

export function nextOf(doc: SearchSessionDoc, now = new Date()) {
  if (doc.search.phase === 'range_test') {
    const n = sweepNext(doc.sweep, doc.request);
    return n && { type: 'sweep' as const, iteration: n.iteration, lr: n.lr };
  }
  const ask = searchAsk(doc.search);
  if (ask.type !== 'trial') return null;
  if (isParallel(doc)) return { type: 'leases' as const, ...leaseCounts(doc, now) };
  const t = ask.trial;
  return { type: 'trial' as const, trial: t.id, lr: t.lr, steps: t.steps, eval_at: t.eval_at, why: t.why };
}

export function sessionResource(doc: SearchSessionDoc, now = new Date()) {
  const links = { self: `${BASE}/${doc.id}`, reports: `${BASE}/${doc.id}/reports`, plot: `${BASE}/${doc.id}/plot.svg` };
  const parallel = isParallel(doc)
    ? {
        leases: activeLeases(doc, now).map((l) => leasedTrial(doc, l)),
        links: { ...links, leases: `${BASE}/${doc.id}/leases` },
      }
    : { links };
  return {
    id: doc.id,
    status: statusOf(doc),
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    request: doc.request,
    next: nextOf(doc, now),
    range_test_iterations: doc.sweep.losses.length,
    trials_reported: Object.keys(doc.reported).length,
    cost_steps:
      doc.search.phase === 'range_test' ? doc.sweep.losses.length : doc.search.cost.range_test + doc.search.cost.trials,
    result: doc.result,
    ...parallel,
  };
}

function conflict(code: string, pointer: string, detail: string): ProblemError {
  return new ProblemError(409, code, 'Conflict', `${pointer}: ${detail}`, [{ pointer, detail }]);
}

const finite = (v: number | null | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

/** The sweep's curve once it stopped, handed to the search. */
function rangeTestDone(doc: SearchSessionDoc): SearchState {
  const o = doc.request;
  const lrs = doc.sweep.losses.map((_, i) => lrAt(i, o.start_lr, o.end_lr, o.num_iter, o.step_mode));
  const stop = doc.sweep.stop_reason === 'stopped_by_client' ? 'completed' : (doc.sweep.stop_reason ?? 'completed');
  return tellRangeTest(doc.search, {
    lrs,
    losses: doc.sweep.losses,
    smoothed_losses: doc.sweep.smoothed_losses,
    stop_reason: stop,
  });
}

function sweepReports(doc: SearchSessionDoc, body: LrSearchSessionReport): SearchSessionDoc {
  if (body.trial !== undefined || body.metric !== undefined)
    throw invalid(
      '/trial',
      "send range-test losses ({iteration, loss} or {losses}) or a trial's metric ({trial, metric}), not both",
    );
  let items: { iteration: number; loss: number | null }[];
  if (body.losses !== undefined) {
    if (body.iteration !== undefined || body.loss !== undefined)
      throw invalid('/losses', 'send {iteration, loss} or a batch {losses: [...]}, not both');
    items = body.losses;
  } else {
    if (body.iteration === undefined)
      throw invalid('/iteration', 'is required during the range test (or a batch {losses: [...]})');
    if (body.loss === undefined) throw invalid('/loss', 'is required: the loss of the step, null when it was NaN/Inf');
    items = [{ iteration: body.iteration, loss: body.loss }];
  }
  const batch = body.losses !== undefined;
  let sweep = doc.sweep;
  // did this request reach the range test's last point (record it, or re-send it)? what follows is ignored
  let reachedEnd = false;
  for (let k = 0; k < items.length; k++) {
    const { iteration, loss } = items[k];
    const at = batch ? `/losses/${k}` : '';
    const n = sweep.losses.length;
    if (iteration < n) {
      if (sweep.losses[iteration] !== finite(loss))
        throw conflict(
          'loss_conflict',
          `${at}/loss`,
          `iteration ${iteration} was already recorded with loss ${String(sweep.losses[iteration])}, not ${String(loss)}`,
        );
      if (iteration === n - 1) reachedEnd = true;
      continue;
    }
    if (sweep.stop_reason !== null) {
      if (reachedEnd) break;
      throw conflict(
        'range_test_done',
        `${at}/iteration`,
        `the range test stopped (${sweep.stop_reason}) after ${n} steps: report the metric of the trial in next ({trial, metric})`,
      );
    }
    if (iteration > n)
      throw conflict(
        'out_of_order',
        `${at}/iteration`,
        `expected iteration ${n} (losses must arrive in order), got ${iteration}`,
      );
    sweep = sweepStep(sweep, doc.request, loss);
    reachedEnd = true;
  }
  if (sweep === doc.sweep) return doc;
  const next = { ...doc, sweep };
  return sweep.stop_reason === null ? next : { ...next, search: rangeTestDone(next) };
}

function trialReport(doc: SearchSessionDoc, body: LrSearchSessionReport, now: Date): SearchSessionDoc {
  const id = body.trial;
  if (id === undefined) throw invalid('/trial', 'is required: the id of the trial (next.trial)');
  if (body.metric === undefined)
    throw invalid('/metric', "is required: the metric after the trial's steps, null when it diverged");
  const metric = finite(body.metric);
  if (isParallel(doc)) {
    if (checkLease(doc, id, body.lease, metric, now) === 'repeat') return doc;
    if (doc.result !== null) {
      throw conflict('session_done', '/trial', `the search is done (GET ${BASE}/${doc.id} for the result)`);
    }
    const t = doc.search.pending.find((x) => x.id === id);
    if (!t) throw conflict('unknown_lease', '/trial', `trial ${id} is not pending`);
    const next = tell(doc, t, body, metric);
    return { ...next, reported_lease: { ...(doc.reported_lease ?? {}), [id]: body.lease! } };
  }
  if (body.lease !== undefined) {
    throw invalid('/lease', 'this session hands out no leases (it was started without parallelism)');
  }
  if (Object.prototype.hasOwnProperty.call(doc.reported, id)) {
    if (doc.reported[id] !== metric)
      throw conflict(
        'metric_conflict',
        '/metric',
        `trial ${id} was already reported with metric ${String(doc.reported[id])}, not ${String(metric)}`,
      );
    return doc;
  }
  const ask = searchAsk(doc.search);
  if (ask.type !== 'trial')
    throw conflict('session_done', '/trial', `the search is done (GET ${BASE}/${doc.id} for the result)`);
  if (ask.trial.id !== id)
    throw conflict(
      'out_of_order',
      '/trial',
      `expected trial ${ask.trial.id} (lr ${ask.trial.lr}, ${ask.trial.steps} steps), got ${id}`,
    );
  return tell(doc, ask.trial, body, metric);
}

/** tells the engine trial `t`'s report */
function tell(doc: SearchSessionDoc, t: Trial, body: LrSearchSessionReport, metric: number | null): SearchSessionDoc {
  const id = t.id;
  if (body.steps !== undefined && metric !== null && body.steps !== t.steps)
    throw invalid('/steps', `a completed trial runs all ${t.steps} steps; steps is for a trial that diverged`);
  if (body.steps !== undefined && body.steps > t.steps)
    throw invalid('/steps', `trial ${id} asks for ${t.steps} steps, got ${body.steps}`);
  const search = tellTrial(doc.search, id, {
    metric,
    diverged: metric === null,
    ...(metric === null && body.steps !== undefined ? { steps: body.steps } : {}),
    ...(body.metrics_at
      ? { metrics_at: body.metrics_at.map((m) => ({ steps: m.steps, metric: finite(m.metric) })) }
      : {}),
  });
  return { ...doc, search, reported: { ...doc.reported, [id]: metric } };
}

/** Applies one report; returns the same doc when nothing changed (an idempotent re-send). */
export function applyReport(doc: SearchSessionDoc, body: LrSearchSessionReport, now: Date): SearchSessionDoc {
  if (doc.result !== null && isParallel(doc) && body.trial !== undefined && body.metric !== undefined) {
    // the counted report re-sent (the same doc back), or a lease's conflict
    return trialReport(doc, body, now);
  }
  if (doc.result !== null) {
    // a re-sent last report is harmless; anything else is too late
    if (
      body.trial !== undefined &&
      Object.prototype.hasOwnProperty.call(doc.reported, body.trial) &&
      doc.reported[body.trial] === finite(body.metric)
    )
      return doc;
    throw conflict(
      'session_done',
      body.trial !== undefined ? '/trial' : '/iteration',
      `the search is done (GET ${BASE}/${doc.id} for the result)`,
    );
  }
  const sweepForm = body.iteration !== undefined || body.loss !== undefined || body.losses !== undefined;
  if (!sweepForm && doc.search.phase === 'range_test') {
    throw conflict(
      'range_test_running',
      '/trial',
      `the range test is running: report the loss of step ${doc.sweep.losses.length} ({iteration, loss})`,
    );
  }
  const next = sweepForm ? sweepReports(doc, body) : trialReport(doc, body, now);
  if (next === doc) return doc;
  const result = next.search.phase === 'done' ? searchResult(next.search) : null;
  return { ...next, result, updated_at: now.toISOString() };
}
