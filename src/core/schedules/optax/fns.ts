/**
 * optax schedules (optax/schedules/_schedule.py and _join.py), as pure functions of the step
 * count (an int32, as in an optimizer's state), computed in float32 like JAX.
 * Each factory raises where optax raises (at construction) and returns `count → value`.
 */
import { ScheduleError } from '../errors.js';
import { PI32, add, cos, div, f, mul, pow, sub } from './f32.js';

export type Schedule = (count: number) => number;

// _schedule.py constant_schedule
export const constantSchedule =
  (value: number): Schedule =>
  () =>
    value;

// _schedule.py polynomial_schedule
export function polynomialSchedule(init: number, end: number, power: number, T: number, B = 0): Schedule {
  if (T <= 0) return () => init;
  const begin = B < 0 ? 0 : B;
  return (count) => {
    const c = Math.min(Math.max(count - begin, 0), T); // jnp.clip
    const frac = sub(1, div(c, T));
    return add(mul(sub(init, end), pow(frac, power)), end);
  };
}

// _schedule.py linear_schedule
export const linearSchedule = (init: number, end: number, T: number, B = 0): Schedule =>
  polynomialSchedule(init, end, 1, T, B);

function sortedPairs(bs: ReadonlyMap<number, number>): [number, number][] {
  return [...bs.entries()].sort((x, y) => x[0] - y[0]);
}

// _schedule.py piecewise_constant_schedule
export function piecewiseConstantSchedule(
  init: number,
  bs: ReadonlyMap<number, number> | null,
  path: string,
): Schedule {
  if (bs !== null && [...bs.values()].some((s) => !(s >= 0.0))) {
    throw new ScheduleError(path, '`piecewise_constant_schedule` expects non-negative scale factors');
  }
  const pairs = bs === null ? [] : sortedPairs(bs);
  return (count) => {
    let v = init;
    for (const [threshold, scale] of pairs) {
      const indicator = Math.max(0.0, Math.sign(threshold - count));
      v = indicator === 1 ? add(mul(v, 1), mul(mul(0, scale), v)) : add(mul(v, 0), mul(mul(1, scale), v));
    }
    return f(v);
  };
}

// _schedule.py exponential_decay
export function exponentialDecay(
  init: number,
  T: number,
  rate: number,
  B = 0,
  staircase = false,
  end: number | null = null,
): Schedule {
  if (T <= 0 || rate === 0) return () => init;
  const begin = B < 0 ? 0 : B;
  const clip = end === null ? null : rate < 1.0 ? Math.max : Math.min;
  return (count) => {
    const d = count - begin;
    let p = div(d, T);
    if (staircase) p = Math.floor(p);
    let v = d <= 0 ? f(init) : mul(init, f(Math.pow(f(rate), p)));
    if (clip !== null) v = clip(v, f(end as number));
    return v;
  };
}

// _schedule.py cosine_decay_schedule
export function cosineDecaySchedule(init: number, D: number, alpha = 0.0, exponent = 1.0, path = ''): Schedule {
  if (!(D > 0)) {
    throw new ScheduleError(path, `The cosine_decay_schedule requires positive decay_steps, got decay_steps=${D}.`);
  }
  return (count) => {
    const c = f(Math.min(count, D));
    const cosine_decay = mul(0.5, add(1, cos(div(mul(PI32, c), D))));
    const decayed = add(mul(1 - alpha, pow(cosine_decay, exponent)), alpha);
    return mul(init, decayed);
  };
}

// _schedule.py _linear_interpolate / _cosine_interpolate
const linearInterp = (start: number, end: number, pct: number): number => add(mul(sub(end, start), pct), start);
const cosineInterp = (start: number, end: number, pct: number): number =>
  add(end, mul(div(sub(start, end), 2.0), add(cos(mul(PI32, pct)), 1)));

