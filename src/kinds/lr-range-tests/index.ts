/** The LR range test job kind: POST /v1/lr-range-tests and its views. See ../kind.ts for the parts. */
import { uploadIds } from '../../contracts/resolve.js';
import { defineKind } from '../kind.js';
import { KIND, LrRangeTestJob, LrRangeTestRequest, LrRangeTestResult, LrRangeTestSummary } from './contract.js';
import { renderRangeTestCsv } from './csv.js';
import { PRESETS } from './presets.js';
import { resolveRangeTest } from './resolve.js';
import { runLrRangeTest } from './run.js';
import { renderRangeTestSvg } from './svg.js';

export const lrRangeTests = defineKind({
  name: KIND,
  noun: { a: 'an', one: 'LR range test', many: 'LR range tests' },
  description: 'LR range tests (Smith 2017; torch-lr-finder, fastai lr_find)',
  post: {
    summary: 'Queue an LR range test',
    description: () =>
      'Trains the model for `num_iter` minibatches while raising the LR from `start_lr` to `end_lr` ' +
      '(exponentially by default, as torch-lr-finder), records the loss, stops on divergence, and suggests an LR with every method ' +
      "(fastai, torch-lr-finder, Lightning, keras_lr_finder, ignite, ours), each with its own library's trimming. With `emulate` " +
      '(`"fastai"`, `"torch-lr-finder"`, `"lightning"`, `"keras-lr-finder"`, `"ignite"`, or `{library, ...its arguments}`) the run ' +
      "is that library's whole pipeline on the trainer's raw losses — its LR plan, smoothing, stop rule, trimming and methods — and " +
      '`emulation` says how many points it recorded and why it stopped. ' +
      'Every field is optional: `{"preset": "spirals-mlp"}` (or `{}`) runs a complete example. Answers 202 with a ' +
      'Location to poll.',
  },
  schemas: {
    request: LrRangeTestRequest,
    result: LrRangeTestResult,
    job: LrRangeTestJob,
    components: [LrRangeTestRequest, LrRangeTestResult, LrRangeTestJob],
  },
  presets: PRESETS,
  resolve: resolveRangeTest,
  datasetIds: (request: { data?: unknown }) => uploadIds(request.data),
  run: runLrRangeTest,
  summary: {
    schema: LrRangeTestSummary,
    of: (r) => ({
      suggested_lr: r.suggested_lr,
      suggestion_method: r.suggestion.method,
      stop_reason: r.stop_reason,
      iterations: r.iterations,
      best_lr: r.best_lr,
    }),
  },
  views: {
    svg: {
      description:
        'Loss (raw, faint) and smoothed loss against the LR on a log axis, the suggested LR marked, every ' +
        "method's pick shown faintly, the loss axis clipped to [lowest loss, first loss + margin].",
      render: renderRangeTestSvg,
    },
    csv: {
      description:
        '`iteration,lr,loss,smoothed_loss,grad_norm` (iteration is 0-based, the `index` of the suggestions; ' +
        'an empty cell where the value is null), plus a `run` column for `repeats > 1` (one block of rows per run).',
      render: renderRangeTestCsv,
    },
  },
});
