/**
 * Hugging Face transformers schedules (src/transformers/optimization.py): every helper returns
 * `LambdaLR(optimizer, λ)`, so `lrs[i] = lr · λ(i)`. Accepted both by `lr_scheduler_type` name
 * (through `get_scheduler`'s rules: which arguments it requires, passes or drops) and by function name.
 */
import { Args } from './args.js';
import { ScheduleError, pyDiv, pyLiteral, pyMod, pyPow, pyRepr } from './errors.js';
import { parsePlateau, type PlateauParams } from './torch/plateau.js';
import { own } from '../own.js';

/** `lr_scheduler_type` (SchedulerType value) → function name, as TYPE_TO_SCHEDULER_FUNCTION. */
export const HF_NAMES: Readonly<Record<string, string>> = {
  linear: 'get_linear_schedule_with_warmup',
  cosine: 'get_cosine_schedule_with_warmup',
  cosine_with_restarts: 'get_cosine_with_hard_restarts_schedule_with_warmup',
  polynomial: 'get_polynomial_decay_schedule_with_warmup',
  constant: 'get_constant_schedule',
  constant_with_warmup: 'get_constant_schedule_with_warmup',
  inverse_sqrt: 'get_inverse_sqrt_schedule',
  reduce_lr_on_plateau: 'get_reduce_on_plateau_schedule',
  cosine_with_min_lr: 'get_cosine_with_min_lr_schedule_with_warmup',
  cosine_warmup_with_min_lr: 'get_cosine_with_min_lr_schedule_with_warmup_lr_rate',
  warmup_stable_decay: 'get_wsd_schedule',
};

type Lambda = (t: number) => number;
export type HfResult = { lambda: Lambda } | { plateau: PlateauParams };

const warm = (t: number, W: number): number => t / Math.max(1.0, W);
const W_ = 'num_warmup_steps';
const N_ = 'num_training_steps';

function pySqrt(x: number, path: string): number {
  if (x < 0) throw new ScheduleError(path, 'math domain error');
  return Math.sqrt(x);
}

