/**
 * LR search sessions: the LR search job's search (src/lrfinder/search/) driven by the client's own training
 * loop. The service first plans a range test (one loss per step, as a sweep session), then asks
 * for trials `{lr, steps}`: the client trains each from its initial weights (the same every time)
 * for `steps` steps at `lr` (the peak LR, if it uses a schedule) and reports the final metric; the
 * service answers with the next trial or the result (the fields of an LR search job's result).
 */
import Type, { type Static } from 'typebox';
import { StringEnum } from '../../contracts/common.js';
import { RANGE_TEST_DEFAULTS, SUGGESTION_NAMES } from '../../contracts/lr-range-test.js';

const D = RANGE_TEST_DEFAULTS;

/** Static bound of a batch of sweep losses; the configurable limit (LIMIT_NUM_ITER) is checked by the handler. */
export const SEARCH_SESSION_MAX_BATCH = 100_000;
/** the default `lease_seconds` of a parallel session */
export const DEFAULT_LEASE_SECONDS = 3600;

export const LrSearchSessionRequest = Type.Object(
  {
    train_steps: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000_000,
        default: 1000,
        description:
          'how many optimizer steps you will train for: every trial is judged after this many (at most LIMIT_SCHEDULE_STEPS)',
      }),
    ),
    budget_steps: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 1_000_000_000,
        description:
          'the most steps the search may ask you to train, range test included (default 4 × train_steps; at most LIMIT_SIMULATION_STEPS)',
      }),
    ),
    tolerance: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 100,
        default: 0.1,
        description: 'the interval holds the LRs whose metric is within (1 + tolerance) of the best',
      }),
    ),
    start_lr: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1e6, default: D.start_lr, description: "the range test's first LR" }),
    ),
    end_lr: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, maximum: 1e6, default: D.end_lr, description: "the range test's last LR" }),
    ),
    num_iter: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 1_000_000,
        description: "the range test's steps (default: a quarter of train_steps, from 30 to 100)",
      }),
    ),
    step_mode: Type.Optional(StringEnum(['exp', 'linear'] as const, { default: D.step_mode })),
    smooth_f: Type.Optional(
      Type.Number({
        minimum: 0,
        exclusiveMaximum: 1,
        default: D.smooth_f,
        description: "the range test's EMA weight of the new loss",
      }),
    ),
    diverge_th: Type.Optional(
      Type.Number({
        exclusiveMinimum: 1,
        maximum: 1e6,
        default: D.diverge_th,
        description: 'the range test stops when the smoothed loss exceeds diverge_th × the best',
      }),
    ),
    range_test: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          'false: no range test (for a loop that can only train from the initial weights): the trials start at end_lr and go down half a decade at a time',
      }),
    ),
    suggestion: Type.Optional(
      StringEnum(SUGGESTION_NAMES, {
        default: D.suggestion,
        description:
          "the range-test method reported as the range test's suggestion (every method is in range_test.suggestions)",
      }),
    ),
    parallelism: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description:
          'trials run at once: the session leases up to this many trials (POST links.leases), ' +
          'reported in any order; the result does not depend on it (at most LIMIT_SEARCH_PARALLELISM). ' +
          'Unset: one trial at a time in next, no leases',
      }),
    ),
    lease_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000_000,
        description:
          'with parallelism: how long a leased trial is yours; unreported by then it is handed out again ' +
          `(default ${DEFAULT_LEASE_SECONDS}; at most LIMIT_SEARCH_LEASE_S)`,
      }),
    ),
  },
  { $id: 'LrSearchSessionRequest', additionalProperties: false, example: { train_steps: 1000 } },
);
export type LrSearchSessionRequest = Static<typeof LrSearchSessionRequest>;

const Iteration = Type.Integer({
  minimum: 0,
  maximum: 1_000_000,
  description: 'the range-test step the loss belongs to (next.iteration), 0-based',
});
const Metric = Type.Union([Type.Number(), Type.Null()]);

export const LrSearchSessionReport = Type.Object(
  {
    iteration: Type.Optional(Iteration),
    loss: Type.Optional(
      Type.Union([Type.Number(), Type.Null()], {
        description: 'range test: the minibatch loss of that step; null when it was NaN/Inf',
      }),
    ),
    losses: Type.Optional(
      Type.Array(Type.Object({ iteration: Iteration, loss: Metric }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: SEARCH_SESSION_MAX_BATCH,
        description: 'range test: several consecutive steps at once',
      }),
    ),
    trial: Type.Optional(Type.String({ maxLength: 32, description: 'a trial: its id (next.trial)' })),
    lease: Type.Optional(
      Type.String({
        maxLength: 64,
        description: "a parallel session's trial: the lease it was handed out with",
      }),
    ),
    metric: Type.Optional(
      Type.Union([Type.Number(), Type.Null()], {
        description:
          'a trial: the metric after its steps (your validation loss, say); null when the run diverged or went NaN/Inf',
      }),
    ),
    steps: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 100_000_000,
        description: 'a trial that diverged: the steps it ran before you stopped it (default: all of them)',
      }),
    ),
    metrics_at: Type.Optional(
      Type.Array(
        Type.Object({ steps: Type.Integer({ minimum: 1 }), metric: Metric }, { additionalProperties: false }),
        {
          maxItems: 64,
          description:
            'a trial: the metric at the step counts of next.eval_at, when you measured them (the confidence uses them)',
        },
      ),
    ),
  },
  {
    $id: 'LrSearchSessionReport',
    additionalProperties: false,
    description:
      'during the range test `{iteration, loss}` (or `{losses: [...]}`); then `{trial, metric}` for each trial',
    example: { trial: 't0', metric: 0.412 },
  },
);
export type LrSearchSessionReport = Static<typeof LrSearchSessionReport>;

