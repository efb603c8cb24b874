/**
 * LR range test: request (torch-lr-finder's argument names and defaults), result, job resource.
 * Every field is optional; a `preset` fills the rest (GET /v1/presets).
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, RefOf, StringEnum } from './common.js';
import { Data } from './data.js';
import { JobResource } from './job.js';
import { Loss, Model, Optimizer } from './model.js';

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

const D = RANGE_TEST_DEFAULTS;

export const LrRangeTestRequest = Type.Object(
  {
    preset: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()], { description: 'a name from GET /v1/presets; the fields you give override it. Absent: spirals-mlp; null: no preset (defaults only)' })),
    model: Type.Optional(RefOf(Model)),
    data: Type.Optional(RefOf(Data)),
    loss: Type.Optional(RefOf(Loss)),
    optimizer: Type.Optional(RefOf(Optimizer)),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 65536, default: D.batch_size })),
    start_lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, default: D.start_lr })),
    end_lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, default: D.end_lr })),
    num_iter: Type.Optional(Type.Integer({ minimum: 2, maximum: 1_000_000, default: D.num_iter })),
    step_mode: Type.Optional(StringEnum(['exp', 'linear'] as const, { default: D.step_mode })),
    smooth_f: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1, default: D.smooth_f })),
    diverge_th: Type.Optional(Type.Number({ exclusiveMinimum: 1, maximum: 1e6, default: D.diverge_th })),
    suggestion: Type.Optional(StringEnum(SUGGESTION_NAMES, {
      default: D.suggestion,
      description: 'which method picks `suggested_lr`: fastai\'s minimum, steep, valley (default), slide; torch-lr-finder\'s steepest; zero_lag_steepest (ours). All are returned in `suggestions`.',
    })),
    skip_start: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: D.skip_start })),
    skip_end: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: D.skip_end })),
    clip_grad_norm: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }), Type.Null()], { description: 'torch.nn.utils.clip_grad_norm_ max_norm (L2)' })),
    clip_grad_value: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }), Type.Null()], { description: 'torch.nn.utils.clip_grad_value_ clip_value' })),
    eval: Type.Optional(StringEnum(['train', 'val'] as const, { default: D.eval, description: 'record the training minibatch loss, or the validation loss after every step' })),
    repeats: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: D.repeats })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, default: D.seed })),
  },
  {
    $id: 'LrRangeTestRequest',
    additionalProperties: false,
    examples: [{ preset: 'spirals-mlp' }],
    // Swagger UI fills "Try it out" from the schema-level example
    example: { preset: 'spirals-mlp' },
  },
);
export type LrRangeTestRequest = Static<typeof LrRangeTestRequest>;

const SuggestionValue = Type.Object(
  {
    lr: FiniteOrNull,
    index: Type.Union([Type.Integer(), Type.Null()]),
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

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

export const LrRangeTestResult = Type.Object(
  {
    lrs: Type.Array(Type.Number(), { description: 'the LR applied at each iteration' }),
    losses: Type.Array(FiniteOrNull, { description: 'raw loss per iteration (null where non-finite)' }),
    smoothed_losses: Type.Array(FiniteOrNull, { description: 'torch-lr-finder EMA of the losses (smooth_f)' }),
    grad_norms: Type.Array(FiniteOrNull, { description: 'total gradient L2 norm before clipping' }),
    suggested_lr: FiniteOrNull,
    suggestion: Type.Object({ method: Type.String(), lr: FiniteOrNull, index: Type.Union([Type.Integer(), Type.Null()]), reason: Type.Optional(Type.String()) }),
    suggestions: Type.Record(Type.String(), SuggestionValue),
    best_lr: FiniteOrNull,
    best_loss: FiniteOrNull,
    stop_reason: StringEnum(['completed', 'diverged', 'non_finite'] as const),
    iterations: Type.Integer(),
    layers: Type.Array(Type.Ref('LayerSeries'), { description: 'per-layer diagnostics of the first run, one value per iteration' }),
    warnings: Type.Array(Type.Ref('Warning')),
    seed: Type.Integer(),
  },
  { $id: 'LrRangeTestResult', additionalProperties: true },
);


export const LrRangeTestJob = JobResource('LrRangeTestJob', Type.Ref('LrRangeTestRequest'), Type.Ref('LrRangeTestResult'));
