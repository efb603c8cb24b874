/**
 * A schedule-simulation job: the same model, data and seed trained once per schedule (a fresh
 * trainer each time, so the same initial weights and the same minibatch order), the LR of each
 * step taken from the schedule's step-at-a-time runner (`openSchedule`). ReduceLROnPlateau steps
 * on the evaluation loss every `eval_every` steps (default: once per epoch), as in a PyTorch loop
 * `for epoch: train(); scheduler.step(val_loss)`. Every other schedule steps after each optimizer
 * step, as `optimizer.step(); scheduler.step()`. Schedules run one after another (a job is one
 * thread); parallelism comes from several jobs on several workers.
 */
import type { NamedScheduleSpec, ResolvedScheduleSimulation } from '../../src/contracts/resolve-schedules.js';
import { openSchedule, type ScheduleSpec } from '../../src/core/schedules/index.js';
import { createTrainer } from '../../src/core/trainer.js';
import type { Dataset } from '../../src/core/spec.js';
import type { Backend } from '../../src/core/types.js';
import { toTrainSpec } from './train-spec.js';

export interface ScheduleSimulationDeps {
  backend: () => Backend;
  /** datasets that need I/O (mnist); undefined = the core generates it from the spec */
  dataset: (req: ResolvedScheduleSimulation) => Dataset | undefined;
}

export interface ScheduleSimulationProgress {
  iteration: number;
  total: number;
  schedule: string;
  lr: number;
  loss: number | null;
  [key: string]: unknown;
}

type StopReason = 'completed' | 'diverged' | 'non_finite';

export interface ScheduleRunResult {
  name: string;
  type: string;
  lrs: number[];
  momentum?: number[];
  losses: (number | null)[];
  eval_steps: number[];
  eval_losses: (number | null)[];
  steps_run: number;
  stop_reason: StopReason;
  diverged: boolean;
  diverged_at: number | null;
  final_train_loss: number | null;
  final_train_accuracy: number | null;
  final_val_loss: number | null;
  final_val_accuracy: number | null;
  rank: number;
  warnings: { code: string; message: string; iteration: number | null }[];
}

const finite = (x: number | null | undefined): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);

const MOMENTUM_NOT_CYCLED =
  'this schedule cycles momentum (PyTorch sets SGD momentum / Adam beta1 each step); the trainer keeps the optimizer\'s own ' +
  'momentum fixed, so only the LR follows the schedule (`momentum` shows what PyTorch would set; pass cycle_momentum: false to silence this)';

/** Order: finished runs by final loss ascending, ties by name; diverged runs (or no final loss) last, by name. */
export function rankRuns(runs: { name: string; diverged: boolean; loss: number | null }[]): string[] {
  const bad = (r: { diverged: boolean; loss: number | null }) => r.diverged || r.loss === null;
  return [...runs].sort((a, b) => {
    if (bad(a) !== bad(b)) return bad(a) ? 1 : -1;
    if (!bad(a) && a.loss !== b.loss) return (a.loss as number) - (b.loss as number);
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  }).map((r) => r.name);
}

export function* runScheduleSimulation(req: ResolvedScheduleSimulation, deps: ScheduleSimulationDeps): Generator<ScheduleSimulationProgress, Record<string, unknown>> {
  const dataset = deps.dataset(req);
  const total = req.steps * req.schedules.length;
  const runs: ScheduleRunResult[] = [];
  let evalEvery = req.eval_every ?? 1;
  let evalSplit: 'val' | 'train' = 'val';

  for (let s = 0; s < req.schedules.length; s++) {
    const named = req.schedules[s];
    // the optimizer's constructor lr is never used: every step passes the schedule's lr
    const trainer = createTrainer(toTrainSpec(req.train, req.train.seed, 1e-3), { backend: deps.backend(), dataset });
    evalSplit = trainer.val && trainer.val.rows > 0 ? 'val' : 'train';
    evalEvery = req.eval_every ?? Math.ceil(trainer.train.rows / trainer.batchSize);
    const gen = trainUnder(named, trainer, req, evalEvery, evalSplit, s * req.steps, total);
    let next = gen.next();
    while (!next.done) {
      yield next.value;
      next = gen.next();
    }
    runs.push(next.value);
  }

  const rankedBy = evalSplit === 'val' ? 'val_loss' : 'train_loss';
  const ranking = rankRuns(runs.map((r) => ({ name: r.name, diverged: r.diverged, loss: rankedBy === 'val_loss' ? r.final_val_loss : r.final_train_loss })));
  for (const r of runs) r.rank = ranking.indexOf(r.name) + 1;
  return { schedules: runs, ranking, ranked_by: rankedBy, eval_split: evalSplit, eval_every: evalEvery, steps: req.steps, seed: req.train.seed };
}