const Next = Type.Union(
  [
    Type.Object(
      { type: Type.Literal('sweep'), iteration: Type.Integer(), lr: Type.Number() },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('trial'),
        trial: Type.String(),
        lr: Type.Number({ description: "the LR (your schedule's peak LR) to train at" }),
        steps: Type.Integer({ description: 'train this many steps from your initial weights and report the metric' }),
        eval_at: Type.Array(Type.Integer(), {
          description: 'optional: also report the metric after these step counts (metrics_at)',
        }),
        why: Type.String(),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('leases'),
        available: Type.Integer({ description: 'trials a POST to links.leases would hand out now' }),
        leased: Type.Integer({ description: 'trials leased out and not reported yet' }),
      },
      {
        additionalProperties: false,
        description: "a parallel session's trials: POST links.leases to be handed up to `available` of them",
      },
    ),
    Type.Null(),
  ],
  {
    description:
      'what to train next: a range-test step (one minibatch at `lr`, report its loss), ' +
      'a trial (a parallel session: leases), or null once done',
  },
);

const LeasedTrial = Type.Object(
  {
    type: Type.Literal('trial'),
    trial: Type.String(),
    lr: Type.Number({ description: "the LR (your schedule's peak LR) to train at" }),
    steps: Type.Integer({ description: 'train this many steps from your initial weights and report the metric' }),
    eval_at: Type.Array(Type.Integer(), {
      description: 'optional: also report the metric after these step counts (metrics_at)',
    }),
    why: Type.String(),
    lease: Type.String({ description: 'send it with the report ({trial, lease, metric})' }),
    lease_expires_at: Type.String({
      format: 'date-time',
      description: 'unreported by then, the trial is handed out again (the first report of a trial counts)',
    }),
  },
  { additionalProperties: false },
);

export const LrSearchSessionLeaseRequest = Type.Object(
  {
    max: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description: 'hand out at most this many (default: as many as parallelism allows)',
      }),
    ),
  },
  { $id: 'LrSearchSessionLeaseRequest', additionalProperties: false, example: { max: 2 } },
);
export type LrSearchSessionLeaseRequest = Static<typeof LrSearchSessionLeaseRequest>;

const Links = Type.Object(
  {
    self: Type.String(),
    reports: Type.String(),
    plot: Type.String({ description: 'the result as an SVG plot (409 until done)' }),
    leases: Type.Optional(Type.String({ description: 'a parallel session: POST here to be handed trials' })),
  },
  { additionalProperties: false },
);
const Status = StringEnum(['range_test', 'trials', 'done'] as const, {
  description: 'range_test: report losses; trials: report metrics; done: `result` holds the recommendation',
});

export const LrSearchSession = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Status,
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    request: Type.Ref('LrSearchSessionRequest', { description: 'the request with every default filled in' }),
    next: Next,
    range_test_iterations: Type.Integer({ description: 'range-test losses recorded' }),
    trials_reported: Type.Integer(),
    cost_steps: Type.Integer({ description: 'steps you trained so far (range test and trials)' }),
    result: Type.Union([
      Type.Ref('LrSearchResult', {
        description: "the recommendation: an LR search job's result (without `seed`: your loop chose the seeds)",
      }),
      Type.Null(),
    ]),
    leases: Type.Optional(
      Type.Array(LeasedTrial, {
        description: 'a parallel session: the trials leased out now (unexpired, unreported)',
      }),
    ),
    links: Links,
  },
  { $id: 'LrSearchSession', additionalProperties: false },
);

export const LrSearchSessionLeases = Type.Object(
  {
    granted: Type.Array(LeasedTrial, {
      description:
        'the trials handed to you by this call: train each, report {trial, lease, metric}; empty while ' +
        'every pending trial is leased (report yours, or ask again later) or before the trials start',
    }),
    session: Type.Ref('LrSearchSession'),
  },
  { $id: 'LrSearchSessionLeases', additionalProperties: false },
);

export const LR_SEARCH_SESSION_SCHEMAS = [
  LrSearchSessionRequest,
  LrSearchSessionReport,
  LrSearchSession,
  LrSearchSessionLeaseRequest,
  LrSearchSessionLeases,
];
