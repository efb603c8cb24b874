/**
 * PyTorch's absolute cyclic schedulers, which also drive the optimizer's momentum:
 * CyclicLR and OneCycleLR, transcribed from torch/optim/lr_scheduler.py (main, 2025).
 * The simulated optimizer is SGD (its `defaults` has `momentum`), so `cycle_momentum=True`
 * writes `group.momentum`; for Adam the same values go to beta1.
 */
import type { Args } from '../args.js';
import { ScheduleError, pyDiv, pyLiteral, pyPow, pyRepr } from '../errors.js';
import { defineClass } from './classes.js';

const NO_CALLABLE = 'a Python callable cannot travel over JSON; use mode';

// torch/optim/lr_scheduler.py CyclicLR.__init__ / _init_scale_fn / get_lr
export const CyclicLR = defineClass({
  parse: (a: Args) => {
    a.unsupported('scale_fn', NO_CALLABLE);
    const base_lr = a.num('base_lr');
    const max_lr = a.num('max_lr');
    const up = a.num('step_size_up', 2000);
    const downOpt = a.optNum('step_size_down');
    const mode = a.str('mode', 'triangular');
    const gamma = a.num('gamma', 1.0);
    // scale_mode only matters with a custom scale_fn; torch overrides it from `mode` otherwise
    const scale_mode = a.str('scale_mode', 'cycle');
    if (scale_mode !== 'cycle' && scale_mode !== 'iterations') {
      throw new ScheduleError(
        a.at('scale_mode'),
        `scale_mode must be one of 'cycle' or 'iterations', got ${pyLiteral(scale_mode)}`,
      );
    }
    const cycle_momentum = a.bool('cycle_momentum', true);
    const base_momentum = a.num('base_momentum', 0.8);
    const max_momentum = a.num('max_momentum', 0.9);
    const down = downOpt ?? up;
    const total_size = up + down;
    const step_ratio = pyDiv(up, total_size, a.at('step_size_up'));
    if (!['triangular', 'triangular2', 'exp_range'].includes(mode)) {
      throw new ScheduleError(a.at('mode'), 'mode is invalid and scale_fn is None');
    }
    return {
      base_lr,
      max_lr,
      total_size,
      step_ratio,
      mode,
      gamma,
      cycle_momentum,
      base_momentum,
      max_momentum,
      byIterations: mode === 'exp_range',
      at: a.at('step_size_up'),
    };
  },
  def: {
    preInit(s) {
      const p = s.p;
      s.group.lr = p.base_lr;
      if (p.cycle_momentum) {
        s.cyclesMomentum = true;
        s.group.momentum = p.max_momentum;
        s.group.max_momentum = p.max_momentum;
        s.group.base_momentum = p.base_momentum;
      }
    },
    postInit(s) {
      s.base_lr = s.p.base_lr; // self.base_lrs = base_lrs, after super().__init__
    },
    getLr(s) {
      const p = s.p;
      const t = s.last_epoch;
      const cycle = Math.floor(1 + t / p.total_size);
      const x = 1.0 + t / p.total_size - cycle;
      const scale_factor = x <= p.step_ratio ? pyDiv(x, p.step_ratio, p.at) : pyDiv(x - 1, p.step_ratio - 1, p.at);
      const arg = p.byIterations ? t : cycle;
      const scale =
        p.mode === 'triangular'
          ? 1.0
          : p.mode === 'triangular2'
            ? 1 / pyPow(2.0, arg - 1, p.at)
            : pyPow(p.gamma, arg, `${s.path}/gamma`);
      const lr = s.base_lr + (p.max_lr - s.base_lr) * scale_factor * scale;
      if (p.cycle_momentum) {
        s.group.momentum = p.max_momentum - (p.max_momentum - p.base_momentum) * scale_factor * scale;
      }
      return lr;
    },
  },
});

interface Phase {
  end_step: number;
  start_lr: string;
  end_lr: string;
  start_momentum: string;
  end_momentum: string;
}

function phasesOf(total: number, pct: number, three: boolean): Phase[] {
  if (three) {
    return [
      {
        end_step: pct * total - 1,
        start_lr: 'initial_lr',
        end_lr: 'max_lr',
        start_momentum: 'max_momentum',
        end_momentum: 'base_momentum',
      },
      {
        end_step: 2 * pct * total - 2,
        start_lr: 'max_lr',
        end_lr: 'initial_lr',
        start_momentum: 'base_momentum',
        end_momentum: 'max_momentum',
      },
      {
        end_step: total - 1,
        start_lr: 'initial_lr',
        end_lr: 'min_lr',
        start_momentum: 'max_momentum',
        end_momentum: 'max_momentum',
      },
    ];
  }
  return [
    {
      end_step: pct * total - 1,
      start_lr: 'initial_lr',
      end_lr: 'max_lr',
      start_momentum: 'max_momentum',
      end_momentum: 'base_momentum',
    },
    {
      end_step: total - 1,
      start_lr: 'max_lr',
      end_lr: 'min_lr',
      start_momentum: 'base_momentum',
      end_momentum: 'max_momentum',
    },
  ];
}

