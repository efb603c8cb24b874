/**
 * What LR range tests, sweep sessions and curve analyses share: torch-lr-finder's argument
 * defaults, the suggestion method names, and the warning and per-layer series schemas. The
 * range-test job's own request and result are in its job kind's folder (src/kinds/).
 */
import Type from 'typebox';
import { FiniteOrNull } from './common.js';
import { SERVICE_DEFAULTS, TORCH_LR_FINDER_DEFAULTS as T } from '../lrfinder/defaults.js';
import { SUGGESTION_METHOD_NAMES } from '../lrfinder/suggest/index.js';

export const SUGGESTION_NAMES = SUGGESTION_METHOD_NAMES;

/** Defaults of torch-lr-finder's `range_test` / `plot` (davidtvs/pytorch-lr-finder) unless noted. */
export const RANGE_TEST_DEFAULTS = {
  start_lr: T.start_lr,
  end_lr: T.end_lr,
  num_iter: T.num_iter,
  step_mode: T.step_mode,
  smooth_f: T.smooth_f,
  diverge_th: T.diverge_th,
  suggestion: SERVICE_DEFAULTS.suggestion, // fastai's default suggestion function
  skip_start: T.skip_start,
  skip_end: T.skip_end,
  eval: 'train',
  repeats: 1,
  batch_size: 64,
  seed: 0,
} as const;

/** Per-layer diagnostics over time: vanishing/exploding gradients, activation statistics, dead ReLUs. */
export const LayerSeries = Type.Object(
  {
    layer: Type.String(),
    grad_norm: Type.Array(FiniteOrNull, { description: 'L2 norm of the layer\'s parameter gradients' }),
    weight_norm: Type.Array(FiniteOrNull),
    update_ratio: Type.Array(FiniteOrNull, { description: '‖Δw‖/‖w‖ of the step' }),
    act_mean: Type.Array(FiniteOrNull),
    act_std: Type.Array(FiniteOrNull),
    dead_fraction: Type.Array(FiniteOrNull, { description: 'fraction of ReLU units that output 0 for the whole batch' }),
  },
  { $id: 'LayerSeries', additionalProperties: false },
);

export const Warning = Type.Object(
  { code: Type.String(), message: Type.String(), iteration: Type.Optional(Type.Union([Type.Integer(), Type.Null()])) },
  { $id: 'Warning', additionalProperties: false },
);
