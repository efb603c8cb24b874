/**
 * Momentum that changes between steps, as torch's CyclicLR / OneCycleLR change it
 * (torch/optim/lr_scheduler.py: group["momentum"] = m for SGD/RMSprop, group["betas"] = (m, β2)
 * for Adam/AdamW, before each optimizer step). One parameter p = [1, -2] and three fixed gradients
 * g1 = [0.5, -0.25], g2 = [0.125, 0.375], g3 = [-0.75, 0.5] (exact in float32), the momentum of
 * step t being ms[t]. Expected values are torch's single-tensor formulas (sgd.py, rmsprop.py,
 * adam.py) evaluated in float64 outside this code base, with the group's momentum read at each
 * step; the first steps are derived by hand in the comments. Compared to 1e-6 relative on the
 * scalar backend and on the SIMD backend (fused Adam), which must therefore agree.
 */
import { describe, expect, it } from 'vitest';
import { expectCloseRows } from '../../helpers/close.js';
import { createOptimizer } from '../../../src/core/optimizers/index.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createSimdBackend } from '../../../src/core/kernels/simd.js';
import { createTrainer } from '../../../src/core/trainer.js';
import type { OptimizerSpec, TrainSpec } from '../../../src/core/spec.js';
import type { Backend, Param } from '../../../src/core/types.js';

const G = [
  [0.5, -0.25],
  [0.125, 0.375],
  [-0.75, 0.5],
];

const base: OptimizerSpec = {
  type: 'sgd',
  lr: 0.1,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weight_decay: 0,
  betas: [0.9, 0.999],
  eps: 1e-8,
  amsgrad: false,
  alpha: 0.99,
  centered: false,
  lr_decay: 0,
  initial_accumulator_value: 0,
};

const BACKENDS: [string, () => Backend][] = [
  ['scalar', () => createScalarBackend()],
  ['simd', () => createSimdBackend(1 << 12)],
];

function param(backend: Backend): Param {
  const value = backend.alloc(2);
  value.set([1, -2]);
  return { name: 'p', shape: [2], value, grad: backend.alloc(2), decay: true };
}

/** three steps at lr, setting the momentum to ms[t] before step t */
function run(backend: Backend, spec: Partial<OptimizerSpec>, lr: number, ms: number[]): number[][] {
  const p = param(backend);
  const opt = createOptimizer({ ...base, ...spec }, [p], backend);
  return G.map((g, t) => {
    p.grad.set(g);
    opt.setMomentum(ms[t]);
    opt.step(lr);
    return Array.from(p.value);
  });
}

/** the parameters after each step, within 1e-6 relative of the worked example */
const expectClose = (actual: number[][], expected: number[][]): void => expectCloseRows(actual, expected, 1e-6);

