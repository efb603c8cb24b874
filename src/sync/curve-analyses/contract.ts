/**
 * POST /v1/curve-analyses: the suggestions for a loss curve recorded elsewhere (a client's own
 * PyTorch/JAX loop). The same suggesters as a range test, with their origins' trimming:
 * fastai's minimum/steep/valley/slide on [num_iter//10 : -5], torch-lr-finder's steepest on
 * [skip_start : -skip_end]. `losses` is used as given (send the smoothed series to match
 * torch-lr-finder's `plot()` / fastai's recorder, which both suggest from their smoothed losses).
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, StringEnum } from '../../contracts/common.js';
import { SERVICE_DEFAULTS, TORCH_LR_FINDER_DEFAULTS } from '../../lrfinder/defaults.js';
import { SUGGESTION_NAMES } from '../../contracts/lr-range-test.js';

/** Static schema bound; the configurable limit (LIMIT_NUM_ITER) is checked by the handler. */
export const CURVE_MAX_POINTS = 100_000;

export const CurveAnalysisRequest = Type.Object(
  {
    lrs: Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
      minItems: 2, maxItems: CURVE_MAX_POINTS,
      description: 'the LR of each recorded step, > 0 and strictly increasing (torch-lr-finder `history["lr"]`, fastai `recorder.lrs`)',
    }),
    losses: Type.Array(FiniteOrNull, {
      minItems: 2, maxItems: CURVE_MAX_POINTS,
      description: 'the loss of each step, same length as lrs; null where it was NaN/Inf (torch-lr-finder `history["loss"]`, fastai `recorder.losses`)',
    }),
    suggestion: Type.Optional(StringEnum(SUGGESTION_NAMES, {
      default: SERVICE_DEFAULTS.suggestion,
      description: 'which method picks `suggested_lr` (all requested methods are returned in `suggestions`)',
    })),
    skip_start: Type.Optional(Type.Integer({ minimum: 0, maximum: CURVE_MAX_POINTS, default: TORCH_LR_FINDER_DEFAULTS.skip_start, description: 'torch-lr-finder `plot(skip_start=10)`, for steepest' })),
    skip_end: Type.Optional(Type.Integer({ minimum: 0, maximum: CURVE_MAX_POINTS, default: TORCH_LR_FINDER_DEFAULTS.skip_end, description: 'torch-lr-finder `plot(skip_end=5)`, for steepest; 0 keeps the end' })),
    num_iter: Type.Optional(Type.Integer({
      minimum: 1, maximum: 1_000_000,
      description: 'fastai `lr_find(num_it=100)`: the iterations requested; fastai\'s suggesters drop num_it//10 points at the front. Default: the curve length',
    })),
    methods: Type.Optional(Type.Array(StringEnum(SUGGESTION_NAMES), {
      minItems: 1, maxItems: SUGGESTION_NAMES.length, uniqueItems: true,
      description: 'methods to run (default: all); the `suggestion` method always runs',
    })),
  },
  {
    $id: 'CurveAnalysisRequest',
    additionalProperties: false,
    example: {
      lrs: [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1, 3],
      losses: [2.3, 2.3, 2.29, 2.27, 2.2, 2.0, 1.7, 1.4, 1.3, 1.6, 3.1, null],
      suggestion: 'steepest',
      skip_start: 0,
      skip_end: 0,
    },
  },
);
export type CurveAnalysisRequest = Static<typeof CurveAnalysisRequest>;

const Pick = Type.Object(
  {
    lr: FiniteOrNull,
    index: Type.Union([Type.Integer(), Type.Null()], { description: 'index into lrs/losses' }),
    reason: Type.Optional(Type.String({ description: 'why there is no pick' })),
  },
  { additionalProperties: false },
);

export const CurveAnalysisResult = Type.Object(
  {
    suggested_lr: FiniteOrNull,
    suggestion: Type.Object({
      method: Type.String(),
      lr: FiniteOrNull,
      index: Type.Union([Type.Integer(), Type.Null()]),
      reason: Type.Optional(Type.String()),
    }, { additionalProperties: false }),
    suggestions: Type.Record(Type.String(), Pick, { description: 'every requested method\'s pick' }),
    windows: Type.Record(Type.String(), Type.Object({ start: Type.Integer(), end: Type.Integer() }, { additionalProperties: false }), {
      description: 'the half-open window [start, end) of lrs/losses each method read, after its trimming and the cut at the first null',
    }),
    warnings: Type.Array(Type.Ref('Warning')),
  },
  { $id: 'CurveAnalysisResult', additionalProperties: false },
);
