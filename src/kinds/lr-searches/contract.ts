/**
 * LR search jobs: a range test, then candidate LRs trained for the user's `train_steps` (under
 * their `schedule`) from the same initial weights and batch order, and the LR that did best —
 * request, result, job resource. The search itself is src/lrfinder/search/.
 */
import Type, { type Static } from 'typebox';
import { FiniteOrNull, RefOf, StringEnum } from '../../contracts/common.js';
import { BackendUsed } from '../../contracts/backend.js';
import { JobResource } from '../../contracts/job.js';
import { RANGE_TEST_DEFAULTS } from '../../contracts/lr-range-test.js';
import { TRAINING_DEFAULTS, trainingSetupFields } from '../../contracts/training-setup.js';
import { ScheduleSpecRef } from '../../contracts/schedules.js';

/** The kind's name: its URL segment, queue and OpenAPI tag. */
export const KIND = 'lr-searches';

export const SEARCH_REQUEST_DEFAULTS = {
  train_steps: 1000,
  budget_factor: 4,
  tolerance: 0.1,
  diverge_th: 5,
  batch_size: TRAINING_DEFAULTS.batch_size,
  seed: TRAINING_DEFAULTS.seed,
} as const;

export const LrSearchRequest = Type.Object(
  {
    preset: Type.Optional(
      Type.Union([Type.String({ maxLength: 64 }), Type.Null()], {
        description:
          'an lr-searches preset from GET /v1/presets; the fields you give override it. Absent: spirals-search; null: no preset',
      }),
    ),
    ...trainingSetupFields({
      seed: 'initial weights and batch order of every trial (and the data, unless data.seed is given)',
    }),
    train_steps: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100_000_000,
        default: SEARCH_REQUEST_DEFAULTS.train_steps,
        description:
          'how many optimizer steps you will train for: every candidate is judged after this many (at most LIMIT_SCHEDULE_STEPS)',
      }),
    ),
    schedule: Type.Optional(
      Type.Union([ScheduleSpecRef, Type.Null()], {
        description:
          'the schedule you will train with, as in POST /v1/schedules/preview (`lr` may be omitted): it is scaled so that its maximum LR equals each candidate, so the search finds the PEAK LR for it. Absent or null: a constant LR. ReduceLROnPlateau is not supported (its LRs depend on the run).',
      }),
    ),
    metric: Type.Optional(
      StringEnum(['val_loss', 'train_loss'] as const, {
        description:
          'what a candidate is judged by after train_steps steps: the validation loss (default when the data has a validation split) or the training loss (the mean minibatch loss of the last 5% of the steps, at least 10)',
      }),
    ),
    budget_steps: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 1_000_000_000,
        description:
          'the most optimizer steps the search may spend, range test included (default 4 × train_steps; at most LIMIT_SIMULATION_STEPS)',
      }),
    ),
    tolerance: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 100,
        default: SEARCH_REQUEST_DEFAULTS.tolerance,
        description:
          'the interval holds the LRs whose metric is within (1 + tolerance) of the best; the confidence is the probability of that on another seed',
      }),
    ),
    diverge_th: Type.Optional(
      Type.Number({
        exclusiveMinimum: 1,
        maximum: 1e6,
        default: SEARCH_REQUEST_DEFAULTS.diverge_th,
        description:
          'a candidate diverged (and stops) when a minibatch loss exceeds diverge_th × its first loss, or a loss or gradient is NaN/Inf',
      }),
    ),
    start_lr: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1e6,
        default: RANGE_TEST_DEFAULTS.start_lr,
        description: "the range test's first LR",
      }),
    ),
    end_lr: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 1e6,
        default: RANGE_TEST_DEFAULTS.end_lr,
        description: "the range test's last LR",
      }),
    ),
    num_iter: Type.Optional(
      Type.Integer({
        minimum: 2,
        maximum: 1_000_000,
        description:
          "the range test's steps (default: a quarter of train_steps, from 30 to 100; it only brackets the search)",
      }),
    ),
  },
  {
    $id: 'LrSearchRequest',
    additionalProperties: false,
    examples: [{ preset: 'spirals-search' }],
    example: { preset: 'spirals-search' },
  },
);
export type LrSearchRequest = Static<typeof LrSearchRequest>;

const Pick = Type.Object(
  { lr: FiniteOrNull, index: Type.Union([Type.Integer(), Type.Null()]), reason: Type.Optional(Type.String()) },
  { additionalProperties: true },
);