// _schedule.py piecewise_interpolate_schedule
export function piecewiseInterpolateSchedule(
  type: string,
  init: number,
  bs: ReadonlyMap<number, number> | null,
  path: string,
): Schedule {
  let interp: typeof linearInterp;
  if (type === 'linear') interp = linearInterp;
  else if (type === 'cosine') interp = cosineInterp;
  else throw new ScheduleError(`${path}/interpolate_type`, "`interpolate_type` must be either 'cosine' or 'linear'");
  const pairs = bs === null ? [] : sortedPairs(bs);
  if (pairs.some(([, s]) => !(s >= 0.0))) {
    throw new ScheduleError(
      `${path}/boundaries_and_scales`,
      '`piecewise_interpolate_schedule` expects non-negative scale factors',
    );
  }
  const bounds = [0, ...pairs.map((p) => p[0])];
  const values = [f(init)];
  for (const [, s] of pairs) values.push(mul(values[values.length - 1], s)); // jnp.cumprod
  return (count) => {
    let dot = 0;
    for (let i = 0; i + 1 < bounds.length; i++) {
      if (bounds[i] <= count && count < bounds[i + 1]) {
        const size = Math.max(bounds[i + 1] - bounds[i], 1);
        const pct = div(count - bounds[i], size);
        dot = add(dot, interp(values[i], values[i + 1], pct));
      }
    }
    return add(dot, bounds[bounds.length - 1] <= count ? values[values.length - 1] : 0);
  };
}

/** Python dict literal semantics: a repeated key keeps its first position and its last value. */
function dict(entries: [number, number][]): Map<number, number> {
  const m = new Map<number, number>();
  for (const [k, v] of entries) m.set(k, v);
  return m;
}

// _schedule.py linear_onecycle_schedule
export function linearOnecycleSchedule(
  T: number,
  peak: number,
  pct_start = 0.3,
  pct_final = 0.85,
  div_factor = 25.0,
  final_div_factor = 1e4,
  path = '',
): Schedule {
  if (T <= 0)
    throw new ScheduleError(path, 'A linear onecycle schedule was set with a non-positive `transition_steps`');
  return piecewiseInterpolateSchedule(
    'linear',
    peak / div_factor,
    dict([
      [Math.trunc(pct_start * T), div_factor],
      [Math.trunc(pct_final * T), 1.0 / div_factor],
      [T, 1.0 / final_div_factor],
    ]),
    path,
  );
}

// _schedule.py cosine_onecycle_schedule
export function cosineOnecycleSchedule(
  T: number,
  peak: number,
  pct_start = 0.3,
  div_factor = 25.0,
  final_div_factor = 1e4,
  path = '',
): Schedule {
  if (T <= 0)
    throw new ScheduleError(path, 'A cosine onecycle schedule was set with a non-positive `transition_steps`');
  return piecewiseInterpolateSchedule(
    'cosine',
    peak / div_factor,
    dict([
      [Math.trunc(pct_start * T), div_factor],
      [Math.trunc(T), 1.0 / (div_factor * final_div_factor)],
    ]),
    path,
  );
}

// _join.py join_schedules: piece i+1 sees `step - boundaries[i]`
export function joinSchedules(schedules: Schedule[], boundaries: number[]): Schedule {
  return (step) => {
    let out = f(schedules[0](step));
    for (let i = 0; i < boundaries.length && i + 1 < schedules.length; i++) {
      if (!(step < boundaries[i])) out = f(schedules[i + 1](step - boundaries[i]));
    }
    return out;
  };
}

// _schedule.py warmup_constant_schedule
export const warmupConstantSchedule = (init: number, peak: number, W: number): Schedule =>
  linearSchedule(init, peak, W);

// _schedule.py warmup_cosine_decay_schedule
export function warmupCosineDecaySchedule(
  init: number,
  peak: number,
  W: number,
  D: number,
  end = 0.0,
  exponent = 1.0,
  path = '',
): Schedule {
  const alpha = peak === 0.0 ? 0.0 : end / peak;
  return joinSchedules([linearSchedule(init, peak, W), cosineDecaySchedule(peak, D - W, alpha, exponent, path)], [W]);
}

// _schedule.py warmup_exponential_decay_schedule
export function warmupExponentialDecaySchedule(
  init: number,
  peak: number,
  W: number,
  T: number,
  rate: number,
  B = 0,
  staircase = false,
  end: number | null = null,
): Schedule {
  return joinSchedules([linearSchedule(init, peak, W), exponentialDecay(peak, T, rate, B, staircase, end)], [W]);
}