/** Each function: read its arguments (Python call rules), return λ. `lr` = optimizer.defaults["lr"]. */
const FUNCTIONS: Record<string, (a: Args, lr: number) => HfResult> = {
  // optimization.py _get_constant_lambda
  get_constant_schedule: () => ({ lambda: () => 1 }),

  // optimization.py _get_constant_schedule_with_warmup_lr_lambda
  get_constant_schedule_with_warmup: (a) => {
    a.require(W_);
    const W = a.num(W_);
    return { lambda: (t) => (t < W ? warm(t, W) : 1.0) };
  },

  // optimization.py _get_linear_schedule_with_warmup_lr_lambda
  get_linear_schedule_with_warmup: (a) => {
    a.require(W_, N_);
    const W = a.num(W_);
    const N = a.num(N_);
    return { lambda: (t) => (t < W ? warm(t, W) : Math.max(0.0, (N - t) / Math.max(1, N - W))) };
  },

  // optimization.py _get_cosine_schedule_with_warmup_lr_lambda
  get_cosine_schedule_with_warmup: (a) => {
    a.require(W_, N_);
    const W = a.num(W_);
    const N = a.num(N_);
    const c = a.num('num_cycles', 0.5);
    return {
      lambda: (t) => {
        if (t < W) return warm(t, W);
        const progress = (t - W) / Math.max(1, N - W);
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * c * 2.0 * progress)));
      },
    };
  },

  // optimization.py _get_cosine_with_hard_restarts_schedule_with_warmup_lr_lambda
  get_cosine_with_hard_restarts_schedule_with_warmup: (a) => {
    a.require(W_, N_);
    const W = a.num(W_);
    const N = a.num(N_);
    const c = a.num('num_cycles', 1);
    return {
      lambda: (t) => {
        if (t < W) return warm(t, W);
        const progress = (t - W) / Math.max(1, N - W);
        if (progress >= 1.0) return 0.0;
        return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * pyMod(c * progress, 1.0, a.at('num_cycles')))));
      },
    };
  },

  // optimization.py get_polynomial_decay_schedule_with_warmup / _get_polynomial_decay_schedule_with_warmup_lr_lambda
  get_polynomial_decay_schedule_with_warmup: (a, lr_init) => {
    a.require(W_, N_);
    const W = a.num(W_);
    const N = a.num(N_);
    const lr_end = a.num('lr_end', 1e-7);
    const power = a.num('power', 1.0);
    if (!(lr_init > lr_end)) {
      throw new ScheduleError(
        a.at('lr_end'),
        `lr_end (${pyRepr(lr_end)}) must be smaller than initial lr (${pyRepr(lr_init)})`,
      );
    }
    return {
      lambda: (t) => {
        if (t < W) return warm(t, W);
        if (t > N) return lr_end / lr_init;
        const lr_range = lr_init - lr_end;
        const decay_steps = N - W;
        const pct_remaining = 1 - pyDiv(t - W, decay_steps, a.at(N_));
        const decay = lr_range * pyPow(pct_remaining, power, a.at('power')) + lr_end;
        return decay / lr_init;
      },
    };
  },

  // optimization.py get_inverse_sqrt_schedule / _get_inverse_sqrt_schedule_lr_lambda
  get_inverse_sqrt_schedule: (a) => {
    a.require(W_);
    const W = a.num(W_);
    const given = a.optNum('timescale');
    const timescale = given ?? (W || 10_000);
    return {
      lambda: (t) => {
        if (t < W) return warm(t, W);
        const shift = timescale - W;
        return pyDiv(1.0, pySqrt(pyDiv(t + shift, timescale, a.at('timescale')), a.at('timescale')), a.at('timescale'));
      },
    };
  },

  // optimization.py get_cosine_with_min_lr_schedule_with_warmup / _get_cosine_schedule_with_warmup_lr_lambda
  get_cosine_with_min_lr_schedule_with_warmup: (a, lr) => {
    a.require(W_, N_);
    const W = a.num(W_);
    const N = a.num(N_);
    const c = a.num('num_cycles', 0.5);
    const r = minLrRate(a, lr);
    return {
      lambda: (t) => {
        if (t < W) return warm(t, W);
        const progress = (t - W) / Math.max(1, N - W);
        let factor = 0.5 * (1.0 + Math.cos(Math.PI * c * 2.0 * progress));
        factor = factor * (1 - r) + r;
        return Math.max(0, factor);
      },
    };
  },

  // optimization.py get_cosine_with_min_lr_schedule_with_warmup_lr_rate /
  // _get_cosine_with_min_lr_schedule_with_warmup_lr_rate_lambda
  get_cosine_with_min_lr_schedule_with_warmup_lr_rate: (a, lr) => {
    a.require(W_, N_);
    const W = a.num(W_);
    const N = a.num(N_);
    const c = a.num('num_cycles', 0.5);
    const r = minLrRate(a, lr);
    const wr = a.optNum('warmup_lr_rate');
    return {
      lambda: (t) => {
        if (t < W) {
          if (wr === null) return (t + 1) / Math.max(1, W);
          return wr + ((1.0 - wr) * t) / Math.max(1, W - 1);
        }
        const progress = (t - W + 1) / Math.max(1, N - W);
        let factor = 0.5 * (1.0 + Math.cos(Math.PI * c * 2.0 * progress));
        factor = factor * (1 - r) + r;
        return Math.max(0, factor);
      },
    };
  },

  // optimization.py get_wsd_schedule / _get_wsd_scheduler_lambda
  get_wsd_schedule: (a) => {
    a.require(W_, 'num_decay_steps');
    const W = a.num(W_);
    const D = a.num('num_decay_steps');
    const N = a.optNum(N_);
    const S0 = a.optNum('num_stable_steps');
    const warmup_type = a.str('warmup_type', 'linear');
    const decay_type = a.str('decay_type', 'cosine');
    const m = a.num('min_lr_ratio', 0);
    const c = a.num('num_cycles', 0.5);
    if (N === null && S0 === null) {
      throw new ScheduleError(a.at(N_), 'Either num_training_steps or num_stable_steps must be specified.');
    }
    const kinds = ['linear', 'cosine', '1-sqrt'];
    if (!kinds.includes(warmup_type)) {
      throw new ScheduleError(
        a.at('warmup_type'),
        `Unknown warmup type: ${warmup_type}, expected 'linear', 'cosine' or '1-sqrt'`,
      );
    }
    if (!kinds.includes(decay_type)) {
      throw new ScheduleError(
        a.at('decay_type'),
        `Unknown decay type: ${decay_type}, expected 'linear', 'cosine' or '1-sqrt'`,
      );
    }
    const S = S0 ?? (N as number) - W - D;
    return {
      lambda: (t) => {
        if (t < W) {
          const progress = t / Math.max(1, W);
          let factor =
            warmup_type === 'linear'
              ? progress
              : warmup_type === 'cosine'
                ? 0.5 * (1.0 - Math.cos(Math.PI * progress))
                : 1.0 - Math.sqrt(1.0 - progress);
          factor = factor * (1.0 - m) + m;
          return Math.max(0.0, factor);
        }
        if (t < W + S) return 1.0;
        if (t < W + S + D) {
          const progress = (t - W - S) / Math.max(1, D);
          let factor =
            decay_type === 'linear'
              ? 1.0 - progress
              : decay_type === 'cosine'
                ? 0.5 * (1.0 + Math.cos(Math.PI * c * 2.0 * progress))
                : 1.0 - Math.sqrt(progress);
          factor = factor * (1.0 - m) + m;
          return Math.max(0.0, factor);
        }
        return m;
      },
    };
  },

  // optimization.py get_reduce_on_plateau_schedule: ReduceLROnPlateau(optimizer, **kwargs)
  get_reduce_on_plateau_schedule: (a) => ({ plateau: parsePlateau(a) }),
};

