/**
 * Sweep sessions: an LR range test driven by the client's own training loop (PyTorch, JAX).
 * The service plans the LRs (torch-lr-finder's plan, or with `emulate` the library's), the client
 * trains one optimizer step at `next.lr` (each parameter group at its `next.param_groups[k].lr`)
 * and reports its loss — or that the GradScaler skipped the step — and the service applies the
 * smoothing and stop rule and says when to stop and which LR to pick (the same result fields as an
 * LR range test, src/lrfinder/session.ts).
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, RefOf, StringEnum } from '../../contracts/common.js';
import { Emulate } from '../../contracts/emulate.js';
import { RANGE_TEST_DEFAULTS, SKIP_DESCRIPTION, SUGGESTION_NAMES } from '../../contracts/lr-range-test.js';
import { Emulation, MethodPick, WireLoss } from '../../contracts/picks.js';
import { SERVICE_DEFAULTS } from '../../lrfinder/defaults.js';
import { MAX_PARAM_GROUPS } from '../../lrfinder/session.js';

const D = RANGE_TEST_DEFAULTS;

export const SWEEP_STOP_REASONS = ['completed', 'diverged', 'non_finite', 'stopped_by_client'] as const;

/** Static bound of a batch; the configurable limit (LIMIT_NUM_ITER) is checked by the handler. */
export const SWEEP_MAX_BATCH = 100_000;

const ParamGroup = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, description: "the group's name (unique)" }),
    lr_mult: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1e6,
      description: "the group's LR relative to the plan's (e.g. 0.1 for a backbone under a head at 1)",
    }),
  },
  { additionalProperties: false },
);

export const SweepSessionRequest = Type.Object(
  {
    start_lr: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1e6,
        default: D.start_lr,
        description: 'torch-lr-finder `range_test(start_lr=...)`: the LR of iteration 0',
      }),
    ),
    end_lr: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1e6,
        default: D.end_lr,
        description: 'the LR of the last planned iteration; > start_lr',
      }),
    ),
    num_iter: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 1_000_000,
        default: D.num_iter,
        description: 'iterations planned (at most LIMIT_NUM_ITER)',
      }),
    ),
    step_mode: Type.Optional(StringEnum(['exp', 'linear'] as const, { default: D.step_mode })),
    smooth_f: Type.Optional(
      Type.Number({
        minimum: 0,
        exclusiveMaximum: 1,
        default: D.smooth_f,
        description: 'EMA weight of the new loss; 0 = no smoothing',
      }),
    ),
    diverge_th: Type.Optional(
      Type.Number({
        exclusiveMinimum: 1,
        maximum: 1e6,
        default: D.diverge_th,
        description: 'stop when the smoothed loss exceeds diverge_th × the best (sign-safe for losses ≤ 0)',
      }),
    ),
    suggestion: Type.Optional(
      StringEnum(SUGGESTION_NAMES, {
        default: D.suggestion,
        description:
          "which method picks `suggested_lr`; every method is returned in `suggestions`. With `emulate` the default is the library's own",
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
    param_groups: Type.Optional(
      Type.Array(ParamGroup, {
        minItems: 1,
        maxItems: MAX_PARAM_GROUPS,
        description:
          "the optimizer's parameter groups (discriminative LRs): every `next` gives each group's LR, `lr × lr_mult`, in this order; " +
          "the curve is in the plan's LR (lr_mult 1) and the result gives each group's pick",
      }),
    ),
    max_skipped_steps: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1_000_000,
        default: SERVICE_DEFAULTS.max_skipped_steps,
        description:
          'more reports `{skipped: true}` in a row than this stop the session as `non_finite` (the GradScaler finds no finite gradients at any scale)',
      }),
    ),
    emulate: Type.Optional(Emulate),
  },
  {
    $id: 'SweepSessionRequest',
    additionalProperties: false,
    example: { start_lr: 1e-7, end_lr: 10, num_iter: 100 },
  },
);
export type SweepSessionRequest = Static<typeof SweepSessionRequest>;

const Iteration = Type.Integer({
  minimum: 0,
  maximum: 1_000_000,
  description: "the report's number: next.iteration of the previous answer, 0-based (skipped reports count)",
});
const Loss = Type.Unsafe<Static<typeof WireLoss>>({
  ...WireLoss,
  description:
    'the loss of that optimizer step (with gradient accumulation the mean of its micro-batches): a number, "NaN", "Infinity", ' +
    '"-Infinity", or null (non-finite, kind unknown)',
});
const Skipped = Type.Boolean({
  description:
    "true: the GradScaler skipped this optimizer step (inf/NaN gradients). The service's pipeline records no point and does not " +
    'advance the plan (the next answer repeats the LR); an emulating session records it with its `loss`, as the library would',
});

export const SweepLossReport = Type.Object(
  { iteration: Iteration, loss: Type.Optional(Loss), skipped: Type.Optional(Skipped) },
  {
    $id: 'SweepLossReport',
    additionalProperties: false,
    description: '`{iteration, loss}`, or `{iteration, skipped: true}` for a step the GradScaler skipped',
  },
);

/**
 * One object rather than a union, so a validation error always points at the field that is wrong
 * (with a union Ajv reports each branch's failure and the pointer would be a guess); the handler
 * checks that exactly one of the two forms was sent.
 */
