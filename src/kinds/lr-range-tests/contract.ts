/**
 * LR range test jobs: request (torch-lr-finder's argument names and defaults), result, job
 * resource. Every field is optional; a `preset` fills the rest (GET /v1/presets).
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, RefOf, StringEnum } from '../../contracts/common.js';
import { BackendUsed } from '../../contracts/backend.js';
import { JobResource } from '../../contracts/job.js';
import { Emulate } from '../../contracts/emulate.js';
import {
  LayerSeries,
  RANGE_TEST_DEFAULTS,
  SKIP_DESCRIPTION,
  SUGGESTION_NAMES,
  Warning,
} from '../../contracts/lr-range-test.js';
import { Emulation, MethodPick } from '../../contracts/picks.js';
import { trainingSetupFields } from '../../contracts/training-setup.js';

/** The kind's name: its URL segment, queue and OpenAPI tag. */
export const KIND = 'lr-range-tests';

const D = RANGE_TEST_DEFAULTS;

export const LrRangeTestRequest = Type.Object(
  {
    preset: Type.Optional(
      Type.Union([Type.String({ maxLength: 64 }), Type.Null()], {
        description:
          'a name from GET /v1/presets; the fields you give override it. Absent: spirals-mlp; null: no preset (defaults only)',
      }),
    ),
    ...trainingSetupFields(),
    start_lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, default: D.start_lr })),
    end_lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, default: D.end_lr })),
    num_iter: Type.Optional(Type.Integer({ minimum: 2, maximum: 1_000_000, default: D.num_iter })),
    step_mode: Type.Optional(StringEnum(['exp', 'linear'] as const, { default: D.step_mode })),
    smooth_f: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1, default: D.smooth_f })),
    diverge_th: Type.Optional(Type.Number({ exclusiveMinimum: 1, maximum: 1e6, default: D.diverge_th })),
    suggestion: Type.Optional(
      StringEnum(SUGGESTION_NAMES, {
        default: D.suggestion,
        description:
          `which method picks \`suggested_lr\` (default ${D.suggestion}, the best single rule in the suggestion-quality benchmark): fastai's valley (fastai's default), steep, minimum, slide; torch-lr-finder's steepest; ` +
          "Lightning's lightning, lightning_legacy; keras_lr_finder's keras_sma; ignite's ignite; zero_lag_steepest (ours). " +
          "All are returned in `suggestions`. With `emulate` the default is the library's own",
      }),
    ),
    skip_start: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: SKIP_DESCRIPTION.skip_start })),
    skip_end: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: SKIP_DESCRIPTION.skip_end })),
    sma: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000,
        description: 'keras_lr_finder `get_best_lr(sma)` for keras_sma (default 1)',
      }),
    ),
    emulate: Type.Optional(Emulate),
    eval: Type.Optional(
      StringEnum(['train', 'val'] as const, {
        default: D.eval,
        description: 'record the training minibatch loss, or the validation loss after every step',
      }),
    ),
    repeats: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: D.repeats })),
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

const RunCurve = Type.Object(
  {
    seed: Type.Integer(),
    lrs: Type.Array(Type.Number()),
    losses: Type.Array(FiniteOrNull),
    smoothed_losses: Type.Array(FiniteOrNull),
    suggested_lr: FiniteOrNull,
    stop_reason: StringEnum(['completed', 'diverged', 'non_finite'] as const),
    iterations: Type.Integer(),
  },
  { additionalProperties: false },
);

export const LrRangeTestResult = Type.Object(
  {
    lrs: Type.Array(Type.Number(), {
      description:
        'the LR of each iteration (with `emulate`: the LR the library records, which ignite takes one step ahead of the one applied)',
    }),
    losses: Type.Array(FiniteOrNull, { description: 'raw loss per iteration (null where non-finite)' }),
    smoothed_losses: Type.Array(FiniteOrNull, {
      description:
        'torch-lr-finder EMA of the losses (smooth_f); with `emulate`, what the library recorded (null where non-finite)',
    }),
    grad_norms: Type.Array(FiniteOrNull, { description: 'total gradient L2 norm before clipping' }),
    suggested_lr: FiniteOrNull,
    suggestion: Type.Object({
      method: Type.String(),
      lr: FiniteOrNull,
      index: Type.Union([Type.Integer(), Type.Null()]),
      reason: Type.Optional(Type.String()),
    }),
    suggestions: Type.Record(Type.String(), RefOf(MethodPick), {
      description: "every method's pick, with the window it read and the trimming it applied",
    }),
    best_lr: FiniteOrNull,
    best_loss: FiniteOrNull,
    stop_reason: StringEnum(['completed', 'diverged', 'non_finite'] as const),
    iterations: Type.Integer(),
    layers: Type.Array(RefOf(LayerSeries), {
      description:
        'per-layer diagnostics of the first run at the iterations in layer_iterations: every iteration up to LIMIT_LAYER_POINTS, ' +
        'beyond that the first, the last and evenly spaced ones between (warnings are computed on every iteration)',
    }),
    layer_iterations: Type.Optional(
      Type.Array(Type.Integer(), {
        description: '0-based iterations of the per-layer points (indices into lrs and losses)',
      }),
    ),
    warnings: Type.Array(RefOf(Warning)),
    seed: Type.Integer(),
    /** with `emulate`: the library's run on this training's raw losses (recorded LRs and losses, NaN / ±Infinity kept
     * apart, how many points, why it stopped) */
    emulation: Type.Optional(RefOf(Emulation)),
    runs: Type.Optional(
      Type.Array(RunCurve, {
        description: "repeats > 1: every run's curve (run k trained from seed + k; run 0 is the top-level curve)",
      }),
    ),
    suggestion_spread: Type.Optional(
      Type.Object(
        {
          n: Type.Integer({ description: 'runs with a suggestion' }),
          log_mean_lr: FiniteOrNull,
          min_lr: FiniteOrNull,
          max_lr: FiniteOrNull,
          log10_std: FiniteOrNull,
        },
        {
          additionalProperties: false,
          description:
            "repeats > 1: the runs' suggested LRs aggregated in log10 (geometric mean, range, standard deviation of log10)",
        },
      ),
    ),
    backend: Type.Optional(RefOf(BackendUsed)),
  },
  { $id: 'LrRangeTestResult', additionalProperties: true },
);
export type LrRangeTestResult = Static<typeof LrRangeTestResult>;

export const LrRangeTestJob = JobResource(
  'LrRangeTestJob',
  Type.Ref('LrRangeTestRequest'),
  Type.Ref('LrRangeTestResult'),
);

/** A list item's `summary` (GET /v1/lr-range-tests). */
export const LrRangeTestSummary = Type.Object(
  {
    suggested_lr: FiniteOrNull,
    suggestion_method: Type.String(),
    stop_reason: Type.String(),
    iterations: Type.Integer(),
    best_lr: FiniteOrNull,
  },
  { additionalProperties: false },
);
