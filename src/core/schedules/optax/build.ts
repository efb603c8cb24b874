/**
 * optax schedule specs → schedule functions. `type` is the optax function name, the other keys are
 * its keyword arguments verbatim; `boundaries_and_scales` is a JSON object whose keys are integer
 * step counts (`{"100": 0.1}`), sorted numerically as optax sorts its int keys.
 */
import { Args, isObject, type Json, type JsonObject } from '../args.js';
import { ScheduleError, pyTypeName } from '../errors.js';
import * as o from './fns.js';
import { own } from '../../own.js';

type Builder = (a: Args) => o.Schedule;

function boundaries(a: Args, key: string): Map<number, number> | null {
  const raw = a.raw(key);
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) {
    throw new ScheduleError(
      a.at(key),
      `${key} must be an object mapping step counts to scales, got ${pyTypeName(raw)}`,
      'TypeError',
    );
  }
  const m = new Map<number, number>();
  for (const [k, v] of Object.entries(raw)) {
    const at = `${a.at(key)}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!/^-?\d+$/.test(k))
      throw new ScheduleError(at, `${key} keys must be integer step counts, got '${k}'`, 'TypeError');
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new ScheduleError(at, `${key}['${k}'] must be a finite number`, 'TypeError');
    m.set(Number(k), v);
  }
  return m;
}

const endValue = (a: Args): number | null => a.optNum('end_value');

export const OPTAX_BUILDERS: Readonly<Record<string, Builder>> = {
  constant_schedule: (a) => o.constantSchedule(a.num('value')),
  polynomial_schedule: (a) => {
    a.require('init_value', 'end_value', 'power', 'transition_steps');
    return o.polynomialSchedule(
      a.num('init_value'),
      a.num('end_value'),
      a.num('power'),
      a.num('transition_steps'),
      a.num('transition_begin', 0),
    );
  },
  linear_schedule: (a) => {
    a.require('init_value', 'end_value', 'transition_steps');
    return o.linearSchedule(
      a.num('init_value'),
      a.num('end_value'),
      a.num('transition_steps'),
      a.num('transition_begin', 0),
    );
  },
  piecewise_constant_schedule: (a) =>
    o.piecewiseConstantSchedule(
      a.num('init_value'),
      boundaries(a, 'boundaries_and_scales'),
      a.at('boundaries_and_scales'),
    ),
  exponential_decay: (a) => {
    a.require('init_value', 'transition_steps', 'decay_rate');
    return o.exponentialDecay(
      a.num('init_value'),
      a.num('transition_steps'),
      a.num('decay_rate'),
      a.num('transition_begin', 0),
      a.bool('staircase', false),
      endValue(a),
    );
  },
  cosine_decay_schedule: (a) => {
    a.require('init_value', 'decay_steps');
    return o.cosineDecaySchedule(
      a.num('init_value'),
      a.num('decay_steps'),
      a.num('alpha', 0.0),
      a.num('exponent', 1.0),
      a.at('decay_steps'),
    );
  },
  piecewise_interpolate_schedule: (a) => {
    a.require('interpolate_type', 'init_value');
    return o.piecewiseInterpolateSchedule(
      a.str('interpolate_type'),
      a.num('init_value'),
      boundaries(a, 'boundaries_and_scales'),
      a.path,
    );
  },
  linear_onecycle_schedule: (a) => {
    a.require('transition_steps', 'peak_value');
    return o.linearOnecycleSchedule(
      a.num('transition_steps'),
      a.num('peak_value'),
      a.num('pct_start', 0.3),
      a.num('pct_final', 0.85),
      a.num('div_factor', 25.0),
      a.num('final_div_factor', 1e4),
      a.at('transition_steps'),
    );
  },
  cosine_onecycle_schedule: (a) => {
    a.require('transition_steps', 'peak_value');
    return o.cosineOnecycleSchedule(
      a.num('transition_steps'),
      a.num('peak_value'),
      a.num('pct_start', 0.3),
      a.num('div_factor', 25.0),
      a.num('final_div_factor', 1e4),
      a.at('transition_steps'),
    );
  },
  warmup_constant_schedule: (a) => {
    a.require('init_value', 'peak_value', 'warmup_steps');
    return o.warmupConstantSchedule(a.num('init_value'), a.num('peak_value'), a.num('warmup_steps'));
  },
  warmup_cosine_decay_schedule: (a) => {
    a.require('init_value', 'peak_value', 'warmup_steps', 'decay_steps');
    return o.warmupCosineDecaySchedule(
      a.num('init_value'),
      a.num('peak_value'),
      a.num('warmup_steps'),
      a.num('decay_steps'),
      a.num('end_value', 0.0),
      a.num('exponent', 1.0),
      a.at('decay_steps'),
    );
  },
  warmup_exponential_decay_schedule: (a) => {
    a.require('init_value', 'peak_value', 'warmup_steps', 'transition_steps', 'decay_rate');
    return o.warmupExponentialDecaySchedule(
      a.num('init_value'),
      a.num('peak_value'),
      a.num('warmup_steps'),
      a.num('transition_steps'),
      a.num('decay_rate'),
      a.num('transition_begin', 0),
      a.bool('staircase', false),
      endValue(a),
    );
  },
  // _schedule.py sgdr_schedule: warmup_cosine_decay cycles joined at the running sum of decay_steps
  sgdr_schedule: (a) => {
    const list = a.list('cosine_kwargs');
    const schedules: o.Schedule[] = [];
    const bounds: number[] = [];
    let step = 0;
    list.forEach((kw, i) => {
      const path = `${a.at('cosine_kwargs')}/${i}`;
      if (!isObject(kw))
        throw new ScheduleError(
          path,
          'each cosine_kwargs item must be an object of warmup_cosine_decay_schedule arguments',
          'TypeError',
        );
      const inner = new Args({ ...kw, type: 'warmup_cosine_decay_schedule' }, path, 'warmup_cosine_decay_schedule');
      schedules.push(OPTAX_BUILDERS.warmup_cosine_decay_schedule(inner));
      inner.finish();
      bounds.push(step + (kw.decay_steps as number));
      step += kw.decay_steps as number;
    });
    if (schedules.length === 0) throw new ScheduleError(a.at('cosine_kwargs'), 'list index out of range', 'IndexError');
    return o.joinSchedules(schedules, bounds.slice(0, -1));
  },
  // _join.py join_schedules
  join_schedules: (a) => {
    const list = a.list('schedules');
    const bounds = a.numList('boundaries');
    if (list.length === 0) throw new ScheduleError(a.at('schedules'), 'list index out of range', 'IndexError');
    const schedules = list.map((s, i) => buildOptax(s, `${a.at('schedules')}/${i}`));
    return o.joinSchedules(schedules, bounds);
  },
};

/** Build any optax spec (also used for join_schedules children). */
export function buildOptax(spec: Json, path: string): o.Schedule {
  if (!isObject(spec)) throw new ScheduleError(path, 'a schedule must be an object with a `type`', 'TypeError');
  const type = spec.type;
  const builder = own(OPTAX_BUILDERS, type);
  if (typeof type !== 'string' || builder === undefined) {
    throw new ScheduleError(
      `${path}/type`,
      `children of join_schedules must be optax schedules, got ${JSON.stringify(type)}; known: ${Object.keys(OPTAX_BUILDERS).join(', ')}`,
    );
  }
  if (spec.lr !== undefined) {
    throw new ScheduleError(
      `${path}/lr`,
      `optax schedules carry their own values (init_value, peak_value, ...): ${type}() got an unexpected keyword argument 'lr'`,
      'TypeError',
    );
  }
  const a = new Args(spec as JsonObject, path, type);
  const s = builder(a);
  a.finish();
  return s;
}