export const SweepLossesRequest = Type.Object(
  {
    iteration: Type.Optional(Iteration),
    loss: Type.Optional(Loss),
    skipped: Type.Optional(Skipped),
    losses: Type.Optional(
      Type.Array(RefOf(SweepLossReport), {
        minItems: 1,
        maxItems: SWEEP_MAX_BATCH,
        description: 'a batch: several consecutive reports at once, instead of iteration + loss',
      }),
    ),
  },
  {
    $id: 'SweepLossesRequest',
    additionalProperties: false,
    description:
      'one `{iteration, loss}` (or `{iteration, skipped: true}`) or a batch `{losses: [{iteration, loss}, ...]}`, in iteration order',
    example: { iteration: 0, loss: 2.302 },
  },
);
export type SweepLossReport = Static<typeof SweepLossReport>;
export type SweepLossesRequest = Static<typeof SweepLossesRequest>;

export const SweepSessionResult = Type.Object(
  {
    lrs: Type.Array(Type.Number(), { description: 'the LR of each recorded iteration' }),
    losses: Type.Array(FiniteOrNull, { description: 'the reported losses (null where non-finite)' }),
    smoothed_losses: Type.Array(FiniteOrNull, { description: 'torch-lr-finder EMA of the losses (smooth_f)' }),
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
    stop_reason: StringEnum(SWEEP_STOP_REASONS),
    iterations: Type.Integer({ description: 'points recorded' }),
    warnings: Type.Array(Type.Ref('Warning')),
    reports: Type.Optional(
      Type.Integer({ description: 'reports received, skipped ones included (when some were skipped)' }),
    ),
    skipped: Type.Optional(Type.Array(Type.Integer(), { description: 'the iterations reported as skipped' })),
    param_groups: Type.Optional(
      Type.Array(
        Type.Object(
          { name: Type.String(), lr_mult: Type.Number(), suggested_lr: FiniteOrNull },
          { additionalProperties: false },
        ),
        { description: "each parameter group's pick: suggested_lr × lr_mult" },
      ),
    ),
    emulation: Type.Optional(RefOf(Emulation)),
  },
  { $id: 'SweepSessionResult', additionalProperties: false },
);
export type SweepSessionResultWire = Static<typeof SweepSessionResult>;

const SessionStatus = StringEnum(['running', 'stopped'] as const, {
  description: 'running: report the loss of `next`; stopped: `result` holds the suggestion',
});
const Next = Type.Union(
  [
    Type.Object(
      {
        iteration: Type.Integer(),
        lr: Type.Number(),
        param_groups: Type.Optional(
          Type.Array(Type.Object({ name: Type.String(), lr: Type.Number() }, { additionalProperties: false }), {
            description: "with `param_groups`: each group's LR (lr × lr_mult), in the request's order",
          }),
        ),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  {
    description:
      "the step to train next: set the optimizer's LR to `lr` (each group to its own), train one optimizer step, report its loss as `iteration`; null once stopped",
  },
);
const StopReason = Type.Union([StringEnum(SWEEP_STOP_REASONS), Type.Null()], {
  description:
    'completed (every planned LR), diverged (smoothed loss > diverge_th × best), non_finite (a non-finite loss, or more than ' +
    'max_skipped_steps skipped reports in a row; an emulated keras_lr_finder stops at a NaN), stopped_by_client (POST .../stop)',
});
const Point = Type.Object(
  { iteration: Type.Integer(), lr: Type.Number(), loss: FiniteOrNull, smoothed_loss: FiniteOrNull },
  { additionalProperties: false },
);
const Links = Type.Object(
  {
    self: Type.String(),
    losses: Type.String(),
    stop: Type.String(),
    plot: Type.String({ description: 'the result as an SVG plot (409 while running)' }),
  },
  { additionalProperties: false },
);

/** The answer to a loss report: small, so a long sweep does not resend its whole curve every step. */
export const SweepSessionReport = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: SessionStatus,
    iterations: Type.Integer({ description: 'points recorded' }),
    reports: Type.Integer({ description: 'reports received (points and skipped steps): the next iteration' }),
    next: Next,
    last: Type.Union([Point, Type.Null()], { description: 'the last recorded point' }),
    stop_reason: StopReason,
    result: Type.Union([Type.Ref('SweepSessionResult'), Type.Null()]),
    ignored: Type.Integer({ description: 'reports of the batch after the stopping point (not recorded)' }),
    links: Links,
  },
  { $id: 'SweepSessionReport', additionalProperties: false },
);

export const SweepSession = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: SessionStatus,
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    request: Type.Ref('SweepSessionRequest', { description: 'the request with every default filled in' }),
    lrs_planned: Type.Array(Type.Number(), {
      description:
        "the whole plan: the LR each point is trained at, 0 … num_iter-1 (with `emulate`, the library's plan)",
    }),
    iterations: Type.Integer({ description: 'points recorded' }),
    reports: Type.Integer({ description: 'reports received (points and skipped steps): the next iteration' }),
    skipped: Type.Array(Type.Integer(), { description: 'the iterations reported as skipped' }),
    next: Next,
    lrs: Type.Array(Type.Number()),
    losses: Type.Array(FiniteOrNull),
    smoothed_losses: Type.Array(FiniteOrNull),
    best_lr: FiniteOrNull,
    best_loss: FiniteOrNull,
    stop_reason: StopReason,
    result: Type.Union([Type.Ref('SweepSessionResult'), Type.Null()]),
    links: Links,
  },
  { $id: 'SweepSession', additionalProperties: false },
);