function minLrRate(a: Args, lr: number): number {
  const min_lr = a.optNum('min_lr');
  const min_lr_rate = a.optNum('min_lr_rate');
  if (min_lr !== null && min_lr_rate !== null)
    throw new ScheduleError(a.at('min_lr'), 'Only one of min_lr or min_lr_rate should be set');
  if (min_lr !== null) return pyDiv(min_lr, lr, a.at('min_lr'));
  if (min_lr_rate === null) {
    throw new ScheduleError(
      a.at('min_lr_rate'),
      'One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`',
    );
  }
  return min_lr_rate;
}

export const HF_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

/** `type` given as a function name (`get_cosine_schedule_with_warmup`): call it with the spec's kwargs. */
function callFunction(fn: string, obj: Record<string, unknown>, path: string, lr: number): HfResult {
  const a = new Args(obj as never, path, fn);
  a.accept('lr');
  a.unsupported('last_epoch', 'resuming is not simulated; every schedule starts at step 0');
  const build = own(FUNCTIONS, fn);
  if (build === undefined) throw new ScheduleError(`${path}/type`, `${pyLiteral(fn)} is not a transformers schedule`);
  const r = build(a, lr);
  a.finish();
  return r;
}

// optimization.py get_scheduler: which arguments each SchedulerType requires, passes on or drops
function viaGetScheduler(name: string, obj: Record<string, unknown>, path: string, lr: number): HfResult {
  const fn = own(HF_NAMES, name) as string;
  const has = (k: string): boolean => obj[k] !== undefined && obj[k] !== null;
  const specific = Object.keys(obj).filter((k) => !['type', 'lr', W_, N_].includes(k));
  const dropped = (why: string): void => {
    if (specific.length > 0) {
      throw new ScheduleError(
        `${path}/${specific[0]}`,
        `get_scheduler(${pyLiteral(name)}) does not pass scheduler_specific_kwargs to ${fn} (${why}); use type ${pyLiteral(fn)} to set ${specific[0]}`,
        'TypeError',
      );
    }
  };
  if (name === 'constant') {
    if (has(W_) && obj[W_] !== 0) {
      throw new ScheduleError(
        `${path}/${W_}`,
        "get_scheduler('constant') ignores num_warmup_steps (transformers calls get_constant_schedule(optimizer)); use 'constant_with_warmup'",
        'TypeError',
      );
    }
    dropped('it calls get_constant_schedule(optimizer)');
    return callFunction(fn, { type: fn }, path, lr);
  }
  if (name === 'reduce_lr_on_plateau') {
    const rest = Object.fromEntries(Object.entries(obj).filter(([k]) => k !== W_ && k !== N_));
    return callFunction(fn, rest, path, lr);
  }
  if (!has(W_))
    throw new ScheduleError(`${path}/${W_}`, `${name} requires \`num_warmup_steps\`, please provide that argument.`);
  if (name === 'constant_with_warmup' || name === 'inverse_sqrt') {
    dropped('it passes num_warmup_steps only');
    return callFunction(fn, { type: fn, [W_]: obj[W_] } as never, path, lr);
  }
  if (name !== 'warmup_stable_decay' && !has(N_)) {
    throw new ScheduleError(`${path}/${N_}`, `${name} requires \`num_training_steps\`, please provide that argument.`);
  }
  return callFunction(fn, obj, path, lr);
}

/** Build a transformers schedule from its spec; `lr` is the optimizer's (defaults) lr. */
export function buildHf(obj: Record<string, unknown>, path: string, lr: number): HfResult {
  const type = obj.type as string;
  if (own(HF_NAMES, type) !== undefined) return viaGetScheduler(type, obj, path, lr);
  return callFunction(type, obj, path, lr);
}
