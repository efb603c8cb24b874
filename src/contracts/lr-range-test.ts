/**
 * What LR range tests, sweep sessions and curve analyses share: torch-lr-finder's argument
 * defaults, the suggestion method names, and the warning and per-layer series schemas (picks and
 * emulations: ./picks.ts, ./emulate.ts). The range-test job's own request and result are in its
 * job kind's folder (src/kinds/).
 */
import Type from 'typebox';
import { FiniteOrNull } from './common.js';
import { SERVICE_DEFAULTS, TORCH_LR_FINDER_DEFAULTS as T } from '../lrfinder/defaults.js';
import { SUGGESTION_METHOD_NAMES } from '../lrfinder/suggest/index.js';
import { TRAINING_DEFAULTS } from './training-setup.js';

/** Every method a request may name: fastai's four, torch-lr-finder's, Lightning's two, keras_lr_finder's, ignite's,
 * ours. */
export const SUGGESTION_NAMES = SUGGESTION_METHOD_NAMES;

/** `skip_start` / `skip_end`: unset, each method applies its own library's trimming. */
export const SKIP_DESCRIPTION = {
  skip_start:
    "points every method drops at the front; unset: each method's own library's default (fastai num_iter//10, " +
    'torch-lr-finder 10, Lightning 10, keras_lr_finder 10, ignite 0, zero_lag_steepest 0)',
  skip_end:
    "points every method drops at the end (0 keeps the end); unset: each method's own library's default (fastai 5, " +
    'torch-lr-finder 5, Lightning 1, keras_lr_finder 5, ignite 0, zero_lag_steepest 0)',
} as const;

/** Defaults of torch-lr-finder's `range_test` / `plot` (davidtvs/pytorch-lr-finder) unless noted. */
export const RANGE_TEST_DEFAULTS = {
  start_lr: T.start_lr,
  end_lr: T.end_lr,
  num_iter: T.num_iter,
  step_mode: T.step_mode,
  smooth_f: T.smooth_f,
  diverge_th: T.diverge_th,
  suggestion: SERVICE_DEFAULTS.suggestion, // chosen by the suggestion-quality benchmark (defaults.ts)
  eval: 'train',
  repeats: 1,
  batch_size: TRAINING_DEFAULTS.batch_size,
  seed: TRAINING_DEFAULTS.seed,
} as const;

/** Per-layer diagnostics over time: vanishing/exploding gradients, activation statistics, dead ReLUs. */
export const LayerSeries = Type.Object(
  {
    layer: Type.String(),
    grad_norm: Type.Array(FiniteOrNull, { description: "L2 norm of the layer's parameter gradients" }),
    weight_norm: Type.Array(FiniteOrNull),
    update_ratio: Type.Array(FiniteOrNull, { description: '‖Δw‖/‖w‖ of the step' }),
    act_mean: Type.Array(FiniteOrNull),
    act_std: Type.Array(FiniteOrNull),
    dead_fraction: Type.Array(FiniteOrNull, {
      description: 'fraction of ReLU units that output 0 for the whole batch',
    }),
  },
  { $id: 'LayerSeries', additionalProperties: false },
);

export const Warning = Type.Object(
  { code: Type.String(), message: Type.String(), iteration: Type.Optional(Type.Union([Type.Integer(), Type.Null()])) },
  { $id: 'Warning', additionalProperties: false },
);
