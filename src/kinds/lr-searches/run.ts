/**
 * An LR search job: the search engine (src/lrfinder/search/engine.ts) driven by the trial runner
 * on the core trainer — every candidate from the request's seed (same initial weights, same batch
 * order), survivors continued rather than retrained. One progress point per optimizer step
 * (`iteration` = steps spent of `total` = budget_steps), naming the candidate being trained.
 */
import { dataShape, datasetRows } from '../../contracts/resolve.js';
import { toTrainSpec } from '../../contracts/train-spec.js';
import type { ScheduleSpec } from '../../core/schedules/index.js';
import { driveSearch } from '../../lrfinder/search/drive.js';
import { createSearch, searchResult } from '../../lrfinder/search/engine.js';
import { createTrialRunner } from '../../lrfinder/search/trial-runner.js';
import type { JobDeps } from '../kind.js';
import type { LrSearchResult } from './contract.js';
import type { ResolvedLrSearch } from './resolve.js';
import { batchWarning } from '../../contracts/batch.js';

export interface LrSearchProgress {
  iteration: number;
  total: number;
  lr: number | null;
  loss: number | null;
  /** range_test, or the candidate being trained */
  phase: 'range_test' | 'trial';
  /** the candidate's LR (its peak LR under a schedule) and the steps it is trained to */
  candidate_lr: number | null;
  candidate_steps: number | null;
  [key: string]: unknown;
}

export function* runLrSearch(req: ResolvedLrSearch, deps: JobDeps): Generator<LrSearchProgress, LrSearchResult> {
  const dataset = deps.dataset(req.data, req.seed);
  // the optimizer's constructor lr is never used: every step passes the candidate's (scheduled) lr
  const spec = toTrainSpec(req, req.seed, req.start_lr);
  const shape = { ...dataShape(req.data), rows: dataset?.rows ?? datasetRows(req.data) };
  const runner = createTrialRunner({
    spec, dataset, backend: (s) => deps.backend(s, shape),
    train_steps: req.train_steps, schedule: req.schedule as ScheduleSpec | null, metric: req.metric, diverge_th: req.diverge_th,
  });
  const start = createSearch({
    train_steps: req.train_steps, budget_steps: req.budget_steps, tolerance: req.tolerance, resumable: true, metric: req.metric,
    range_test: { start_lr: req.start_lr, end_lr: req.end_lr, num_iter: req.num_iter },
  });
  const gen = driveSearch(start, runner);
  let next = gen.next();
  while (!next.done) {
    const e = next.value;
    yield {
      iteration: e.steps, total: e.budget_steps,
      lr: e.step?.lr ?? null, loss: e.step?.loss ?? e.metric,
      phase: e.done === 'range_test' ? 'range_test' : 'trial',
      candidate_lr: e.trial?.lr ?? null, candidate_steps: e.trial?.steps ?? null,
    };
    next = gen.next();
  }
  const result = searchResult(next.value);
  const batch = batchWarning(req.batch_size, req.data);
  return { ...result, warnings: batch ? [batch, ...result.warnings] : result.warnings, seed: req.seed };
}
