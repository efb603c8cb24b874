/** The LR search job kind: POST /v1/lr-searches and its views. See ../kind.ts for the parts. */
import { uploadIds } from '../../contracts/resolve.js';
import { defineKind } from '../kind.js';
import { KIND, LrSearchJob, LrSearchRequest, LrSearchResult, LrSearchSummary } from './contract.js';
import { renderLrSearchCsv } from './csv.js';
import { PRESETS } from './presets.js';
import { resolveLrSearch } from './resolve.js';
import { runLrSearch } from './run.js';
import { lrSearchFanOut } from './fanout.js';
import { renderLrSearchSvg } from './svg.js';

export const lrSearches = defineKind({
  name: KIND,
  noun: { a: 'an', one: 'LR search', many: 'LR searches' },
  description:
    'LR searches: the LR that trains best for your number of steps (and schedule), verified by training, with a confidence',
  post: {
    summary: 'Queue an LR search: a verified, horizon-aware learning rate with a calibrated confidence',
    description: (limits) =>
      'Runs a range test to bracket the LRs, then trains candidate LRs half a decade apart from the same initial weights and batch order — ' +
      'many for a fraction of `train_steps`, the survivors for all of them (successive halving, leaning to lower LRs as the horizon grows) — ' +
      'under your `schedule` scaled so its peak is the candidate, and recommends the LR with the best `metric` after `train_steps` steps. ' +
      'The result has `recommended_lr`, the `interval` of LRs within (1 + `tolerance`) of the best, a `confidence` that it stays within ' +
      'tolerance on another seed, every `candidate` with why it was tried, the range test, and the `cost` in optimizer steps (at most `budget_steps`, ' +
      'default 4 × train_steps; a 13-point LR grid would cost 13 ×). `{"preset": "spirals-search"}` (or `{}`) runs a complete example. ' +
      `Limits: train_steps ≤ ${limits.scheduleSteps} (LIMIT_SCHEDULE_STEPS), budget_steps ≤ ${limits.simulationSteps} (LIMIT_SIMULATION_STEPS), num_iter ≤ ${limits.numIter} (LIMIT_NUM_ITER).`,
  },
  schemas: {
    request: LrSearchRequest,
    result: LrSearchResult,
    job: LrSearchJob,
    components: [LrSearchRequest, LrSearchResult, LrSearchJob],
  },
  presets: PRESETS,
  resolve: resolveLrSearch,
  datasetIds: (request: { data?: unknown }) => uploadIds(request.data),
  run: runLrSearch,
  fanout: lrSearchFanOut,
  summary: {
    schema: LrSearchSummary,
    of: (r) => ({
      recommended_lr: r.recommended_lr,
      confidence: r.confidence.level,
      p_within_tolerance: r.confidence.p_within_tolerance,
      train_steps: r.train_steps,
      cost_steps: r.cost.steps,
    }),
  },
  views: {
    svg: {
      description:
        'The metric after train_steps steps against the LR for every candidate (hollow, labelled with their steps: stopped earlier, ' +
        'on the edge when off the scale; crosses: diverged), the interval as a band (outlined, visible even when it is one LR), the recommended LR marked; ' +
        "below, on its own axis, the range test's smoothed loss.",
      render: renderLrSearchSvg,
    },
    csv: {
      description:
        '`lr,reason,steps,metric,at_horizon,diverged,stop_reason,in_interval,recommended`, one row per candidate by LR.',
      render: renderLrSearchCsv,
    },
  },
});
