/**
 * PyTorch scheduler classes whose lr is a function of (last_epoch, current lr, base lr):
 * each entry is the class's `__init__` argument handling plus its `get_lr` (chainable form) and
 * `_get_closed_form_lr`, transcribed from torch/optim/lr_scheduler.py (main, 2025) keeping Python's
 * operation order so results agree to the last bit or two.
 */
import type { Args } from '../args.js';
import { ScheduleError, bisectRight, pyDiv, pyFloorDiv, pyMod, pyPow, pyRepr, pyTypeName } from '../errors.js';
import type { Basic, ClassDef } from './engine.js';

export interface TorchClass<P> {
  /** read and validate the keyword arguments (what `__init__` checks before touching the optimizer) */
  parse(a: Args): P;
  def: ClassDef<P>;
  /** the class's own extra state (T_cur, T_i, ...) */
  state?(p: P): Record<string, number>;
}

export function defineClass<P>(c: TorchClass<P>): TorchClass<unknown> {
  return c as unknown as TorchClass<unknown>;
}

const cur = (s: Basic<unknown>): number => s.group.lr;

// torch/optim/lr_scheduler.py StepLR.get_lr / _get_closed_form_lr
export const StepLR = defineClass({
  parse: (a) => ({ step_size: a.num('step_size'), gamma: a.num('gamma', 0.1), at: a.at('step_size') }),
  def: {
    getLr(s) {
      const { step_size, gamma, at } = s.p;
      if (s.last_epoch === 0 || pyMod(s.last_epoch, step_size, at) !== 0) return cur(s);
      return cur(s) * gamma;
    },
    closed: (s) => s.base_lr * pyPow(s.p.gamma, pyFloorDiv(s.last_epoch, s.p.step_size, s.p.at), `${s.path}/gamma`),
  },
});

// torch/optim/lr_scheduler.py MultiStepLR.get_lr / _get_closed_form_lr (milestones is a Counter)
export const MultiStepLR = defineClass({
  parse: (a) => {
    const milestones = a.numList('milestones');
    const counts = new Map<number, number>();
    for (const m of milestones) counts.set(m, (counts.get(m) ?? 0) + 1);
    return { counts, sorted: [...milestones].sort((x, y) => x - y), gamma: a.num('gamma', 0.1) };
  },
  def: {
    getLr(s) {
      const n = s.p.counts.get(s.last_epoch);
      if (n === undefined) return cur(s);
      return cur(s) * pyPow(s.p.gamma, n, `${s.path}/gamma`);
    },
    closed: (s) => s.base_lr * pyPow(s.p.gamma, bisectRight(s.p.sorted, s.last_epoch), `${s.path}/gamma`),
  },
});

// torch/optim/lr_scheduler.py ConstantLR.__init__ / get_lr / _get_closed_form_lr
export const ConstantLR = defineClass({
  parse: (a) => {
    const factor = a.num('factor', 1.0 / 3);
    const total_iters = a.num('total_iters', 5);
    if (factor > 1.0 || factor < 0) {
      throw new ScheduleError(a.at('factor'), 'Constant multiplicative factor expected to be between 0 and 1.');
    }
    return { factor, total_iters, at: a.at('factor') };
  },
  def: {
    getLr(s) {
      const { factor, total_iters, at } = s.p;
      if (s.last_epoch === 0) return cur(s) * factor;
      if (s.last_epoch !== total_iters) return cur(s);
      return cur(s) * pyDiv(1.0, factor, at);
    },
    closed: (s) => s.base_lr * (s.p.factor + Number(s.last_epoch >= s.p.total_iters) * (1 - s.p.factor)),
  },
});

// torch/optim/lr_scheduler.py LinearLR.__init__ / get_lr / _get_closed_form_lr
export const LinearLR = defineClass({
  parse: (a) => {
    const start_factor = a.num('start_factor', 1.0 / 3);
    const end_factor = a.num('end_factor', 1.0);
    const total_iters = a.num('total_iters', 5);
    if (start_factor > 1.0 || start_factor <= 0) {
      throw new ScheduleError(
        a.at('start_factor'),
        'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.',
      );
    }
    if (end_factor > 1.0 || end_factor < 0) {
      throw new ScheduleError(a.at('end_factor'), 'Ending multiplicative factor expected to be between 0 and 1.');
    }
    return { start_factor, end_factor, total_iters, at: a.at('total_iters') };
  },
  def: {
    getLr(s) {
      const { start_factor: sf, end_factor: ef, total_iters: T, at } = s.p;
      if (s.last_epoch === 0) return cur(s) * sf;
      if (s._is_initial || s.last_epoch > T) return cur(s);
      return cur(s) * (1.0 + pyDiv(ef - sf, T * sf + (s.last_epoch - 1) * (ef - sf), at));
    },
    closed: (s) => {
      const { start_factor: sf, end_factor: ef, total_iters: T, at } = s.p;
      return s.base_lr * (sf + pyDiv((ef - sf) * Math.min(T, s.last_epoch), T, at));
    },
  },
});

// torch/optim/lr_scheduler.py ExponentialLR.get_lr / _get_closed_form_lr
export const ExponentialLR = defineClass({
  parse: (a) => ({ gamma: a.num('gamma') }),
  def: {
    getLr: (s) => (s._is_initial ? cur(s) : cur(s) * s.p.gamma),
    closed: (s) => s.base_lr * pyPow(s.p.gamma, s.last_epoch, `${s.path}/gamma`),
  },
});

