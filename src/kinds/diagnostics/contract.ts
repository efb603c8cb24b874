/**
 * Training diagnostics: the debugging checklist as a job (Karpathy, "A Recipe for Training Neural
 * Networks", 2019: inspect the data, check the loss at init, look at the gradients, overfit one
 * batch). Request (the range test's model/data/loss/optimizer/batch_size/seed/clip fields, plus
 * the LR and the checks to run), result (one entry per check), job resource. Every field is
 * optional; a `preset` fills the rest (GET /v1/presets, kind `diagnostics`).
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, RefOf, StringEnum } from '../../contracts/common.js';
import { BackendUsed } from '../../contracts/backend.js';
import { JobResource } from '../../contracts/job.js';
import { TRAINING_DEFAULTS, trainingSetupFields } from '../../contracts/training-setup.js';

/** The kind's name: its URL segment, queue and OpenAPI tag. */
export const KIND = 'diagnostics';

export const CHECK_NAMES = ['data', 'init', 'gradients', 'overfit_batch'] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** Static schema bounds; LIMIT_NUM_ITER / LIMIT_BATCH_SIZE are checked by the resolver. */
export const OVERFIT_MAX_STEPS = 100_000;
export const TINY_BATCH_MAX = 4096;

export const DIAGNOSTICS_DEFAULTS = {
  lr: 1e-3, // torch.optim.Adam's default lr
  checks: CHECK_NAMES,
  overfit_steps: 200,
  tiny_batch: 8,
  batch_size: TRAINING_DEFAULTS.batch_size,
  seed: TRAINING_DEFAULTS.seed,
} as const;

const D = DIAGNOSTICS_DEFAULTS;

export const DiagnosticsRequest = Type.Object(
  {
    preset: Type.Optional(
      Type.String({
        maxLength: 64,
        description: 'a diagnostics preset from GET /v1/presets; the fields you give override it',
      }),
    ),
    ...trainingSetupFields({ batch_size: 'rows of the batch the init and gradient checks look at' }),
    lr: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1e6,
        default: D.lr,
        description: 'the LR of the overfit_batch check',
      }),
    ),
    checks: Type.Optional(
      Type.Array(StringEnum(CHECK_NAMES), {
        minItems: 1,
        maxItems: CHECK_NAMES.length,
        uniqueItems: true,
        description: 'which checks to run (default all, always run in the order data, init, gradients, overfit_batch)',
      }),
    ),
    overfit_steps: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: OVERFIT_MAX_STEPS,
        default: D.overfit_steps,
        description: 'optimizer steps on the one fixed tiny batch (LIMIT_NUM_ITER)',
      }),
    ),
    tiny_batch: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: TINY_BATCH_MAX,
        default: D.tiny_batch,
        description: 'rows of the fixed batch of the overfit_batch check (a seeded sample of the training split)',
      }),
    ),
  },
  {
    $id: 'DiagnosticsRequest',
    additionalProperties: false,
    examples: [{ preset: 'spirals-diagnostics' }, { preset: 'broken-init-diagnostics' }],
    example: { preset: 'spirals-diagnostics' },
  },
);
export type DiagnosticsRequest = Static<typeof DiagnosticsRequest>;

const CheckStatus = StringEnum(['pass', 'warn', 'fail'] as const);

export const DiagnosticCheck = Type.Object(
  {
    name: StringEnum(CHECK_NAMES),
    status: CheckStatus,
    summary: Type.String(),
    details: Type.Record(Type.String(), Type.Unknown(), {
      description: 'the numbers behind the status (null where non-finite)',
    }),
    hints: Type.Array(Type.String(), { description: 'what to try, most likely first' }),
  },
  { $id: 'DiagnosticCheck', additionalProperties: false },
);

const InitLayer = Type.Object(
  {
    layer: Type.String({ description: 'torch-style module path, e.g. layers.0' }),
    kind: Type.String(),
    act_mean: FiniteOrNull,
    act_std: FiniteOrNull,
    dead_fraction: FiniteOrNull,
    weight_norm: FiniteOrNull,
    grad_norm: FiniteOrNull,
  },
  { additionalProperties: false },
);

export const DiagnosticsResult = Type.Object(
  {
    checks: Type.Array(RefOf(DiagnosticCheck), { description: 'one entry per check run, in order' }),
    verdict: CheckStatus,
    summary: Type.String(),
    overfit: Type.Union([
      Type.Object(
        {
          lr: Type.Number(),
          rows: Type.Integer({ description: 'rows of the fixed batch' }),
          losses: Type.Array(FiniteOrNull, {
            description: 'loss on the fixed batch before each step (null where non-finite)',
          }),
          accuracies: Type.Optional(
            Type.Array(FiniteOrNull, {
              description: 'classification: accuracy on the batch after each step (eval mode)',
            }),
          ),
          grad_norms: Type.Array(FiniteOrNull),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    layers: Type.Array(InitLayer, {
      description: 'per-layer statistics of one forward/backward pass at initialisation (init or gradients checks)',
    }),
    seed: Type.Integer(),
    backend: Type.Optional(RefOf(BackendUsed)),
  },
  { $id: 'DiagnosticsResult', additionalProperties: true },
);
export type DiagnosticsResult = Static<typeof DiagnosticsResult>;

export const DiagnosticsJob = JobResource(
  'DiagnosticsJob',
  Type.Ref('DiagnosticsRequest'),
  Type.Ref('DiagnosticsResult'),
);

/** A list item's `summary` (GET /v1/diagnostics). */
export const DiagnosticsSummary = Type.Object(
  {
    verdict: StringEnum(['pass', 'warn', 'fail'] as const, {
      description: 'the worst check status (pass, warn, fail)',
    }),
  },
  { additionalProperties: false },
);
