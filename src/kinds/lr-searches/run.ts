/**
 * An LR search job: the search engine (src/lrfinder/search/engine.ts) driven by the trial runner
 * on the core trainer — every candidate from the request's seed (same initial weights, same batch
 * order), survivors continued rather than retrained. One progress point per optimizer step
 * (`iteration` = steps spent of `total` = budget_steps), naming the candidate being trained.
 */
import { dataShape, datasetRows } from '../../contracts/resolve.js';
import { toTrainSpec } from '../../contracts/train-spec.js';
import { parseScheduleShape } from '../../core/schedules/index.js';
import { driveSearch } from '../../lrfinder/search/drive.js';
import { createSearch, searchResult } from '../../lrfinder/search/engine.js';
import { createTrialRunner, type TrialRunner } from '../../lrfinder/search/trial-runner.js';
import type { SearchState } from '../../lrfinder/search/types.js';
import type { JobDeps } from '../kind.js';
import type { LrSearchResult } from './contract.js';
import type { ResolvedLrSearch } from './resolve.js';
import { batchWarning } from '../../contracts/batch.js';

export interface LrSearchProgress {
  iteration: number;
  total: number;
  lr: number | null;
  loss: number | null;
  /** range_test, the candidate being trained, or done (the last point: the search has its answer) */
  phase: 'range_test' | 'trial' | 'done';
  /** the candidate's LR (its peak LR under a schedule) and the steps it is trained to */
  candidate_lr: number | null;
  candidate_steps: number | null;
  [key: string]: unknown;
}

/** The trial runner of a request: the trainer setup every candidate starts from. */
export function searchRunner(req: ResolvedLrSearch, deps: JobDeps): TrialRunner {
  const dataset = deps.dataset(req.data, req.seed);
  // the optimizer's constructor lr is never used: every step passes the candidate's (scheduled) lr
  const spec = toTrainSpec(req, req.seed, req.start_lr);
  const shape = { ...dataShape(req.data), rows: dataset?.rows ?? datasetRows(req.data) };
  return createTrialRunner({
    spec,
    dataset,
    backend: (s) => deps.backend(s, shape),
    train_steps: req.train_steps,
    schedule: req.schedule ? parseScheduleShape(req.schedule).spec : null,
    metric: req.metric,
    diverge_th: req.diverge_th,
  });
}

/** The engine's first state for a request. */
export function searchStart(req: ResolvedLrSearch): SearchState {
  return createSearch({
    train_steps: req.train_steps,
    budget_steps: req.budget_steps,
    tolerance: req.tolerance,
    resumable: true,
    metric: req.metric,
    range_test: { start_lr: req.start_lr, end_lr: req.end_lr, num_iter: req.num_iter },
  });
}

export function* runLrSearch(req: ResolvedLrSearch, deps: JobDeps): Generator<LrSearchProgress, LrSearchResult> {
  const runner = searchRunner(req, deps);
  const gen = driveSearch(searchStart(req), runner);
  let next = gen.next();
  while (!next.done) {
    const e = next.value;
    yield {
      iteration: e.steps,
      total: e.budget_steps,
      lr: e.step?.lr ?? null,
      loss: e.step?.loss ?? e.metric,
      phase: e.done === 'range_test' ? 'range_test' : 'trial',
      candidate_lr: e.trial?.lr ?? null,
      candidate_steps: e.trial?.steps ?? null,
    };
    next = gen.next();
  }
  return yield* finishLrSearch(req, next.value);
}

/** The result of a finished search: its last progress point, then the result. */
export function* finishLrSearch(
  req: ResolvedLrSearch,
  state: SearchState,
): Generator<LrSearchProgress, LrSearchResult> {
  const result = searchResult(state);
  yield finalProgress(result);
  const batch = batchWarning(req.batch_size, req.data);
  return { ...result, warnings: batch ? [batch, ...result.warnings] : result.warnings, seed: req.seed };
}

/**
 * The last progress point, which a finished job keeps: it says when the search needed less than
 * its budget, and why (the plan fits every rung to the budget as if no trial stopped early).
 */
export function finalProgress(r: Pick<LrSearchResult, 'cost' | 'candidates' | 'recommended_metric'>): LrSearchProgress {
  const { steps, budget_steps: budget } = r.cost;
  const diverged = r.candidates.filter((c) => c.diverged).length;
  const early = steps < budget;
  const why =
    diverged > 0
      ? `${diverged} candidate${diverged === 1 ? '' : 's'} diverged and stopped early, and the plan keeps budget for trials that run to their end`
      : 'the trials it planned needed no more (the plan keeps budget for the worst case)';
  return {
    iteration: steps,
    total: budget,
    lr: null,
    loss: r.recommended_metric,
    phase: 'done',
    candidate_lr: null,
    candidate_steps: null,
    finished_early: early,
    note: early
      ? `finished after ${steps} of its ${budget} budgeted steps: ${why}`
      : `finished: the ${budget}-step budget is spent`,
  };
}
