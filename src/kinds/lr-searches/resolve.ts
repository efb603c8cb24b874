/**
 * LR search request resolution (pure): preset merge, defaults, limits, the metric against the data
 * (val_loss needs a validation split), the budget against the range test and the horizon, and the
 * schedule checked by the core simulator over train_steps — so a bad request is a 400 at submit
 * time, never a failed job. The training setup is the one every job kind shares.
 */
import { scheduleWorkProblem } from '../../contracts/schedule-work.js';
import { cycleMomentumProblem } from '../../core/optimizers/index.js';
import { parseScheduleShape, ScheduleError } from '../../core/schedules/index.js';
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { RANGE_TEST_DEFAULTS } from '../../contracts/lr-range-test.js';
import { checkJobCost } from '../../contracts/cost.js';
import {
  presetFor,
  resolveTraining,
  trainingCost,
  type ResolveContext,
  type ResolvedTraining,
} from '../../contracts/resolve.js';
import { checkScheduleDepth, scheduleProblem } from '../../contracts/schedules.js';
import { defaultNumIter } from '../../lrfinder/search/engine.js';
import { scheduleShape } from '../../lrfinder/search/trial-runner.js';
import { KIND, SEARCH_REQUEST_DEFAULTS, type LrSearchRequest } from './contract.js';
import { DEFAULT_PRESET, PRESETS } from './presets.js';

export interface ResolvedLrSearch extends ResolvedTraining {
  preset: string | null;
  seed: number;
  train_steps: number;
  schedule: Record<string, unknown> | null;
  metric: 'val_loss' | 'train_loss';
  budget_steps: number;
  tolerance: number;
  diverge_th: number;
  start_lr: number;
  end_lr: number;
  num_iter: number;
}

/** The schedule as the search uses it: simulated over train_steps, with a positive peak, not metric-driven. */
function checkSchedule(spec: Record<string, unknown>, steps: number, optimizer: ResolvedTraining['optimizer']): void {
  try {
    // only the schedule's shape is used: lr may be omitted
    const { spec: parsed, runner } = parseScheduleShape(spec);
    if (runner.usesMetrics)
      throw invalid(
        '/schedule/type',
        `${runner.type} sets the LR from the metrics of the run: the search needs the schedule's LRs in advance`,
      );
    // torch/optim/lr_scheduler.py (CyclicLR, OneCycleLR): an optimizer without momentum or betas
    const cannotCycle = runner.cyclesMomentum ? cycleMomentumProblem(optimizer.type) : null;
    if (cannotCycle) throw invalid('/schedule', cannotCycle);
    const shape = scheduleShape(parsed, steps);
    const k = shape.factors.findIndex((f) => f < 0);
    if (k >= 0)
      throw invalid(
        '/schedule',
        `the learning rate is negative at step ${k}; the optimizers need lr >= 0 (torch.optim: "Invalid learning rate")`,
      );
  } catch (e) {
    if (e instanceof ScheduleError) throw scheduleProblem(e);
    if (e instanceof RangeError) throw invalid('/schedule', e.message);
    throw e;
  }
}

/** Merge the preset, fill every default and check every limit; throws ProblemError. */
export function resolveLrSearch(body: LrSearchRequest, ctx: ResolveContext): ResolvedLrSearch {
  const req: LrSearchRequest = { ...presetFor(body.preset, PRESETS, DEFAULT_PRESET, KIND), ...body };
  const { limits } = ctx;
  const D = SEARCH_REQUEST_DEFAULTS;
  const seed = req.seed ?? D.seed;

  if (req.schedule) checkScheduleDepth(req.schedule, limits.scheduleDepth, '/schedule');
  const train_steps = req.train_steps ?? D.train_steps;
  if (train_steps > limits.scheduleSteps)
    throw limitExceeded('/train_steps', 'train_steps', train_steps, limits.scheduleSteps, 'LIMIT_SCHEDULE_STEPS');
  const num_iter = req.num_iter ?? defaultNumIter(train_steps);
  if (num_iter > limits.numIter)
    throw limitExceeded('/num_iter', 'num_iter', num_iter, limits.numIter, 'LIMIT_NUM_ITER');
  const start_lr = req.start_lr ?? RANGE_TEST_DEFAULTS.start_lr;
  const end_lr = req.end_lr ?? RANGE_TEST_DEFAULTS.end_lr;
  if (!(end_lr > start_lr)) throw invalid('/end_lr', `must be greater than start_lr (${start_lr}), got ${end_lr}`);
  const budget_steps = req.budget_steps ?? D.budget_factor * train_steps;
  const at = req.budget_steps === undefined ? '/train_steps' : '/budget_steps';
  if (budget_steps > limits.simulationSteps) {
    throw limitExceeded(
      at,
      `budget_steps (${req.budget_steps === undefined ? `4 × train_steps = ${budget_steps}` : budget_steps})`,
      budget_steps,
      limits.simulationSteps,
      'LIMIT_SIMULATION_STEPS',
    );
  }
  if (budget_steps < num_iter + train_steps) {
    throw invalid(
      '/budget_steps',
      `must be at least num_iter + train_steps (${num_iter} + ${train_steps} = ${num_iter + train_steps}): the range test and one candidate trained to the horizon, got ${budget_steps}`,
    );
  }

  const t = resolveTraining(req, seed, ctx);
  // the search never trains more than budget_steps steps (range test included)
  checkJobCost(
    at,
    {
      ...trainingCost(t, ctx),
      batch: t.batch_size,
      steps: budget_steps,
      stepsFrom:
        req.budget_steps === undefined
          ? `budget_steps (4 × train_steps) ${budget_steps}`
          : `budget_steps ${budget_steps}`,
    },
    limits,
  );
  const hasVal = t.data.val_fraction > 0;
  const metric = req.metric ?? (hasVal ? 'val_loss' : 'train_loss');
  if (metric === 'val_loss' && !hasVal)
    throw invalid('/metric', 'val_loss needs a validation split: set data.val_fraction > 0, or use train_loss');

  const schedule = (req.schedule ?? null) as Record<string, unknown> | null;
  if (schedule) {
    // checking it simulates it over train_steps on the API's event loop: bounded first (LIMIT_SCHEDULE_WORK)
    const tooMuch = scheduleWorkProblem('/schedule', schedule, train_steps, limits.scheduleWork);
    if (tooMuch) throw tooMuch;
    checkSchedule(schedule, train_steps, t.optimizer);
  }

  return {
    preset: body.preset ?? (body.model !== undefined && body.data !== undefined ? null : DEFAULT_PRESET),
    model: t.model,
    data: t.data,
    loss: t.loss,
    optimizer: t.optimizer,
    batch_size: t.batch_size,
    clip_grad_norm: t.clip_grad_norm,
    clip_grad_value: t.clip_grad_value,
    seed,
    train_steps,
    schedule,
    metric,
    budget_steps,
    tolerance: req.tolerance ?? D.tolerance,
    diverge_th: req.diverge_th ?? D.diverge_th,
    start_lr,
    end_lr,
    num_iter,
  };
}