const Candidate = Type.Object(
  {
    lr: Type.Number(),
    reason: StringEnum(['screen', 'extend_low', 'extend_up', 'window', 'probe'] as const),
    why: Type.String({ description: 'why this LR was tried' }),
    steps: Type.Integer({ description: 'steps it trained (fewer than asked when it diverged)' }),
    metric: Type.Union([Type.Number(), Type.Null()], {
      description: 'the metric after `steps` steps; null when it diverged',
    }),
    at_horizon: Type.Boolean({ description: 'it was trained for all train_steps without diverging' }),
    diverged: Type.Boolean(),
    stop_reason: Type.Union([StringEnum(['completed', 'diverged', 'non_finite'] as const), Type.Null()]),
    curve: Type.Array(FiniteOrNull, {
      description: 'its minibatch losses, downsampled: the mean of each `curve_every` steps (null where non-finite)',
    }),
    curve_every: Type.Integer(),
  },
  { additionalProperties: false },
);

export const LrSearchResult = Type.Object(
  {
    recommended_lr: Type.Union([Type.Number(), Type.Null()], {
      description:
        'the LR (the peak LR under `schedule`) with the best metric after train_steps steps; null when every candidate diverged',
    }),
    recommended_metric: FiniteOrNull,
    metric: StringEnum(['val_loss', 'train_loss'] as const),
    initial_metric: FiniteOrNull,
    interval: Type.Union(
      [Type.Object({ low: Type.Number(), high: Type.Number() }, { additionalProperties: false }), Type.Null()],
      {
        description:
          'the lowest and highest LRs trained for train_steps whose metric was within (1 + tolerance) of the best (metric + 0.002 × initial_metric compared)',
      },
    ),
    confidence: Type.Object(
      {
        level: StringEnum(['high', 'medium', 'low'] as const, { description: 'high: p ≥ 0.95, medium: p ≥ 0.7' }),
        p_within_tolerance: Type.Number({
          description:
            'the estimated probability that, trained with another seed (your own run), the recommended LR ends within (1 + tolerance) of the best LR of that run',
        }),
        noise: Type.Number({
          description:
            "how much ln(metric) still moved over the last 10% of the finalists' steps (what the probability is computed from)",
        }),
        noise_source: StringEnum(['measured', 'prior'] as const),
      },
      { additionalProperties: false },
    ),
    candidates: Type.Array(Candidate, { description: 'every LR tried, by LR' }),
    range_test: Type.Union([
      Type.Object(
        {
          lrs: Type.Array(Type.Number()),
          losses: Type.Array(FiniteOrNull),
          smoothed_losses: Type.Array(FiniteOrNull),
          stop_reason: Type.String(),
          suggestions: Type.Record(Type.String(), Pick, {
            description: "every suggestion method's pick on this curve",
          }),
          top_lr: Type.Number({ description: 'where the range test diverged: the top of the LRs tried' }),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    cost: Type.Object(
      {
        steps: Type.Integer({ description: 'optimizer steps spent, range test included' }),
        range_test_steps: Type.Integer(),
        trial_steps: Type.Integer(),
        budget_steps: Type.Integer(),
        grid_steps: Type.Integer({
          description: '13 × train_steps: a 13-point LR grid (1e-5 … 10, half decades) trained to the horizon',
        }),
      },
      { additionalProperties: false },
    ),
    train_steps: Type.Integer(),
    tolerance: Type.Number(),
    warnings: Type.Array(Type.Ref('Warning')),
    seed: Type.Optional(
      Type.Integer({
        description: "the request's seed (absent in a search session's result: your loop chose the seeds)",
      }),
    ),
    backend: Type.Optional(RefOf(BackendUsed)),
  },
  { $id: 'LrSearchResult', additionalProperties: false },
);
export type LrSearchResult = Static<typeof LrSearchResult>;

export const LrSearchJob = JobResource('LrSearchJob', Type.Ref('LrSearchRequest'), Type.Ref('LrSearchResult'));

/** A list item's `summary` (GET /v1/lr-searches). */
export const LrSearchSummary = Type.Object(
  {
    recommended_lr: FiniteOrNull,
    confidence: StringEnum(['high', 'medium', 'low'] as const),
    p_within_tolerance: Type.Number(),
    train_steps: Type.Integer(),
    cost_steps: Type.Integer(),
  },
  { additionalProperties: false },
);
