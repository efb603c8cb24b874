/**
 * Schedule simulation jobs: the same model, data and seed trained under each of 2 to 8 schedules
 * (specs as in POST /v1/schedules/preview) — request, result, job resource. Resolution (preset,
 * defaults, limits, every schedule checked) is in ./resolve.ts.
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, RefOf, StringEnum } from '../../contracts/common.js';
import { BackendUsed } from '../../contracts/backend.js';
import { JobResource } from '../../contracts/job.js';
import { LayerSeries, Warning } from '../../contracts/lr-range-test.js';
import { TRAINING_DEFAULTS, trainingSetupFields } from '../../contracts/training-setup.js';
import { SCHEDULE_MAX_STEPS, ScheduleSpecRef } from '../../contracts/schedules.js';

/** The kind's name: its URL segment, queue and OpenAPI tag. */
export const KIND = 'schedule-simulations';

/** Schedules compared by one simulation job. */
export const SIMULATION_MIN_SCHEDULES = 2;
export const SIMULATION_MAX_SCHEDULES = 8;

export const SIMULATION_DEFAULTS = {
  diverge_th: 5,
  batch_size: TRAINING_DEFAULTS.batch_size,
  seed: TRAINING_DEFAULTS.seed,
} as const;

const NamedSchedule = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9][A-Za-z0-9 _.:+()-]*$',
      description: 'a label, unique in the request',
    }),
    schedule: ScheduleSpecRef,
  },
  { additionalProperties: false },
);

const SimulationTrain = Type.Object(
  {
    ...trainingSetupFields(),
  },
  {
    additionalProperties: false,
    description:
      "the training setup shared by every schedule, as in an LR range test; a preset's `train` is merged field by field",
  },
);

export const ScheduleSimulationRequest = Type.Object(
  {
    preset: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'a schedule-simulations preset from GET /v1/presets; the fields you give override it',
      }),
    ),
    schedules: Type.Optional(
      Type.Array(NamedSchedule, {
        minItems: SIMULATION_MIN_SCHEDULES,
        maxItems: SIMULATION_MAX_SCHEDULES,
        description: 'the schedules to compare, each `{name, schedule}`',
      }),
    ),
    steps: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: SCHEDULE_MAX_STEPS,
        description:
          'optimizer steps per schedule (LIMIT_SCHEDULE_STEPS; and steps × schedules ≤ LIMIT_SIMULATION_STEPS)',
      }),
    ),
    eval_every: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: SCHEDULE_MAX_STEPS }), Type.Null()], {
        description:
          'evaluate on the validation split (the training split when there is none) every this many steps; ' +
          'ReduceLROnPlateau steps on that loss. null (default): once per epoch, ceil(training rows / batch_size)',
      }),
    ),
    diverge_th: Type.Optional(
      Type.Number({
        exclusiveMinimum: 1,
        maximum: 1e6,
        default: SIMULATION_DEFAULTS.diverge_th,
        description:
          "a run diverged (and stops) when a minibatch loss exceeds diverge_th × the first step's loss, or a loss or gradient is NaN/Inf",
      }),
    ),
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
    momentum: Type.Optional(
      Type.Array(Type.Number(), {
        description:
          'the momentum (SGD, RMSprop) or beta1 (Adam, AdamW) the schedule set for each step, as CyclicLR / OneCycleLR do',
      }),
    ),
    losses: Type.Array(FiniteOrNull, { description: 'minibatch training loss of each step (null where non-finite)' }),
    eval_steps: Type.Array(Type.Integer(), { description: 'steps done when each evaluation ran' }),
    eval_losses: Type.Array(FiniteOrNull, { description: 'loss on the evaluation split (`eval_split`) at eval_steps' }),
    grad_norms: Type.Array(FiniteOrNull, { description: 'total gradient L2 norm before clipping, per step' }),
    layers: Type.Array(RefOf(LayerSeries), {
      description:
        'per-layer diagnostics at the steps in layer_steps (at most LIMIT_LAYER_POINTS of eval_steps: the first, the last, evenly spaced between)',
    }),
    layer_steps: Type.Optional(
      Type.Array(Type.Integer(), { description: 'the eval steps the per-layer points were taken at' }),
    ),
    steps_run: Type.Integer(),
    stop_reason: StringEnum(['completed', 'diverged', 'non_finite'] as const),
    diverged: Type.Boolean(),
    diverged_at: Type.Union([Type.Integer(), Type.Null()], { description: 'the step that diverged' }),
    final_train_loss: FiniteOrNull,
    final_train_accuracy: FiniteOrNull,
    final_val_loss: FiniteOrNull,
    final_val_accuracy: FiniteOrNull,
    rank: Type.Integer({ description: '1 = best' }),
    warnings: Type.Array(RefOf(Warning)),
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
    backend: Type.Optional(RefOf(BackendUsed)),
  },
  { $id: 'ScheduleSimulationResult', additionalProperties: true },
);
export type ScheduleSimulationResult = Static<typeof ScheduleSimulationResult>;

export const ScheduleSimulationJob = JobResource(
  'ScheduleSimulationJob',
  Type.Ref('ScheduleSimulationRequest'),
  Type.Ref('ScheduleSimulationResult'),
);

/** A list item's `summary` (GET /v1/schedule-simulations). */
export const ScheduleSimulationSummary = Type.Object(
  { best_schedule: Type.String({ description: 'the first of `ranking`' }) },
  { additionalProperties: false },
);
