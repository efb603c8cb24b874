/**
 * POST /v1/curve-analyses: the suggestions for a loss curve recorded elsewhere (a client's own
 * PyTorch/JAX loop, or a library's history), or — with `emulate` — what a library's whole
 * pipeline would have made of raw per-step losses.
 *
 * - Without `emulate`, `losses` is the RECORDED curve (torch-lr-finder `history["loss"]`, fastai
 *   `recorder.losses`: smoothed by the library), analysed as sent. Every method applies its own
 *   library's trimming unless skip_start / skip_end are set, and reads NaN / ±Infinity as its
 *   library does (`non_finite: "library"`) or cuts its window before the first one ("cut").
 * - With `emulate`, `losses` are the RAW losses of consecutive steps; the library's LR plan gives
 *   the LRs (or `lrs`, when sent, replace it), its smoothing and stop rule decide what it would
 *   have recorded, and its trimming and methods pick on that.
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, StringEnum } from '../../contracts/common.js';
import { Emulate } from '../../contracts/emulate.js';
import { SKIP_DESCRIPTION, SUGGESTION_NAMES } from '../../contracts/lr-range-test.js';
import { WireLoss } from '../../contracts/picks.js';
import { FASTAI_DEFAULTS, KERAS_LR_FINDER_DEFAULTS, SERVICE_DEFAULTS } from '../../lrfinder/defaults.js';

/** Static schema bound; the configurable limit (LIMIT_NUM_ITER) is checked by the handler. */
export const CURVE_MAX_POINTS = 100_000;

export const CurveAnalysisRequest = Type.Object(
  {
    lrs: Type.Optional(
      Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
        minItems: 1,
        maxItems: CURVE_MAX_POINTS,
        description:
          'the LR of each step, > 0 and strictly increasing (torch-lr-finder `history["lr"]`, fastai `recorder.lrs`). ' +
          "Required without `emulate`; with it optional: sent, they replace the library's LR plan",
      }),
    ),
    losses: Type.Array(WireLoss, {
      minItems: 1,
      maxItems: CURVE_MAX_POINTS,
      description:
        'one loss per step: a number, "NaN", "Infinity", "-Infinity", or null (non-finite, kind unknown: read as NaN). ' +
        'Without `emulate` the recorded (smoothed) curve; with it the raw per-step losses',
    }),
    emulate: Type.Optional(Emulate),
    suggestion: Type.Optional(
      StringEnum(SUGGESTION_NAMES, {
        description:
          `which method picks \`suggested_lr\` (default ${SERVICE_DEFAULTS.suggestion}; with \`emulate\` the library's default: ` +
          'fastai valley, torch-lr-finder steepest, Lightning lightning, keras keras_sma, ignite ignite)',
      }),
    ),
    methods: Type.Optional(
      Type.Array(StringEnum(SUGGESTION_NAMES), {
        minItems: 1,
        maxItems: SUGGESTION_NAMES.length,
        uniqueItems: true,
        description: 'methods to run (default: all ten); the `suggestion` method always runs',
      }),
    ),
    skip_start: Type.Optional(
      Type.Integer({ minimum: 0, maximum: CURVE_MAX_POINTS, description: SKIP_DESCRIPTION.skip_start }),
    ),
    skip_end: Type.Optional(
      Type.Integer({ minimum: 0, maximum: CURVE_MAX_POINTS, description: SKIP_DESCRIPTION.skip_end }),
    ),
    num_iter: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description:
          `fastai \`lr_find(num_it=${FASTAI_DEFAULTS.num_it})\`: the iterations requested; fastai's methods drop num_it//10 points at the front. ` +
          "Default: the curve length. With `emulate`, the library's num_iter unless `emulate` sets it",
      }),
    ),
    sma: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: CURVE_MAX_POINTS,
        description: `keras_lr_finder \`get_best_lr(sma)\`: keras_sma's difference over sma points (default ${KERAS_LR_FINDER_DEFAULTS.sma})`,
      }),
    ),
    slide: Type.Optional(
      Type.Object(
        {
          lr_diff: Type.Optional(Type.Integer({ minimum: 1, maximum: CURVE_MAX_POINTS })),
          thresh: Type.Optional(Type.Number({ minimum: 0, maximum: 1e12 })),
          adjust_value: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6 })),
        },
        {
          additionalProperties: false,
          description: `fastai \`slide(lr_diff=${FASTAI_DEFAULTS.slide.lr_diff}, thresh=${FASTAI_DEFAULTS.slide.thresh}, adjust_value=${FASTAI_DEFAULTS.slide.adjust_value})\``,
        },
      ),
    ),
    non_finite: Type.Optional(
      StringEnum(['library', 'cut'] as const, {
        description:
          'library (default): each method reads NaN / ±Infinity as its library does (fastai cuts at the first NaN and keeps ±Infinity, ' +
          "torch-lr-finder's and keras's argmin land on the first NaN, Lightning drops them); cut: every window ends before its first non-finite loss. " +
          'With `emulate` always library',
      }),
    ),
  },
  {
    $id: 'CurveAnalysisRequest',
    additionalProperties: false,
    example: {
      lrs: [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1, 3],
      losses: [2.3, 2.3, 2.29, 2.27, 2.2, 2.0, 1.7, 1.4, 1.3, 1.6, 3.1, 'NaN'],
      suggestion: 'steepest',
      skip_start: 0,
      skip_end: 0,
    },
  },
);
export type CurveAnalysisRequest = Static<typeof CurveAnalysisRequest>;

export const CurveAnalysisResult = Type.Object(
  {
    suggested_lr: FiniteOrNull,
    suggestion: Type.Object(
      {
        method: Type.String(),
        lr: FiniteOrNull,
        index: Type.Union([Type.Integer(), Type.Null()]),
        reason: Type.Optional(Type.String()),
      },
      { additionalProperties: false },
    ),
    suggestions: Type.Record(Type.String(), Type.Ref('MethodPick'), {
      description:
        "every requested method's pick, with the window it read and the trimming it applied (`trim.source`: library or request)",
    }),
    windows: Type.Record(
      Type.String(),
      Type.Object({ start: Type.Integer(), end: Type.Integer() }, { additionalProperties: false }),
      {
        description: "each method's window again (suggestions.*.window), by method",
      },
    ),
    emulation: Type.Optional(
      Type.Ref('Emulation', {
        description:
          "with `emulate`: the library's run (its LRs and recorded losses, how many points it recorded, why it stopped)",
      }),
    ),
    warnings: Type.Array(Type.Ref('Warning')),
  },
  { $id: 'CurveAnalysisResult', additionalProperties: false },
);
export type CurveAnalysisResult = Static<typeof CurveAnalysisResult>;