describe.each(BACKENDS)('changing momentum per step (%s backend)', (_, make) => {
  describe('SGD: group["momentum"]', () => {
    it('momentum 0.95 → 0.9 → 0.85, dampening 0.1: each step uses its own momentum', () => {
      // step 1: buf = g1 = [0.5, -0.25] (first buffer), p = [0.95, -1.975]
      // step 2: buf = 0.9·0.5 + 0.9·0.125 = 0.5625, p0 = 0.95 - 0.05625 = 0.89375
      expectClose(run(make(), { momentum: 0.95, dampening: 0.1 }, 0.1, [0.95, 0.9, 0.85]), [
        [0.95, -1.975],
        [0.8937499999999999, -1.98625],
        [0.9134374999999999, -2.0408125],
      ]);
    });
    it('momentum 0 → 0.9 → 0.8, dampening 0.5: the buffer is created (= the gradient) at the first step with momentum ≠ 0', () => {
      // step 1: plain SGD, p0 = 0.95
      // step 2: no buffer yet → buf = g2 = 0.125 (not 0.9·0 + 0.5·0.125), p0 = 0.95 - 0.0125 = 0.9375
      // step 3: buf = 0.8·0.125 + 0.5·(-0.75) = -0.275, p0 = 0.9375 + 0.0275 = 0.965
      expectClose(run(make(), { momentum: 0, dampening: 0.5 }, 0.1, [0, 0.9, 0.8]), [
        [0.95, -1.975],
        [0.9375, -2.0125],
        [0.965, -2.0675000000000003],
      ]);
    });
    it('nesterov, momentum 0.9 → 0.5 → 0.8: d = g + momentum_t·buf', () => {
      // step 2: buf = 0.5·0.5 + 0.125 = 0.375, d = 0.125 + 0.5·0.375 = 0.3125, p0 = 0.905 - 0.03125 = 0.87375
      expectClose(run(make(), { momentum: 0.9, nesterov: true }, 0.1, [0.9, 0.5, 0.8]), [
        [0.905, -1.9525],
        [0.87375, -2.0025],
        [0.98475, -2.1085],
      ]);
    });
  });

  describe('RMSprop: group["momentum"]', () => {
    it('momentum 0.9 → 0.5 → 0.8: buf ← momentum_t·buf + g/avg', () => {
      // step 1: sq = 0.01·0.25 = 0.0025, avg = 0.05 + 1e-8, buf = 0.5/avg ≈ 10, p0 = 1 - 0.01·10 = 0.9
      // step 2: sq = 0.99·0.0025 + 0.01·0.125² = 0.00263125, g/avg = 0.125/0.0512957 = 2.43685,
      //         buf = 0.5·10 + 2.43685 = 7.43685, p0 = 0.9 - 0.0743685 = 0.8256315
      expectClose(run(make(), { type: 'rmsprop', momentum: 0.9 }, 0.01, [0.9, 0.5, 0.8]), [
        [0.900000019999996, -1.9000000399999841],
        [0.825631525809158, -1.933333374814795],
        [0.8488095876052018, -2.0344963236997047],
      ]);
    });
    it('centered, momentum 0.9 → 0 → 0.8: momentum 0 skips the buffer, which is kept for later steps', () => {
      expectClose(run(make(), { type: 'rmsprop', momentum: 0.9, centered: true }, 0.01, [0.9, 0, 0.8]), [
        [0.899496238676095, -1.899496258878103],
        [0.8749477601068312, -1.98286304290473],
        [0.8772269270825983, -1.9772827245821778],
      ]);
    });
  });

  describe('Adam / AdamW: group["betas"] = (m, β2)', () => {
    it('β1 0.95 → 0.9 → 0.85: the bias correction uses the current β1, 1 - β1_t^t', () => {
      // step 1: m = 0.05·0.5 = 0.025, bc1 = 1 - 0.95 = 0.05, m̂ = 0.5; v̂ = 0.25; p0 = 1 - 0.01·0.5/0.5 = 0.99
      // step 2: m = 0.9·0.025 + 0.1·0.125 = 0.035, bc1 = 1 - 0.9² = 0.19 (not 1 - 0.95²), m̂ = 0.184211;
      //         v = 0.999·0.00025 + 0.001·0.015625 = 0.000265375, v̂ = v/(1 - 0.999²) = 0.132754, √v̂ = 0.364354;
      //         p0 = 0.99 - 0.01·0.184211/0.364354 = 0.9849442
      expectClose(run(make(), { type: 'adam', betas: [0.9, 0.999] }, 0.01, [0.95, 0.9, 0.85]), [
        [0.9900000002, -1.9900000004],
        [0.9849441892642145, -1.9943347820463415],
        [0.9890250523961289, -2.000822376723151],
      ]);
    });
    it('AdamW, weight_decay 0.1 (decoupled), β1 0.95 → 0.9 → 0.85', () => {
      // step 1: p0 = 1·(1 - 0.01·0.1) - 0.01 = 0.989
      expectClose(run(make(), { type: 'adamw', betas: [0.9, 0.999], weight_decay: 0.1 }, 0.01, [0.95, 0.9, 0.85]), [
        [0.9890000002, -1.9880000004],
        [0.9829551892640145, -1.9903467820459415],
        [0.9860530972066649, -1.9948440299407053],
      ]);
    });
    it('amsgrad (the JS update on both backends), β1 0.95 → 0.9 → 0.85', () => {
      expectClose(run(make(), { type: 'adam', amsgrad: true }, 0.01, [0.95, 0.9, 0.85]), [
        [0.9900000002, -1.9900000004],
        [0.9849441892642145, -1.9943347820463415],
        [0.9890250523961289, -2.000822376723151],
      ]);
    });
  });
});