function* trainUnder(
  named: NamedScheduleSpec,
  trainer: ReturnType<typeof createTrainer>,
  req: ResolvedScheduleSimulation,
  evalEvery: number,
  evalSplit: 'val' | 'train',
  offset: number,
  total: number,
): Generator<ScheduleSimulationProgress, ScheduleRunResult> {
  const runner = openSchedule(named.schedule as unknown as ScheduleSpec);
  const lrs: number[] = [];
  const momentum: number[] = [];
  const losses: (number | null)[] = [];
  const evalSteps: number[] = [];
  const evalLosses: (number | null)[] = [];
  let stop: StopReason = 'completed';
  let divergedAt: number | null = null;
  let firstLoss: number | null = null;

  for (let i = 0; i < req.steps; i++) {
    const lr = runner.lr;
    lrs.push(lr);
    if (runner.cyclesMomentum) momentum.push(runner.momentum ?? 0);
    const r = trainer.step(lr);
    const loss = r.non_finite ? null : finite(r.loss);
    losses.push(loss);
    yield { iteration: offset + i + 1, total, schedule: named.name, lr, loss };
    if (loss === null) {
      stop = 'non_finite';
      divergedAt = i;
      break;
    }
    if (i === 0) firstLoss = loss;
    if (firstLoss !== null && firstLoss > 0 && loss > req.diverge_th * firstLoss) {
      stop = 'diverged';
      divergedAt = i;
      break;
    }
    let metric: number | null = null;
    if ((i + 1) % evalEvery === 0) {
      metric = finite(trainer.evaluate(evalSplit).loss);
      evalSteps.push(i + 1);
      evalLosses.push(metric);
      if (metric === null) {
        stop = 'non_finite';
        divergedAt = i;
        break;
      }
    }
    if (i === req.steps - 1) break;
    if (!runner.usesMetrics) runner.step();
    else if (metric !== null) runner.step(metric);
  }

  const train = trainer.evaluate('train');
  const val = trainer.val && trainer.val.rows > 0 ? trainer.evaluate('val') : null;
  const warnings: ScheduleRunResult['warnings'] = [];
  if (runner.cyclesMomentum) warnings.push({ code: 'momentum_not_cycled', message: MOMENTUM_NOT_CYCLED, iteration: null });
  if (stop !== 'completed') {
    warnings.push({
      code: stop,
      message: stop === 'non_finite'
        ? `the loss or the gradients became NaN/Inf at step ${divergedAt} (lr ${lrs[divergedAt!]}); training under this schedule stopped`
        : `the minibatch loss exceeded ${req.diverge_th} × the first step's loss at step ${divergedAt} (lr ${lrs[divergedAt!]}); training under this schedule stopped`,
      iteration: divergedAt,
    });
  }
  return {
    name: named.name,
    type: String(named.schedule.type),
    lrs,
    ...(runner.cyclesMomentum ? { momentum } : {}),
    losses,
    eval_steps: evalSteps,
    eval_losses: evalLosses,
    steps_run: lrs.length,
    stop_reason: stop,
    diverged: stop !== 'completed',
    diverged_at: divergedAt,
    final_train_loss: finite(train.loss),
    final_train_accuracy: finite(train.accuracy),
    final_val_loss: val ? finite(val.loss) : null,
    final_val_accuracy: val ? finite(val.accuracy) : null,
    rank: 0,
    warnings,
  };
}
