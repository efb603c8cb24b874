/**
 * The trial runner: trains one candidate LR of an LR search on the core trainer, so the search
 * engine (./engine.ts), which never trains anything itself, can be driven by a job.
 *
 * - Paired comparisons: every candidate gets a fresh trainer built from the same TrainSpec (same
 *   seed), so the same initial weights and the same minibatch order; two candidates differ only by
 *   their LR.
 * - The schedule: the user's schedule is simulated for the full horizon (`train_steps`) and scaled
 *   so its maximum LR equals the candidate: lr_i = candidate · s_i / max_j s_j. Without a schedule,
 *   the LR is constant. A trial of `steps < train_steps` runs the first `steps` steps of that
 *   horizon-length schedule (a prefix), so it can later be continued to more steps, bit-identical to
 *   a run that trained all of them at once. A schedule that cycles momentum (OneCycleLR, CyclicLR)
 *   sets the optimizer's momentum / beta1 each step too, as the schedule-simulation job does.
 * - Early stop: a step whose loss or gradient is non-finite, or a minibatch loss above
 *   `diverge_th` × the first step's loss (the schedule-simulation rule), ends the trial; only the
 *   steps actually run are reported.
 * - The metric (`metricOf`): `val_loss` is the loss on the validation split after the last step,
 *   in eval mode. `train_loss` is the mean minibatch loss of the last `trainLossWindow(steps)` steps
 *   (5% of the steps, at least 10 — or every step when fewer): each minibatch loss is measured
 *   before its update, so the mean is a low-noise, paired (same batches for every candidate)
 *   estimate of the training loss at the end of the trial, available without a second pass.
 */
import type { Backend, StepResult, TrainerPosition } from '../../core/types.js';
import type { Dataset, TrainSpec } from '../../core/spec.js';
import { createTrainer, type CoreTrainer } from '../../core/trainer.js';
import { simulateSchedule, withUnitLr, type ScheduleSpec } from '../../core/schedules/index.js';
import { withFirstMomentum } from '../../core/optimizers/index.js';
import { rangeTest, type RangeTestOptions } from '../range-test.js';
import type { RangeTestCurve, SearchMetric, TrialReport, TrialStopReason } from './types.js';

export interface TrialRunnerSetup {
  /** the training setup; `spec.seed` is the search's training seed, `spec.optimizer.lr` is unused */
  spec: TrainSpec;
  /** the full dataset when the caller loads it (mnist, uploads) */
  dataset?: Dataset;
  /** a numeric backend for one trainer (default: the core's scalar backend) */
  backend?: (spec: TrainSpec) => Backend;
  /** the user's training horizon: the schedule is simulated for this many steps */
  train_steps: number;
  /** the schedule the LR will be used with (its shape only: scaled per candidate); null = constant */
  schedule?: ScheduleSpec | null;
  metric: SearchMetric;
  /** stop a trial once a minibatch loss exceeds diverge_th × its first loss (default 5) */
  diverge_th?: number;
}

export interface ScheduleShape {
  /** LR multiplier per step, max 1 */
  factors: number[];
  /** momentum / beta1 per step when the schedule cycles it */
  momentum: number[] | null;
}

/** Fraction of the last minibatch losses averaged by the `train_loss` metric, and its floor. */
export const TRAIN_TAIL_FRACTION = 0.05;
export const TRAIN_TAIL_MIN = 10;

/** How many trailing minibatch losses `train_loss` averages after `steps` steps. */
export function trainLossWindow(steps: number): number {
  return Math.min(steps, Math.max(TRAIN_TAIL_MIN, Math.ceil(steps * TRAIN_TAIL_FRACTION)));
}

/**
 * The schedule's shape over `steps` steps: simulateSchedule's LRs divided by their maximum.
 * Throws for ReduceLROnPlateau (its LRs depend on the metrics of the run) and for a schedule whose
 * LRs are all 0.
 */
