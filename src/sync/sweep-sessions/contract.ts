/**
 * Sweep sessions: an LR range test driven by the client's own training loop (PyTorch, JAX).
 * The service plans the LRs (torch-lr-finder's plan), the client trains one step at `next.lr` and
 * reports its loss, the service applies torch-lr-finder's EMA and stop rule and says when to stop
 * and which LR to pick (the same result fields as an LR range test, src/lrfinder/session.ts).
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, RefOf, StringEnum } from '../../contracts/common.js';
import { RANGE_TEST_DEFAULTS, SUGGESTION_NAMES } from '../../contracts/lr-range-test.js';

const D = RANGE_TEST_DEFAULTS;

export const SWEEP_STOP_REASONS = ['completed', 'diverged', 'non_finite', 'stopped_by_client'] as const;

/** Static bound of a batch; the configurable limit (LIMIT_NUM_ITER) is checked by the handler. */
export const SWEEP_MAX_BATCH = 100_000;

export const SweepSessionRequest = Type.Object(
  {
    start_lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, default: D.start_lr, description: 'torch-lr-finder `range_test(start_lr=...)`: the LR of iteration 0' })),
    end_lr: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e6, default: D.end_lr, description: 'the LR of the last planned iteration; > start_lr' })),
    num_iter: Type.Optional(Type.Integer({ minimum: 2, maximum: 1_000_000, default: D.num_iter, description: 'iterations planned (at most LIMIT_NUM_ITER)' })),
    step_mode: Type.Optional(StringEnum(['exp', 'linear'] as const, { default: D.step_mode })),
    smooth_f: Type.Optional(Type.Number({ minimum: 0, exclusiveMaximum: 1, default: D.smooth_f, description: 'EMA weight of the new loss; 0 = no smoothing' })),
    diverge_th: Type.Optional(Type.Number({ exclusiveMinimum: 1, maximum: 1e6, default: D.diverge_th, description: 'stop when the smoothed loss exceeds diverge_th × the best (sign-safe for losses ≤ 0)' })),
    suggestion: Type.Optional(StringEnum(SUGGESTION_NAMES, { default: D.suggestion, description: 'which method picks `suggested_lr`; every method is returned in `suggestions`' })),
    skip_start: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: D.skip_start, description: 'torch-lr-finder `plot(skip_start=10)`, for steepest' })),
    skip_end: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: D.skip_end, description: 'torch-lr-finder `plot(skip_end=5)`, for steepest' })),
  },
  {
    $id: 'SweepSessionRequest',
    additionalProperties: false,
    example: { start_lr: 1e-7, end_lr: 10, num_iter: 100 },
  },
);
export type SweepSessionRequest = Static<typeof SweepSessionRequest>;

const Iteration = Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'the iteration the loss belongs to (next.iteration of the previous answer), 0-based' });
const Loss = Type.Union([Type.Number(), Type.Null()], { description: 'the minibatch loss of that step; null when it was NaN/Inf (JSON has no NaN)' });

export const SweepLossReport = Type.Object({ iteration: Iteration, loss: Loss }, { $id: 'SweepLossReport', additionalProperties: false });

/**
 * One object rather than a union, so a validation error always points at the field that is wrong
 * (with a union Ajv reports each branch's failure and the pointer would be a guess); the handler
 * checks that exactly one of the two forms was sent.
 */
export const SweepLossesRequest = Type.Object(
  {
    iteration: Type.Optional(Iteration),
    loss: Type.Optional(Loss),
    losses: Type.Optional(Type.Array(RefOf(SweepLossReport), { minItems: 1, maxItems: SWEEP_MAX_BATCH, description: 'a batch: several consecutive steps at once, instead of iteration + loss' })),
  },
  {
    $id: 'SweepLossesRequest',
    additionalProperties: false,
    description: 'one `{iteration, loss}` or a batch `{losses: [{iteration, loss}, ...]}`, in iteration order',
    example: { iteration: 0, loss: 2.302 },
  },
);
export type SweepLossReport = Static<typeof SweepLossReport>;
export type SweepLossesRequest = Static<typeof SweepLossesRequest>;

const Pick = Type.Object(
  { lr: FiniteOrNull, index: Type.Union([Type.Integer(), Type.Null()]), reason: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

export const SweepSessionResult = Type.Object(
  {
    lrs: Type.Array(Type.Number(), { description: 'the LR of each recorded iteration' }),
    losses: Type.Array(FiniteOrNull, { description: 'the reported losses (null where non-finite)' }),
    smoothed_losses: Type.Array(FiniteOrNull, { description: 'torch-lr-finder EMA of the losses (smooth_f)' }),
    suggested_lr: FiniteOrNull,
    suggestion: Type.Object({ method: Type.String(), lr: FiniteOrNull, index: Type.Union([Type.Integer(), Type.Null()]), reason: Type.Optional(Type.String()) }),
    suggestions: Type.Record(Type.String(), Pick),
    best_lr: FiniteOrNull,
    best_loss: FiniteOrNull,
    stop_reason: StringEnum(SWEEP_STOP_REASONS),
    iterations: Type.Integer(),
    warnings: Type.Array(Type.Ref('Warning')),
  },
  { $id: 'SweepSessionResult', additionalProperties: false },
);

const SessionStatus = StringEnum(['running', 'stopped'] as const, { description: 'running: report the loss of `next`; stopped: `result` holds the suggestion' });
const Next = Type.Union([
  Type.Object({ iteration: Type.Integer(), lr: Type.Number() }, { additionalProperties: false }),
  Type.Null(),
], { description: 'the step to train next: set the optimizer\'s LR to `lr`, train one minibatch, report its loss as `iteration`; null once stopped' });
const StopReason = Type.Union([StringEnum(SWEEP_STOP_REASONS), Type.Null()], {
  description: 'completed (every planned LR), diverged (smoothed loss > diverge_th × best), non_finite (a null loss), stopped_by_client (POST .../stop)',
});
const Point = Type.Object(
  { iteration: Type.Integer(), lr: Type.Number(), loss: FiniteOrNull, smoothed_loss: FiniteOrNull },
  { additionalProperties: false },
);
const Links = Type.Object({ self: Type.String(), losses: Type.String(), stop: Type.String() }, { additionalProperties: false });

/** The answer to a loss report: small, so a long sweep does not resend its whole curve every step. */
export const SweepSessionReport = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: SessionStatus,
    iterations: Type.Integer({ description: 'points recorded' }),
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
    lrs_planned: Type.Array(Type.Number(), { description: 'the whole plan: the LR of iterations 0 … num_iter-1' }),
    iterations: Type.Integer({ description: 'points recorded' }),
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
