/**
 * simulateSchedule: the LR (and momentum) used by each optimizer step under a schedule spec.
 * `lrs[i]` = PyTorch `get_last_lr()[0]` after i calls of `scheduler.step()`; transformers
 * `lr · λ(i)`; optax `schedule(i)`; ReduceLROnPlateau `lrs[0]` = lr, `lrs[k+1]` = lr after `step(metrics[k])`.
 */
import { isObject, Args, type Json, type JsonObject } from './args.js';
import { ScheduleError, pyRepr } from './errors.js';
import { buildHf } from './hf.js';
import { buildOptax } from './optax/build.js';
import { SCHEDULE_TYPES } from './table.js';
import { PLATEAU_TYPES, buildSched } from './torch/build.js';
import { makeOptimizer } from './torch/engine.js';
import { parsePlateau, simulatePlateau, type PlateauParams } from './torch/plateau.js';
import type { ScheduleSpec } from './types.js';

export interface SimulateOptions {
  /** ReduceLROnPlateau only: the metric passed to each `step(metrics)` */
  metrics?: number[];
}

export interface SimulateResult {
  lrs: number[];
  /** present when a scheduler cycles momentum (CyclicLR / OneCycleLR with cycle_momentum): SGD momentum or Adam beta1 */
  momentum?: number[];
}

/** Schedules that set the optimizer's lr themselves, so `lr` may be omitted at the top level. */
const LR_OPTIONAL = new Set(['CyclicLR', 'OneCycleLR']);

function readLr(spec: JsonObject, type: string): number {
  const v = spec.lr;
  if (v === undefined && LR_OPTIONAL.has(type)) return 0.001; // any value: the scheduler overwrites it
  if (v === undefined) {
    throw new ScheduleError('/schedule/lr', `${type} needs the optimizer's learning rate: add lr (the base LR the schedule scales)`, 'TypeError');
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ScheduleError('/schedule/lr', `lr must be a finite number, got ${pyRepr(v)}`, 'TypeError');
  if (v < 0) throw new ScheduleError('/schedule/lr', `Invalid learning rate: ${pyRepr(v)}`); // torch.optim.SGD
  return v;
}

function checkFinite(xs: number[], what: string): void {
  const i = xs.findIndex((x) => !Number.isFinite(x));
  if (i >= 0) {
    throw new ScheduleError('/schedule', `the ${what} is not finite at step ${i} (${pyRepr(xs[i])}); JSON cannot carry it`, 'LimitError');
  }
}

function plateauParams(spec: JsonObject, type: string, lr: number): PlateauParams {
  if (type === 'ReduceLROnPlateau') {
    const a = new Args(spec, '/schedule', 'ReduceLROnPlateau.__init__');
    a.accept('lr');
    const p = parsePlateau(a);
    a.finish();
    return p;
  }
  const r = buildHf(spec, '/schedule', lr);
  if (!('plateau' in r)) throw new Error('unreachable');
  return r.plateau;
}

export function simulateSchedule(spec: ScheduleSpec, steps: number, opts: SimulateOptions = {}): SimulateResult {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1) {
    throw new ScheduleError('/steps', `steps must be an integer >= 1, got ${pyRepr(steps)}`, 'LimitError');
  }
  const raw = spec as unknown as Json;
  if (!isObject(raw)) throw new ScheduleError('/schedule', 'schedule must be an object with a `type`', 'TypeError');
  const type = raw.type;
  if (typeof type !== 'string' || SCHEDULE_TYPES[type] === undefined) {
    throw new ScheduleError(
      '/schedule/type',
      `${typeof type === 'string' ? `'${type}'` : pyRepr(type ?? null)} is not a valid schedule type, please select one of [${Object.keys(SCHEDULE_TYPES).map((t) => `'${t}'`).join(', ')}]`,
    );
  }
  const family = SCHEDULE_TYPES[type];
  const isPlateau = PLATEAU_TYPES.includes(type);
  const metrics = opts.metrics;
  if (metrics !== undefined && !isPlateau) {
    throw new ScheduleError('/metrics', `metrics are only used by ReduceLROnPlateau, not by ${type}`, 'TypeError');
  }

  if (family === 'optax') {
    if (raw.lr !== undefined) {
      throw new ScheduleError('/schedule/lr', `optax schedules carry their own values (init_value, peak_value, ...): ${type}() got an unexpected keyword argument 'lr'`, 'TypeError');
    }
    const schedule = buildOptax(raw, '/schedule');
    const lrs = Array.from({ length: steps }, (_, i) => schedule(i));
    checkFinite(lrs, 'value');
    return { lrs };
  }

  const lr = readLr(raw, type);
  if (isPlateau) {
    const p = plateauParams(raw, type, lr);
    if (metrics === undefined) throw new ScheduleError('/metrics', 'ReduceLROnPlateau needs metrics: the value passed to each step(metrics)', 'TypeError');
    metrics.forEach((m, i) => {
      if (typeof m !== 'number' || !Number.isFinite(m)) throw new ScheduleError(`/metrics/${i}`, `metrics[${i}] must be a finite number`, 'TypeError');
    });
    if (steps > metrics.length + 1) {
      throw new ScheduleError('/steps', `steps = ${steps} needs ${steps - 1} metrics (one per step after the first), got ${metrics.length}`, 'LimitError');
    }
    const lrs = simulatePlateau(p, lr, metrics, steps);
    checkFinite(lrs, 'learning rate');
    return { lrs };
  }

  const opt = makeOptimizer(lr);
  const sched = buildSched(raw, '/schedule', opt, false);
  const withMomentum = [...sched.walk()].some((s) => s.cyclesMomentum);
  const lrs = [sched.get_last_lr()];
  const momentum = [opt.group.momentum];
  for (let i = 1; i < steps; i++) {
    sched.step();
    lrs.push(sched.get_last_lr());
    momentum.push(opt.group.momentum);
  }
  checkFinite(lrs, 'learning rate');
  if (!withMomentum) return { lrs };
  checkFinite(momentum, 'momentum');
  return { lrs, momentum };
}