export function scheduleShape(schedule: ScheduleSpec | null | undefined, steps: number): ScheduleShape {
  if (!schedule) return { factors: new Array<number>(steps).fill(1), momentum: null };
  // the base LR is irrelevant (only the shape is used); torch / transformers schedules need one
  const sim = simulateSchedule(withUnitLr(schedule), steps);
  let max = 0;
  for (const lr of sim.lrs) if (lr > max) max = lr;
  if (!(max > 0)) throw new RangeError('the schedule never sets a positive learning rate: it has no peak to scale');
  return { factors: sim.lrs.map((lr) => lr / max), momentum: sim.momentum ?? null };
}

/** The metric of a trained candidate (see the module comment). */
export function metricOf(
  trainer: CoreTrainer,
  metric: SearchMetric,
  losses: readonly (number | null)[],
): number | null {
  if (metric === 'val_loss') {
    const v = trainer.evaluate('val').loss;
    return Number.isFinite(v) ? v : null;
  }
  const k = trainLossWindow(losses.length);
  let s = 0;
  for (let i = losses.length - k; i < losses.length; i++) {
    const l = losses[i];
    if (l === null) return null;
    s += l;
  }
  return k > 0 ? s / k : null;
}

interface Live {
  trainer: CoreTrainer;
  losses: (number | null)[];
  /** set once the candidate stopped (diverged / non-finite): it cannot be continued */
  stop: TrialStopReason | null;
  firstLoss: number | null;
}

/** One optimizer step of a trial. */
export interface TrialStep {
  step: number;
  lr: number;
  loss: number | null;
}

/** A trial as the runner reports it: every field of a TrialReport filled in. */
export type RunnerReport = Required<Omit<TrialReport, 'lr'>> & { lr: number };

export interface TrialRunner {
  /** the metric of the initial weights (val loss, or the first minibatch loss for train_loss) */
  initialMetric(): number;
  /**
   * Trains candidate `lr` up to `steps` steps in total: continues that LR's trainer when it
   * already ran fewer steps (the engine's `continues`), otherwise starts it fresh. `evalAt`: also
   * record the metric after these step counts (≤ steps).
   */
  run(lr: number, steps: number, evalAt?: readonly number[]): RunnerReport;
  /** the same, one step at a time: yields each step's (1-based) count, LR and minibatch loss */
  trial(lr: number, steps: number, evalAt?: readonly number[]): Generator<TrialStep, RunnerReport>;
  /** forget a candidate's trainer (it will not be continued) */
  release(lr: number): void;
  /** the range test (./range-test.ts) on a trainer of the same setup and seed: the candidates' initial weights and
   * batches */
  rangeTest(opts: RangeTestOptions): RangeTestCurve;
  /** how many trainers are kept for continuation */
  readonly live: number;
  /** candidate `lr`'s whole state (null when it never ran or stopped): another runner of the same setup `load`s it */
  save(lr: number): CandidateState | null;
  /** continue candidate `lr` from a saved state (its next trial runs as it would have in the runner that saved it) */
  load(lr: number, state: CandidateState): void;
}

/** A candidate's trainer position and the runner's record of it (plain data and typed arrays: structured-clonable). */
export interface CandidateState {
  position: TrainerPosition;
  losses: (number | null)[];
  firstLoss: number | null;
}

