/**
 * A schedule-simulation job: the same model, data and seed trained once per schedule (a fresh
 * trainer each time, so the same initial weights and the same minibatch order), the LR of each
 * step taken from the schedule's step-at-a-time runner (`parseSchedule`'s). ReduceLROnPlateau steps
 * on the evaluation loss every `eval_every` steps (default: once per epoch), as in a PyTorch loop
 * `for epoch: train(); scheduler.step(val_loss)`. Every other schedule steps after each optimizer
 * step, as `optimizer.step(); scheduler.step()`. A schedule that cycles momentum (CyclicLR /
 * OneCycleLR with cycle_momentum, PyTorch's default) sets the optimizer's momentum too, as
 * torch/optim/lr_scheduler.py does: at construction and before every step, SGD / RMSprop
 * `momentum` or Adam / AdamW `beta1` (Adagrad has neither: refused at submit). Schedules run one
 * after another (a job is one thread); parallelism comes from several jobs on several workers.
 */
import { dataShape, datasetRows } from '../../contracts/resolve.js';
import { toTrainSpec } from '../../contracts/train-spec.js';
import { parseSchedule, type ScheduleRunner } from '../../core/schedules/index.js';
import { withFirstMomentum } from '../../core/optimizers/index.js';
import { createTrainer } from '../../core/trainer.js';
import { batchWarning } from '../../contracts/batch.js';
import { appendLayerStats, downsampleLayers, type LayerSeries } from '../../lrfinder/layer-diagnostics.js';
import type { JobDeps } from '../kind.js';
import type { ScheduleSimulationResult } from './contract.js';
import type { NamedScheduleSpec, ResolvedScheduleSimulation } from './resolve.js';

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
  /** total gradient norm before clipping, per step */
  grad_norms: (number | null)[];
  eval_steps: number[];
  eval_losses: (number | null)[];
  /** per-layer diagnostics at each evaluation step (aligned with eval_steps) */
  layers: LayerSeries[];
  /** the eval steps the per-layer points were kept at (first, last, evenly spaced between; LIMIT_LAYER_POINTS) */
  layer_steps?: number[];
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

const finite = (x: number | null | undefined): number | null =>
  typeof x === 'number' && Number.isFinite(x) ? x : null;

/** Order: finished runs by final loss ascending, ties by name; diverged runs (or no final loss) last, by name. */
export function rankRuns(runs: { name: string; diverged: boolean; loss: number | null }[]): string[] {
  const bad = (r: { diverged: boolean; loss: number | null }) => r.diverged || r.loss === null;
  return [...runs]
    .sort((a, b) => {
      if (bad(a) !== bad(b)) return bad(a) ? 1 : -1;
      if (!bad(a) && a.loss !== b.loss) return (a.loss as number) - (b.loss as number);
      return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    })
    .map((r) => r.name);
}

export function* runScheduleSimulation(
  req: ResolvedScheduleSimulation,
  deps: JobDeps,
): Generator<ScheduleSimulationProgress, ScheduleSimulationResult> {
  const dataset = deps.dataset(req.train.data, req.train.seed);
  const total = req.steps * req.schedules.length;
  const runs: ScheduleRunResult[] = [];
  let evalEvery = req.eval_every ?? 1;
  let evalSplit: 'val' | 'train' = 'val';

  for (let s = 0; s < req.schedules.length; s++) {
    const named = req.schedules[s];
    const { runner } = parseSchedule(named.schedule);
    // the optimizer's constructor lr is never used: every step passes the schedule's lr
    const spec = toTrainSpec(req.train, req.train.seed, 1e-3);
    if (runner.cyclesMomentum) spec.optimizer = withFirstMomentum(spec.optimizer, runner.momentum ?? 0);
    const trainer = createTrainer(spec, {
      backend: deps.backend(spec, { ...dataShape(req.train.data), rows: dataset?.rows ?? datasetRows(req.train.data) }),
      dataset,
    });
    evalSplit = trainer.val && trainer.val.rows > 0 ? 'val' : 'train';
    evalEvery = req.eval_every ?? Math.ceil(trainer.train.rows / trainer.batchSize);
    const gen = trainUnder(named, runner, trainer, req, evalEvery, evalSplit, s * req.steps, total);
    let next = gen.next();
    while (!next.done) {
      yield next.value;
      next = gen.next();
    }
    // per-layer series cut to LIMIT_LAYER_POINTS; layer_steps says at which steps the kept points were taken
    const run = next.value;
    const sampled = downsampleLayers(run.layers, deps.layerPoints ?? Number.MAX_SAFE_INTEGER);
    runs.push({ ...run, layers: sampled.layers, layer_steps: sampled.index.map((i) => run.eval_steps[i]) });
  }

  const rankedBy = evalSplit === 'val' ? 'val_loss' : 'train_loss';
  const ranking = rankRuns(
    runs.map((r) => ({
      name: r.name,
      diverged: r.diverged,
      loss: rankedBy === 'val_loss' ? r.final_val_loss : r.final_train_loss,
    })),
  );
  for (const r of runs) r.rank = ranking.indexOf(r.name) + 1;
  return {
    schedules: runs,
    ranking,
    ranked_by: rankedBy,
    eval_split: evalSplit,
    eval_every: evalEvery,
    steps: req.steps,
    seed: req.train.seed,
  };
}

function* trainUnder(
  named: NamedScheduleSpec,
  runner: ScheduleRunner,
  trainer: ReturnType<typeof createTrainer>,
  req: ResolvedScheduleSimulation,
  evalEvery: number,
  evalSplit: 'val' | 'train',
  offset: number,
  total: number,
): Generator<ScheduleSimulationProgress, ScheduleRunResult> {
  const lrs: number[] = [];
  const momentum: number[] = [];
  const losses: (number | null)[] = [];
  const evalSteps: number[] = [];
  const evalLosses: (number | null)[] = [];
  const gradNorms: (number | null)[] = [];
  /** per-layer diagnostics at each evaluation step (aligned with eval_steps) */
  const layers: LayerSeries[] = [];
  let stop: StopReason = 'completed';
  let divergedAt: number | null = null;
  let firstLoss: number | null = null;

  for (let i = 0; i < req.steps; i++) {
    const lr = runner.lr;
    lrs.push(lr);
    // what CyclicLR / OneCycleLR write into the param group before this step
    const m = runner.cyclesMomentum ? (runner.momentum ?? 0) : undefined;
    if (m !== undefined) momentum.push(m);
    const r = trainer.step(lr, m === undefined ? undefined : { momentum: m });
    const loss = r.non_finite ? null : finite(r.loss);
    losses.push(loss);
    gradNorms.push(finite(r.grad_norm));
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
      appendLayerStats(layers, trainer.layerStats());
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
  const batch = batchWarning(req.train.batch_size, req.train.data, '/train/batch_size');
  if (batch) warnings.push(batch);
  if (stop !== 'completed') {
    warnings.push({
      code: stop,
      message:
        stop === 'non_finite'
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
    grad_norms: gradNorms,
    eval_steps: evalSteps,
    eval_losses: evalLosses,
    layers,
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