// torch/optim/lr_scheduler.py OneCycleLR._annealing_cos / _annealing_linear
const annealCos = (start: number, end: number, pct: number): number =>
  end + ((start - end) / 2.0) * (Math.cos(Math.PI * pct) + 1);
const annealLinear = (start: number, end: number, pct: number): number => (end - start) * pct + start;

function positiveInt(a: Args, key: string): number {
  const v = a.raw(key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new ScheduleError(a.at(key), `Expected positive integer ${key}, but got ${pyRepr(v)}`);
  }
  return v;
}

// torch/optim/lr_scheduler.py OneCycleLR.__init__ / get_lr
export const OneCycleLR = defineClass({
  parse: (a: Args) => {
    const max_lr = a.num('max_lr');
    let total_steps: number;
    if (a.has('total_steps')) total_steps = positiveInt(a, 'total_steps');
    else if (a.has('epochs') && a.has('steps_per_epoch')) {
      total_steps = positiveInt(a, 'epochs') * positiveInt(a, 'steps_per_epoch');
    } else {
      throw new ScheduleError(
        a.at('total_steps'),
        'You must define either total_steps OR (epochs AND steps_per_epoch)',
      );
    }
    a.accept('epochs', 'steps_per_epoch');
    const pct_start = a.num('pct_start', 0.3);
    const three_phase = a.bool('three_phase', false);
    const phases = phasesOf(total_steps, pct_start, three_phase);
    // torch also rejects an int pct_start (isinstance float); JSON cannot tell 1 from 1.0
    if (pct_start < 0 || pct_start > 1) {
      throw new ScheduleError(
        a.at('pct_start'),
        `Expected float between 0 and 1 pct_start, but got ${pyRepr(pct_start)}`,
      );
    }
    const anneal_strategy = a.str('anneal_strategy', 'cos');
    if (anneal_strategy !== 'cos' && anneal_strategy !== 'linear') {
      throw new ScheduleError(
        a.at('anneal_strategy'),
        `anneal_strategy must be one of 'cos' or 'linear', instead got ${anneal_strategy}`,
      );
    }
    const div_factor = a.num('div_factor', 25.0);
    const final_div_factor = a.num('final_div_factor', 1e4);
    return {
      max_lr,
      total_steps,
      phases,
      anneal: anneal_strategy === 'cos' ? annealCos : annealLinear,
      cycle_momentum: a.bool('cycle_momentum', true),
      base_momentum: a.num('base_momentum', 0.85),
      max_momentum: a.num('max_momentum', 0.95),
      div_factor,
      final_div_factor,
      atDiv: a.at('div_factor'),
      atFinal: a.at('final_div_factor'),
      atPct: a.at('pct_start'),
    };
  },
  def: {
    preInit(s) {
      const p = s.p;
      const g = s.group;
      g.initial_lr = pyDiv(p.max_lr, p.div_factor, p.atDiv);
      g.max_lr = p.max_lr;
      g.min_lr = pyDiv(g.initial_lr, p.final_div_factor, p.atFinal);
      if (p.cycle_momentum) {
        s.cyclesMomentum = true;
        g.momentum = p.max_momentum;
        g.max_momentum = p.max_momentum;
        g.base_momentum = p.base_momentum;
      }
    },
    getLr(s) {
      const p = s.p;
      const step_num = s.last_epoch;
      if (step_num > p.total_steps) {
        throw new ScheduleError(
          '/steps',
          `Tried to step ${step_num} times. The specified number of total steps is ${p.total_steps}`,
        );
      }
      const g = s.group;
      let start_step = 0.0;
      for (let i = 0; i < p.phases.length; i++) {
        const ph = p.phases[i];
        if (step_num <= ph.end_step || i === p.phases.length - 1) {
          const pct = pyDiv(step_num - start_step, ph.end_step - start_step, p.atPct);
          const lr = p.anneal(g[ph.start_lr] as number, g[ph.end_lr] as number, pct);
          if (p.cycle_momentum)
            g.momentum = p.anneal(g[ph.start_momentum] as number, g[ph.end_momentum] as number, pct);
          return lr;
        }
        start_step = ph.end_step;
      }
      throw new Error('unreachable');
    },
  },
});
