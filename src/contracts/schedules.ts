/**
 * Schedules on the wire: the schedule spec (PyTorch / transformers / optax names and keyword
 * arguments verbatim, validated by the core simulator with the libraries' own errors) and the
 * synchronous preview. Schedule-simulation jobs are a job kind of their own (src/kinds/).
 */
import Type, { type Static } from 'typebox';
import { StringEnum } from './common.js';
import type { ScheduleError } from '../core/schedules/index.js';
import { ProblemError } from './problems.js';

/** Static schema bounds; the configurable limit (LIMIT_SCHEDULE_STEPS) is checked by the handlers. */
export const SCHEDULE_MAX_STEPS = 100_000_000;
/** The most points a downsampled preview returns. */
export const PREVIEW_MAX_POINTS = 2000;
export const ScheduleSpec = Type.Object(
  {
    type: Type.String({
      maxLength: 64,
      description:
        'a PyTorch scheduler class (`StepLR`, `CosineAnnealingLR`, `OneCycleLR`, `SequentialLR`, `ReduceLROnPlateau`, ...), ' +
        'a Hugging Face `lr_scheduler_type` (`cosine`, `linear`, `warmup_stable_decay`, ...) or function name ' +
        '(`get_cosine_schedule_with_warmup`, ...), or an optax schedule function (`warmup_cosine_decay_schedule`, ...)',
    }),
    lr: Type.Optional(Type.Number({
      description: 'the optimizer\'s base LR (`SGD(params, lr=...)`); optional for CyclicLR/OneCycleLR, absent for optax (which carry their own values)',
    })),
  },
  {
    $id: 'ScheduleSpec',
    additionalProperties: true,
    description:
      '`{type, lr, ...keyword arguments verbatim}` (`T_max`, `eta_min`, `milestones`, `num_warmup_steps`, `peak_value`, ...). ' +
      'Every argument is checked as the library itself checks it; unknown arguments are rejected with the library\'s own ' +
      'message (`StepLR.__init__() got an unexpected keyword argument \'foo\'`). See docs/schedules.md.',
    example: { type: 'CosineAnnealingLR', lr: 0.1, T_max: 100, eta_min: 0.001 },
  },
);

/** A `$ref` to ScheduleSpec with its static type: `{type, lr?, ...keyword arguments}`. */
export const ScheduleSpecRef = Type.Unsafe<{ type: string; lr?: number; [argument: string]: unknown }>(Type.Ref('ScheduleSpec'));

const PREVIEW_EXAMPLE = {
  schedule: {
    type: 'SequentialLR', lr: 0.1, milestones: [10],
    schedulers: [{ type: 'LinearLR', start_factor: 0.1, total_iters: 10 }, { type: 'CosineAnnealingLR', T_max: 90, eta_min: 0.001 }],
  },
  steps: 100,
};

export const SchedulePreviewRequest = Type.Object(
  {
    schedule: Type.Ref('ScheduleSpec'),
    steps: Type.Optional(Type.Integer({
      minimum: 1, maximum: SCHEDULE_MAX_STEPS,
      description: 'optimizer steps to simulate (LIMIT_SCHEDULE_STEPS); ReduceLROnPlateau: defaults to metrics.length + 1',
    })),
    metrics: Type.Optional(Type.Array(Type.Number(), {
      maxItems: SCHEDULE_MAX_STEPS,
      description: 'ReduceLROnPlateau only: the value passed to each `scheduler.step(metrics)`, in order',
    })),
    points: Type.Optional(Type.Integer({
      minimum: 2, maximum: PREVIEW_MAX_POINTS,
      description: 'return at most this many evenly spaced steps (always the first and the last) for plotting; `index` names them',
    })),
  },
  { $id: 'SchedulePreviewRequest', additionalProperties: false, example: PREVIEW_EXAMPLE, examples: [PREVIEW_EXAMPLE] },
);
export type SchedulePreviewRequest = Static<typeof SchedulePreviewRequest>;

export const SchedulePreviewResult = Type.Object(
  {
    lrs: Type.Array(Type.Number(), { description: '`lrs[k]` is the LR used by optimizer step `index[k]` (step k without `points`)' }),
    momentum: Type.Optional(Type.Array(Type.Number(), {
      description: 'when the schedule cycles momentum (CyclicLR, OneCycleLR): SGD momentum or Adam beta1 at the same steps',
    })),
    steps: Type.Integer({ description: 'steps simulated' }),
    index: Type.Optional(Type.Array(Type.Integer(), { description: 'with `points`: the step numbers returned' })),
    family: StringEnum(['pytorch', 'transformers', 'optax'] as const, { description: 'whose semantics the schedule follows' }),
  },
  { $id: 'SchedulePreviewResult', additionalProperties: false },
);

/**
 * A core ScheduleError as a 400 problem: `errors[0].pointer` is the error's path (re-rooted under
 * `prefix` when it points into the schedule), `errors[0].detail` the library's own message.
 */
export function scheduleProblem(err: ScheduleError, prefix = ''): ProblemError {
  const pointer = err.path.startsWith('/schedule') ? prefix + err.path : err.path;
  const shown = err.exception === 'LimitError' ? err.message : `${err.exception}: ${err.message}`;
  return new ProblemError(400, 'invalid_request', 'Invalid schedule', `${pointer}: ${shown}`, [{ pointer, detail: err.message }]);
}