export function createTrialRunner(setup: TrialRunnerSetup): TrialRunner {
  if (setup.metric === 'val_loss' && !(setup.spec.data.val_fraction > 0)) {
    throw new RangeError('metric val_loss needs a validation split (data.val_fraction > 0)');
  }
  const shape = scheduleShape(setup.schedule, setup.train_steps);
  const divergeTh = setup.diverge_th ?? 5;
  const live = new Map<number, Live>();
  // a momentum-cycling schedule writes the first momentum into the optimizer at construction (torch's
  // CyclicLR / OneCycleLR __init__), which matters to an optimizer that allocates its momentum buffer from it
  const spec = shape.momentum
    ? { ...setup.spec, optimizer: withFirstMomentum(setup.spec.optimizer, shape.momentum[0]) }
    : setup.spec;
  const make = (): CoreTrainer => createTrainer(spec, { backend: setup.backend?.(spec), dataset: setup.dataset });
  let initial: number | null = null;

  const open = (lr: number): Live => {
    let l = live.get(lr);
    if (!l) {
      l = { trainer: make(), losses: [], stop: null, firstLoss: null };
      live.set(lr, l);
    }
    return l;
  };

  return {
    get live() {
      return live.size;
    },
    initialMetric() {
      if (initial !== null) return initial;
      const t = make();
      initial = setup.metric === 'val_loss' ? t.evaluate('val').loss : t.step(0).loss;
      return initial;
    },
    release(lr) {
      live.delete(lr);
    },
    save(lr) {
      const c = live.get(lr);
      if (!c || c.stop !== null) return null;
      return { position: c.trainer.position(), losses: c.losses.slice(), firstLoss: c.firstLoss };
    },
    load(lr, state) {
      const c = open(lr);
      c.trainer.moveTo(state.position);
      c.losses = state.losses.slice();
      c.firstLoss = state.firstLoss;
      c.stop = null;
    },
    rangeTest(opts) {
      // the optimizer as the user configured it (the schedule's momentum cycling is the trials' business)
      const t = createTrainer(setup.spec, { backend: setup.backend?.(setup.spec), dataset: setup.dataset });
      const gen = rangeTest(opts, (lr) => t.step(lr));
      let next = gen.next();
      while (!next.done) next = gen.next();
      const o = next.value;
      return { lrs: o.lrs, losses: o.losses, smoothed_losses: o.smoothed_losses, stop_reason: o.stop_reason };
    },
    run(lr, steps, evalAt = []) {
      const gen = this.trial(lr, steps, evalAt);
      let next = gen.next();
      while (!next.done) next = gen.next();
      return next.value;
    },
    *trial(lr, steps, evalAt = []) {
      if (!(lr > 0) || !Number.isFinite(lr))
        throw new RangeError(`a candidate LR must be a finite number > 0, got ${lr}`);
      if (!Number.isInteger(steps) || steps < 1 || steps > setup.train_steps) {
        throw new RangeError(`steps must be an integer in [1, ${setup.train_steps}], got ${steps}`);
      }
      const c = open(lr);
      const from = c.losses.length;
      if (from > steps) throw new RangeError(`candidate ${lr} already ran ${from} steps; cannot rewind to ${steps}`);
      const wanted = new Set(evalAt.filter((s) => s > from && s < steps));
      const metrics_at: { steps: number; metric: number | null }[] = [];
      for (let i = from; i < steps && c.stop === null; i++) {
        const m = shape.momentum ? shape.momentum[i] : undefined;
        const stepLr = lr * shape.factors[i];
        const r: StepResult = c.trainer.step(stepLr, m === undefined ? undefined : { momentum: m });
        const loss = r.non_finite || !Number.isFinite(r.loss) ? null : r.loss;
        c.losses.push(loss);
        yield { step: i + 1, lr: stepLr, loss };
        if (loss === null) {
          c.stop = 'non_finite';
          break;
        }
        if (i === 0) c.firstLoss = loss;
        if (c.firstLoss !== null && c.firstLoss > 0 && loss > divergeTh * c.firstLoss) {
          c.stop = 'diverged';
          break;
        }
        if (wanted.has(i + 1)) metrics_at.push({ steps: i + 1, metric: metricOf(c.trainer, setup.metric, c.losses) });
      }
      const stepsRun = c.losses.length;
      let metric: number | null = null;
      if (c.stop === null) {
        metric = metricOf(c.trainer, setup.metric, c.losses);
        if (metric === null) c.stop = 'non_finite';
      }
      if (c.stop === null) metrics_at.push({ steps, metric });
      return {
        lr,
        steps: stepsRun,
        steps_trained: stepsRun - from,
        metric,
        diverged: c.stop !== null,
        stop_reason: c.stop ?? 'completed',
        losses: c.losses.slice(from),
        metrics_at,
      };
    },
  };
}
