/**
 * Schedule-simulation request resolution (pure): preset merge, defaults, limits, and every
 * schedule checked by the core simulator over the requested steps, so a bad schedule is a 400 at
 * submit time with the library's own wording, never a failed job. The training setup is the one
 * every job kind shares (contracts/resolve.ts: same model/data/loss/optimizer shapes, defaults and limits).
 */
import { scheduleNodes } from '../../contracts/schedule-work.js';
import { cycleMomentumProblem, momentumSeriesProblem } from '../../core/optimizers/index.js';
import { parseSchedule, ScheduleError, simulateSchedule } from '../../core/schedules/index.js';
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { checkJobCost } from '../../contracts/cost.js';
import {
  presetFor,
  resolveTraining,
  trainingCost,
  type ResolveContext,
  type ResolvedOptimizer,
  type ResolvedTraining,
} from '../../contracts/resolve.js';
import { checkScheduleDepth, scheduleProblem } from '../../contracts/schedules.js';
import { KIND, SIMULATION_DEFAULTS, type ScheduleSimulationRequest } from './contract.js';
import { DEFAULT_PRESET, PRESETS } from './presets.js';

/** The training setup every schedule runs from (with its seed). */
export interface ResolvedScheduleTrain extends ResolvedTraining {
  seed: number;
}

export interface NamedScheduleSpec {
  name: string;
  schedule: Record<string, unknown>;
}

export interface ResolvedScheduleSimulation {
  preset: string | null;
  schedules: NamedScheduleSpec[];
  steps: number;
  /** null: once per epoch (ceil(training rows / batch_size)), decided by the worker that knows the split */
  eval_every: number | null;
  diverge_th: number;
  train: ResolvedScheduleTrain;
}

/**
 * Checks one schedule over `steps` with the core simulator (ReduceLROnPlateau: construction only, its
 * metrics come from training), and with the optimizer as torch would when it is constructed.
 */
function checkSchedule(spec: Record<string, unknown>, steps: number, at: string, optimizer: ResolvedOptimizer): void {
  try {
    const parsed = parseSchedule(spec);
    // torch/optim/lr_scheduler.py (CyclicLR, OneCycleLR): an optimizer without momentum or betas in its defaults
    const cannotCycle = parsed.runner.cyclesMomentum ? cycleMomentumProblem(optimizer.type) : null;
    if (cannotCycle) throw invalid(`${at}/schedule`, cannotCycle);
    if (parsed.runner.usesMetrics) return;
    const { lrs, momentum } = simulateSchedule(parsed.spec, steps);
    const k = lrs.findIndex((lr) => lr < 0);
    if (k >= 0) {
      throw invalid(
        `${at}/schedule`,
        `the learning rate is negative at step ${k} (${lrs[k]}); the optimizers need lr >= 0 (torch.optim: "Invalid learning rate")`,
      );
    }
    // e.g. torch/optim/rmsprop.py (_init_group): the momentum buffer exists only if momentum > 0 at the first step
    const series = momentum ? momentumSeriesProblem(optimizer.type, momentum) : null;
    if (series) throw invalid(`${at}/schedule`, series);
  } catch (e) {
    if (e instanceof ScheduleError) throw scheduleProblem(e, at);
    throw e;
  }
}

/** Merge the preset, fill every default, check every limit and every schedule; throws ProblemError. */
export function resolveScheduleSimulation(
  body: ScheduleSimulationRequest,
  ctx: ResolveContext,
): ResolvedScheduleSimulation {
  const pb = presetFor(body.preset, PRESETS, DEFAULT_PRESET, KIND);
  // top-level fields replace the preset's; `train` is merged field by field (each field wholesale)
  const req: ScheduleSimulationRequest = { ...pb, ...body, train: { ...pb.train, ...body.train } };
  const { limits } = ctx;

  const schedules = (req.schedules ?? []) as NamedScheduleSpec[];
  schedules.forEach((s, i) => checkScheduleDepth(s.schedule, limits.scheduleDepth, `/schedules/${i}/schedule`));
  const seen = new Map<string, number>();
  schedules.forEach((s, i) => {
    const j = seen.get(s.name);
    if (j !== undefined)
      throw invalid(`/schedules/${i}/name`, `'${s.name}' is already the name of schedules[${j}]; names must be unique`);
    seen.set(s.name, i);
  });

  const steps = req.steps ?? 100;
  if (steps > limits.scheduleSteps)
    throw limitExceeded('/steps', 'steps', steps, limits.scheduleSteps, 'LIMIT_SCHEDULE_STEPS');
  if (steps * schedules.length > limits.simulationSteps) {
    throw limitExceeded(
      '/steps',
      `steps × schedules (${steps} × ${schedules.length})`,
      steps * schedules.length,
      limits.simulationSteps,
      'LIMIT_SIMULATION_STEPS',
    );
  }

  const t = req.train ?? {};
  const seed = t.seed ?? SIMULATION_DEFAULTS.seed;
  const train = resolveTraining(t, seed, ctx, '/train');
  checkJobCost(
    '/steps',
    {
      ...trainingCost(train, ctx),
      batch: train.batch_size,
      steps: steps * schedules.length,
      stepsFrom: `steps ${steps} × ${schedules.length} schedules`,
    },
    limits,
  );

  // the checks simulate every schedule on the API's event loop: their work is bounded first (LIMIT_SCHEDULE_WORK)
  let work = 0;
  schedules.forEach((s, i) => {
    const nodes = scheduleNodes(s.schedule);
    work += steps * nodes;
    if (work > limits.scheduleWork) {
      throw limitExceeded(
        `/schedules/${i}/schedule`,
        `steps × schedulers over the schedules up to this one (${steps} × schedulers, the simulation's work)`,
        work,
        limits.scheduleWork,
        'LIMIT_SCHEDULE_WORK',
      );
    }
  });
  schedules.forEach((s, i) => checkSchedule(s.schedule, steps, `/schedules/${i}`, train.optimizer));

  const ownSetup = body.schedules !== undefined && body.train?.model !== undefined && body.train?.data !== undefined;
  return {
    preset: body.preset ?? (ownSetup ? null : DEFAULT_PRESET),
    schedules: schedules.map((s) => ({ name: s.name, schedule: s.schedule })),
    steps,
    eval_every: req.eval_every ?? null,
    diverge_th: req.diverge_th ?? SIMULATION_DEFAULTS.diverge_th,
    train: {
      model: train.model,
      data: train.data,
      loss: train.loss,
      optimizer: train.optimizer,
      batch_size: train.batch_size,
      seed,
      clip_grad_norm: train.clip_grad_norm,
      clip_grad_value: train.clip_grad_value,
    },
  };
}