// torch/optim/lr_scheduler.py PolynomialLR.get_lr / _get_closed_form_lr
export const PolynomialLR = defineClass({
  parse: (a) => ({ total_iters: a.num('total_iters', 5), power: a.num('power', 1.0), at: a.at('total_iters') }),
  def: {
    getLr(s) {
      const { total_iters: T, power, at } = s.p;
      if (s._is_initial || s.last_epoch > T) return cur(s);
      const t = s.last_epoch;
      const ratio = pyDiv(1.0 - pyDiv(t, T, at), 1.0 - pyDiv(t - 1, T, at), at);
      return cur(s) * pyPow(ratio, power, `${s.path}/power`);
    },
    closed: (s) => {
      const { total_iters: T, power, at } = s.p;
      return s.base_lr * pyPow(1.0 - pyDiv(Math.min(T, s.last_epoch), T, at), power, `${s.path}/power`);
    },
  },
});

// torch/optim/lr_scheduler.py CosineAnnealingLR.get_lr / _get_closed_form_lr (recursive, chainable form)
export const CosineAnnealingLR = defineClass({
  parse: (a) => ({ T_max: a.num('T_max'), eta_min: a.num('eta_min', 0.0), at: a.at('T_max') }),
  def: {
    getLr(s) {
      const { T_max, eta_min, at } = s.p;
      const t = s.last_epoch;
      if (s._is_initial) return cur(s);
      if (s._step_count === 1 && t > 0) {
        return eta_min + ((s.base_lr - eta_min) * (1 + Math.cos(pyDiv(t * Math.PI, T_max, at)))) / 2;
      }
      if (pyMod(t - 1 - T_max, 2 * T_max, at) === 0) {
        return cur(s) + ((s.base_lr - eta_min) * (1 - Math.cos(pyDiv(Math.PI, T_max, at)))) / 2;
      }
      return (
        pyDiv(1 + Math.cos(pyDiv(Math.PI * t, T_max, at)), 1 + Math.cos(pyDiv(Math.PI * (t - 1), T_max, at)), at) *
          (cur(s) - eta_min) +
        eta_min
      );
    },
    closed: (s) => {
      const { T_max, eta_min, at } = s.p;
      return eta_min + ((s.base_lr - eta_min) * (1 + Math.cos(pyDiv(Math.PI * s.last_epoch, T_max, at)))) / 2;
    },
  },
});

// torch/optim/lr_scheduler.py MultiplicativeLR.get_lr with lr_lambda = lambda epoch: factor (no closed form)
export const MultiplicativeLR = defineClass({
  parse: (a) => {
    a.unsupported('lr_lambda', 'a Python callable cannot travel over JSON; give a constant `factor` instead');
    return { factor: a.num('factor') };
  },
  def: {
    getLr: (s) => (s._is_initial ? cur(s) : cur(s) * s.p.factor),
  },
});

function pyIntCheck(
  a: Args,
  key: string,
  def: number | undefined,
  ok: (v: number) => boolean,
  msg: (v: unknown) => string,
): number {
  const raw = a.raw(key);
  const v = raw === undefined ? def : raw;
  if (v === undefined) a.require(key);
  if (typeof v !== 'number' || !Number.isInteger(v) || !ok(v)) throw new ScheduleError(a.at(key), msg(v));
  return v;
}

// torch/optim/lr_scheduler.py CosineAnnealingWarmRestarts.__init__ / get_lr / step (step() without epoch)
export const CosineAnnealingWarmRestarts = defineClass({
  parse: (a) => {
    const show = pyRepr;
    const T_0 = pyIntCheck(
      a,
      'T_0',
      undefined,
      (v) => v > 0,
      (v) => `Expected positive integer T_0, but got ${show(v)}`,
    );
    const T_mult = pyIntCheck(
      a,
      'T_mult',
      1,
      (v) => v >= 1,
      (v) => `Expected integer T_mult >= 1, but got ${show(v)}`,
    );
    const raw = a.raw('eta_min');
    if (raw !== undefined && (typeof raw !== 'number' || !Number.isFinite(raw))) {
      throw new ScheduleError(
        a.at('eta_min'),
        `Expected float or int eta_min, but got ${pyRepr(raw)} of type <class '${pyTypeName(raw)}'>`,
      );
    }
    return { T_0, T_mult, eta_min: (raw as number | undefined) ?? 0.0 };
  },
  state: (p) => ({ T_i: p.T_0, T_cur: -1 }),
  def: {
    getLr: (s) =>
      s.p.eta_min + ((s.base_lr - s.p.eta_min) * (1 + Math.cos((Math.PI * s.state.T_cur) / s.state.T_i))) / 2,
    step(s) {
      const st = s.state;
      let epoch: number;
      if (s.last_epoch < 0) {
        epoch = 0; // step(epoch=0): epoch < T_0 branch
        st.T_i = s.p.T_0;
        st.T_cur = epoch;
      } else {
        epoch = s.last_epoch + 1;
        st.T_cur = st.T_cur + 1;
        if (st.T_cur >= st.T_i) {
          st.T_cur = st.T_cur % st.T_i;
          st.T_i = st.T_i * s.p.T_mult;
        }
      }
      s.last_epoch = Math.floor(epoch);
      s.group.lr = s.def.getLr(s);
      s._last_lr = s.group.lr;
    },
  },
});

/** LambdaLR with a factor function λ(last_epoch): what every transformers schedule returns. */
// torch/optim/lr_scheduler.py LambdaLR.get_lr: base_lr * lmbda(last_epoch) (absolute, no closed form)
export function lambdaClass(lambda: (t: number) => number): TorchClass<unknown> {
  return defineClass({
    parse: () => ({}),
    def: { getLr: (s) => s.base_lr * lambda(s.last_epoch) },
  });
}
