/**
 * A schedule opened for stepping: what a training loop needs when the LR is consumed one optimizer
 * step at a time (and ReduceLROnPlateau's metric only exists after each validation).
 * `lr` is the LR for the next optimizer step; `step(metric?)` is `scheduler.step()` /
 * `scheduler.step(metric)` / the optax count increment.
 */
import { Args, isObject, type JsonObject } from './args.js';
import { ScheduleError, pyRepr } from './errors.js';
import { buildHf } from './hf.js';
import { buildOptax } from './optax/build.js';
import { SCHEDULE_TYPES, type ScheduleFamily } from './table.js';
import { own } from '../own.js';
import { PLATEAU_TYPES, buildSched } from './torch/build.js';
import { makeOptimizer } from './torch/engine.js';
import { PlateauState, parsePlateau, type PlateauParams } from './torch/plateau.js';
import type { ScheduleSpec } from './types.js';

export interface ScheduleRunner {
  readonly type: string;
  readonly family: ScheduleFamily;
  /** true for ReduceLROnPlateau: `step` needs the metric */
  readonly usesMetrics: boolean;
  /** true when `momentum` is driven by the schedule (CyclicLR / OneCycleLR with cycle_momentum) */
  readonly cyclesMomentum: boolean;
  /** LR of the next optimizer step */
  readonly lr: number;
  /** SGD momentum / Adam beta1 of the next step when `cyclesMomentum`, else undefined */
  readonly momentum: number | undefined;
  /** advance one optimizer step (`metric` required for ReduceLROnPlateau, rejected otherwise) */
  step(metric?: number): void;
}

/** Is this `type` a ReduceLROnPlateau (PyTorch class or transformers name)? */
export function usesMetrics(type: string): boolean {
  return PLATEAU_TYPES.includes(type);
}

/** Schedules that set the optimizer's lr themselves, so `lr` may be omitted at the top level. */
const LR_OPTIONAL = new Set(['CyclicLR', 'OneCycleLR']);

function readLr(spec: JsonObject, type: string): number {
  const v = spec.lr;
  if (v === undefined && LR_OPTIONAL.has(type)) return 0.001; // any value: the scheduler overwrites it
  if (v === undefined) {
    throw new ScheduleError(
      '/schedule/lr',
      `${type} needs the optimizer's learning rate: add lr (the base LR the schedule scales)`,
      'TypeError',
    );
  }
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ScheduleError('/schedule/lr', `lr must be a finite number, got ${pyRepr(v)}`, 'TypeError');
  if (v < 0) throw new ScheduleError('/schedule/lr', `Invalid learning rate: ${pyRepr(v)}`); // torch.optim.SGD
  return v;
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

/** Construct a spec's scheduler (construction errors are thrown here, as in Python). */
export function openSchedule(spec: ScheduleSpec): ScheduleRunner {
  return openJson(spec);
}

/** The same for a spec as sent (any JSON), which this checks: ./parse.ts returns it typed. */
export function openJson(raw: unknown): ScheduleRunner {
  if (!isObject(raw)) throw new ScheduleError('/schedule', 'schedule must be an object with a `type`', 'TypeError');
  const type = raw.type;
  const family = own(SCHEDULE_TYPES, type);
  if (typeof type !== 'string' || family === undefined) {
    const shown = typeof type === 'string' ? `'${type}'` : pyRepr(type ?? null);
    const known = Object.keys(SCHEDULE_TYPES)
      .map((t) => `'${t}'`)
      .join(', ');
    throw new ScheduleError('/schedule/type', `${shown} is not a valid schedule type, please select one of [${known}]`);
  }
  const noMetric = (metric: number | undefined): void => {
    if (metric !== undefined)
      throw new ScheduleError('/metrics', `metrics are only used by ReduceLROnPlateau, not by ${type}`, 'TypeError');
  };

  if (family === 'optax') {
    if (raw.lr !== undefined) {
      throw new ScheduleError(
        '/schedule/lr',
        `optax schedules carry their own values (init_value, peak_value, ...): ${type}() got an unexpected keyword argument 'lr'`,
        'TypeError',
      );
    }
    const schedule = buildOptax(raw, '/schedule');
    let count = 0;
    return {
      type,
      family,
      usesMetrics: false,
      cyclesMomentum: false,
      momentum: undefined,
      get lr() {
        return schedule(count);
      },
      step(metric?: number) {
        noMetric(metric);
        count += 1;
      },
    };
  }

  const lr0 = readLr(raw, type);
  if (usesMetrics(type)) {
    const state = new PlateauState(plateauParams(raw, type, lr0), lr0);
    return {
      type,
      family,
      usesMetrics: true,
      cyclesMomentum: false,
      momentum: undefined,
      get lr() {
        return state.lr;
      },
      step(metric?: number) {
        if (typeof metric !== 'number' || !Number.isFinite(metric)) {
          throw new ScheduleError('/metrics', 'ReduceLROnPlateau.step needs a finite metric', 'TypeError');
        }
        state.step(metric);
      },
    };
  }

  const opt = makeOptimizer(lr0);
  const sched = buildSched(raw, '/schedule', opt, false);
  const cycles = [...sched.walk()].some((s) => s.cyclesMomentum);
  return {
    type,
    family,
    usesMetrics: false,
    cyclesMomentum: cycles,
    get lr() {
      return sched.get_last_lr();
    },
    get momentum() {
      return cycles ? opt.group.momentum : undefined;
    },
    step(metric?: number) {
      noMetric(metric);
      sched.step();
    },
  };
}