describe('setMomentum', () => {
  it('reads back as SGD/RMSprop momentum and Adam beta1; Adagrad has none and refuses, as CyclicLR does', () => {
    const b = createScalarBackend();
    for (const [type, start] of [
      ['sgd', 0.9],
      ['rmsprop', 0.9],
      ['adam', 0.8],
      ['adamw', 0.8],
    ] as const) {
      const opt = createOptimizer({ ...base, type, momentum: 0.9, betas: [0.8, 0.999] }, [param(b)], b);
      expect(opt.momentum).toBe(start);
      opt.setMomentum(0.85);
      expect(opt.momentum).toBe(0.85);
      expect(() => opt.setMomentum(Number.NaN)).toThrow(/finite/);
    }
    const ada = createOptimizer({ ...base, type: 'adagrad' }, [param(b)], b);
    expect(ada.momentum).toBeNull();
    expect(() => ada.setMomentum(0.9)).toThrow(/optimizer must support momentum or beta1/);
  });

  it('RMSprop created with momentum 0 has no buffer: setting a positive momentum throws (torch: KeyError momentum_buffer)', () => {
    const b = createScalarBackend();
    const opt = createOptimizer({ ...base, type: 'rmsprop', momentum: 0 }, [param(b)], b);
    expect(() => opt.setMomentum(0.9)).toThrow(/no momentum buffer/);
    expect(() => opt.setMomentum(0)).not.toThrow();
  });

  it('rolling back the step that created the SGD buffer forgets it: the retried step creates it again (= the gradient)', () => {
    const b = createScalarBackend();
    const p = param(b);
    const opt = createOptimizer({ ...base, momentum: 0, dampening: 0.5 }, [p], b);
    p.grad.set(G[0]);
    opt.step(0.1); // momentum 0: p0 = 0.95
    const weights = p.value.slice(),
      state = opt.state.map((s) => s.slice());
    opt.setMomentum(0.9);
    p.grad.set(G[1]);
    opt.step(0.1); // buffer created = g2: p0 = 0.9375
    expect(opt.scalars).toEqual({ momentum: 0.9, momentum_buffer_from: 2 });
    // what the trainer does when an update overflows: copy back weights and state, step counter
    p.value.set(weights);
    opt.state.forEach((s, i) => s.set(state[i]));
    opt.setSteps(1);
    expect(opt.scalars.momentum_buffer_from).toBe(0);
    opt.step(0.1);
    // with a stale "buffer exists" it would be 0.95 - 0.1·0.5·0.125 = 0.94375
    expect(p.value[0]).toBeCloseTo(0.9375, 7);
  });
});

describe('trainer.step(lr, { momentum })', () => {
  const spec = (optimizer: Partial<OptimizerSpec>): TrainSpec => ({
    model: {
      layers: [
        { type: 'dense', units: 8, activation: 'relu', init: { name: 'default' }, bias: true },
        { type: 'dense', units: 3, activation: 'identity', init: { name: 'default' }, bias: true },
      ],
    },
    data: {
      source: 'builtin' as const,
      name: 'spirals',
      n_samples: 120,
      noise: 0.2,
      seed: 0,
      val_fraction: 0,
      standardize: true,
      classes: 3,
    },
    loss: { name: 'cross_entropy' },
    optimizer: { ...base, ...optimizer },
    batch_size: 16,
    clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
    seed: 1,
  });
  const MS = [0.95, 0.9, 0.85, 0.8, 0.85, 0.9];

  for (const [name, opt] of [
    ['sgd', { momentum: 0.9 }],
    ['adam', { type: 'adam' as const }],
  ] as const) {
    it(`${name}: the same as setting the optimizer's momentum before each step, and different from a fixed momentum`, () => {
      const a = createTrainer(spec(opt)),
        b = createTrainer(spec(opt)),
        c = createTrainer(spec(opt));
      const la = MS.map((m) => a.step(0.05, { momentum: m }).loss);
      const lb = MS.map((m) => {
        b.optimizer.setMomentum(m);
        return b.step(0.05).loss;
      });
      const lc = MS.map(() => c.step(0.05).loss);
      expect(la).toEqual(lb);
      expect(a.optimizer.momentum).toBe(0.9);
      expect(la.slice(2)).not.toEqual(lc.slice(2));
    });
  }

  it('a snapshot carries the momentum: restore puts it back', () => {
    const t = createTrainer(spec({ momentum: 0.9 }));
    t.step(0.05, { momentum: 0.8 });
    const s = t.snapshot();
    expect(s.optimizer_scalars).toEqual({ momentum: 0.8, momentum_buffer_from: 1 });
    t.step(0.05, { momentum: 0.95 });
    t.restore(s);
    expect(t.optimizer.momentum).toBe(0.8);
  });

  it('adagrad: a momentum is refused', () => {
    const t = createTrainer(spec({ type: 'adagrad' }));
    expect(() => t.step(0.05, { momentum: 0.9 })).toThrow(/momentum or beta1/);
  });
});
