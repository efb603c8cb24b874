/**
 * Schedules on the wire: the schedule spec (PyTorch / transformers / optax names and keyword
 * arguments verbatim, validated by the core simulator with the libraries' own errors), the
 * synchronous preview, and the schedule-simulation job (the same model, data and seed trained
 * under each schedule). Resolution of a simulation request (preset, defaults, limits) is in
 * ./resolve-schedules.ts.
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, RefOf, StringEnum } from './common.js';
import { Data } from './data.js';
import { JobResource } from './job.js';
import { Loss, Model, Optimizer } from './model.js';

/** Static schema bounds; the configurable limit (LIMIT_SCHEDULE_STEPS) is checked by the handlers. */
export const SCHEDULE_MAX_STEPS = 100_000_000;
/** The most points a downsampled preview returns. */
export const PREVIEW_MAX_POINTS = 2000;
/** Schedules compared by one simulation job. */
export const SIMULATION_MIN_SCHEDULES = 2;
export const SIMULATION_MAX_SCHEDULES = 8;

export const SIMULATION_DEFAULTS = {
  diverge_th: 5,
  batch_size: 64,
  seed: 0,
} as const;

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

const NamedSchedule = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 _.:+()-]*$', description: 'a label, unique in the request' }),
    schedule: Type.Ref('ScheduleSpec'),
  },
  { additionalProperties: false },
);

const ClipValue = (description: string) => Type.Union([Type.Number({ exclusiveMinimum: 0, maximum: 1e12 }), Type.Null()], { description });

const SimulationTrain = Type.Object(
  {
    model: Type.Optional(RefOf(Model)),
    data: Type.Optional(RefOf(Data)),
    loss: Type.Optional(RefOf(Loss)),
    optimizer: Type.Optional(RefOf(Optimizer)),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 65536, default: SIMULATION_DEFAULTS.batch_size })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, default: SIMULATION_DEFAULTS.seed })),
    clip_grad_norm: Type.Optional(ClipValue('torch.nn.utils.clip_grad_norm_ max_norm (L2)')),
    clip_grad_value: Type.Optional(ClipValue('torch.nn.utils.clip_grad_value_ clip_value')),
  },
  {
    additionalProperties: false,
    description: 'the training setup shared by every schedule, as in an LR range test; a preset\'s `train` is merged field by field',
  },
);

export const ScheduleSimulationRequest = Type.Object(
  {
    preset: Type.Optional(Type.String({ maxLength: 64, description: 'a schedule-simulations preset from GET /v1/presets; the fields you give override it' })),
    schedules: Type.Optional(Type.Array(NamedSchedule, {
      minItems: SIMULATION_MIN_SCHEDULES, maxItems: SIMULATION_MAX_SCHEDULES,
      description: 'the schedules to compare, each `{name, schedule}`',
    })),
    steps: Type.Optional(Type.Integer({
      minimum: 1, maximum: SCHEDULE_MAX_STEPS,
      description: 'optimizer steps per schedule (LIMIT_SCHEDULE_STEPS; and steps × schedules ≤ LIMIT_SIMULATION_STEPS)',
    })),
    eval_every: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: SCHEDULE_MAX_STEPS }), Type.Null()], {
      description: 'evaluate on the validation split (the training split when there is none) every this many steps; ' +
        'ReduceLROnPlateau steps on that loss. null (default): once per epoch, ceil(training rows / batch_size)',
    })),
    diverge_th: Type.Optional(Type.Number({
      exclusiveMinimum: 1, maximum: 1e6, default: SIMULATION_DEFAULTS.diverge_th,
      description: 'a run diverged (and stops) when a minibatch loss exceeds diverge_th × the first step\'s loss, or a loss or gradient is NaN/Inf',
    })),
    train: Type.Optional(SimulationTrain),
  },
  {
    $id: 'ScheduleSimulationRequest',
    additionalProperties: false,
    example: { preset: 'spirals-schedules' },
    examples: [{ preset: 'spirals-schedules' }],
  },
);
export type ScheduleSimulationRequest = Static<typeof ScheduleSimulationRequest>;

const ScheduleRun = Type.Object(
  {
    name: Type.String(),
    type: Type.String(),
    lrs: Type.Array(Type.Number(), { description: 'the LR of each step run' }),
    momentum: Type.Optional(Type.Array(Type.Number(), { description: 'the momentum (SGD, RMSprop) or beta1 (Adam, AdamW) the schedule set for each step, as CyclicLR / OneCycleLR do' })),
    losses: Type.Array(FiniteOrNull, { description: 'minibatch training loss of each step (null where non-finite)' }),
    eval_steps: Type.Array(Type.Integer(), { description: 'steps done when each evaluation ran' }),
    eval_losses: Type.Array(FiniteOrNull, { description: 'loss on the evaluation split (`eval_split`) at eval_steps' }),
    grad_norms: Type.Array(FiniteOrNull, { description: 'total gradient L2 norm before clipping, per step' }),
    layers: Type.Array(Type.Ref('LayerSeries'), { description: 'per-layer diagnostics at each of eval_steps' }),
    steps_run: Type.Integer(),
    stop_reason: StringEnum(['completed', 'diverged', 'non_finite'] as const),
    diverged: Type.Boolean(),
    diverged_at: Type.Union([Type.Integer(), Type.Null()], { description: 'the step that diverged' }),
    final_train_loss: FiniteOrNull,
    final_train_accuracy: FiniteOrNull,
    final_val_loss: FiniteOrNull,
    final_val_accuracy: FiniteOrNull,
    rank: Type.Integer({ description: '1 = best' }),
    warnings: Type.Array(Type.Ref('Warning')),
  },
  { additionalProperties: true },
);

export const ScheduleSimulationResult = Type.Object(
  {
    schedules: Type.Array(ScheduleRun, { description: 'one run per schedule, in request order' }),
    ranking: Type.Array(Type.String(), {
      description: 'schedule names, best first: by final loss on `ranked_by`, ties by name; diverged runs last',
    }),
    ranked_by: StringEnum(['val_loss', 'train_loss'] as const),
    eval_split: StringEnum(['val', 'train'] as const),
    eval_every: Type.Integer(),
    steps: Type.Integer(),
    seed: Type.Integer(),
  },
  { $id: 'ScheduleSimulationResult', additionalProperties: true },
);

export const ScheduleSimulationJob = JobResource('ScheduleSimulationJob', Type.Ref('ScheduleSimulationRequest'), Type.Ref('ScheduleSimulationResult'));
