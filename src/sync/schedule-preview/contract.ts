/**
 * POST /v1/schedules/preview: a schedule (contracts/schedules.ts) and a number of steps in, the
 * LR (and momentum) of every optimizer step out. The logic is ./preview.ts.
 */
import Type, { type Static } from 'typebox';
import { StringEnum } from '../../contracts/common.js';
import { SCHEDULE_MAX_STEPS } from '../../contracts/schedules.js';

/** The most points a downsampled preview returns. */
export const PREVIEW_MAX_POINTS = 2000;

const PREVIEW_EXAMPLE = {
  schedule: {
    type: 'SequentialLR',
    lr: 0.1,
    milestones: [10],
    schedulers: [
      { type: 'LinearLR', start_factor: 0.1, total_iters: 10 },
      { type: 'CosineAnnealingLR', T_max: 90, eta_min: 0.001 },
    ],
  },
  steps: 100,
};

export const SchedulePreviewRequest = Type.Object(
  {
    schedule: Type.Ref('ScheduleSpec'),
    steps: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: SCHEDULE_MAX_STEPS,
        description:
          'optimizer steps to simulate (LIMIT_SCHEDULE_STEPS); ReduceLROnPlateau: defaults to metrics.length + 1',
      }),
    ),
    metrics: Type.Optional(
      Type.Array(Type.Number(), {
        maxItems: SCHEDULE_MAX_STEPS,
        description: 'ReduceLROnPlateau only: the value passed to each `scheduler.step(metrics)`, in order',
      }),
    ),
    points: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: PREVIEW_MAX_POINTS,
        description:
          'return at most this many evenly spaced steps (always the first and the last) for plotting; `index` names them',
      }),
    ),
  },
  { $id: 'SchedulePreviewRequest', additionalProperties: false, example: PREVIEW_EXAMPLE, examples: [PREVIEW_EXAMPLE] },
);
export type SchedulePreviewRequest = Static<typeof SchedulePreviewRequest>;

export const SchedulePreviewResult = Type.Object(
  {
    lrs: Type.Array(Type.Number(), {
      description: '`lrs[k]` is the LR used by optimizer step `index[k]` (step k without `points`)',
    }),
    momentum: Type.Optional(
      Type.Array(Type.Number(), {
        description:
          'when the schedule cycles momentum (CyclicLR, OneCycleLR): SGD momentum or Adam beta1 at the same steps',
      }),
    ),
    steps: Type.Integer({ description: 'steps simulated' }),
    index: Type.Optional(Type.Array(Type.Integer(), { description: 'with `points`: the step numbers returned' })),
    family: StringEnum(['pytorch', 'transformers', 'optax'] as const, {
      description: 'whose semantics the schedule follows',
    }),
  },
  { $id: 'SchedulePreviewResult', additionalProperties: false },
);
