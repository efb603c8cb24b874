import { describe, expect, it } from 'vitest';
import { createTrainer, trainerFloats } from '../../src/core/trainer.js';
import { createScalarBackend } from '../../src/core/kernels/scalar.js';
import type { Backend } from '../../src/core/types.js';
import { mlpSpec } from '../../src/core/model.js';
import type { DataSpec, Dataset, LayerSpec, OptimizerSpec, TrainSpec } from '../../src/core/spec.js';

const adam: OptimizerSpec = {
  type: 'adam',
  lr: 1e-2,
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
const noClip = { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null };
const spirals: DataSpec = {
  source: 'builtin' as const,
  name: 'spirals',
  n_samples: 300,
  noise: 0.2,
  seed: 0,
  val_fraction: 0,
  standardize: false,
};

function spec(over: Partial<TrainSpec> = {}): TrainSpec {
  return {
    model: mlpSpec([64, 64], 'tanh', { name: 'default' }, 2),
    data: spirals,
    loss: { name: 'cross_entropy' },
    optimizer: adam,
    batch_size: 32,
    clip: noClip,
    seed: 1,
    ...over,
  };
}

const losses = (s: TrainSpec, n: number) => {
  const t = createTrainer(s);
  return Array.from({ length: n }, () => t.step(1e-2).loss);
};

describe('trainer learns', () => {
  it('spirals-mlp (2-64-64-2 tanh, Adam 1e-2, 300 steps) reaches > 90% train accuracy', () => {
    const t = createTrainer(spec());
    expect(t.numParams).toBe(2 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2);
    const first = t.evaluate('train');
    for (let i = 0; i < 300; i++) t.step(1e-2);
    const after = t.evaluate('train');
    expect(after.accuracy!).toBeGreaterThan(0.9);
    expect(after.loss).toBeLessThan(first.loss / 3);
  });
  it('same relu net with batchnorm and dropout also learns', () => {
    const layers: LayerSpec[] = [
      {
        type: 'dense',
        units: 64,
        activation: 'relu',
        init: { name: 'kaiming_uniform', nonlinearity: 'relu' },
        bias: true,
      },
      { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
      { type: 'dropout', p: 0.05 },
      {
        type: 'residual',
        layers: [
          {
            type: 'dense',
            units: 64,
            activation: 'relu',
            init: { name: 'kaiming_uniform', nonlinearity: 'relu' },
            bias: true,
          },
          { type: 'layernorm', eps: 1e-5 },
        ],
      },
      { type: 'dense', units: 2, activation: 'identity', init: { name: 'default' }, bias: true },
    ];
    const t = createTrainer(spec({ model: { layers } }));
    for (let i = 0; i < 300; i++) t.step(1e-2);
    expect(t.evaluate('train').accuracy!).toBeGreaterThan(0.9);
  });
  it('iris (standardised, val split) generalises; bce_with_logits on moons; mse on sine', () => {
    const iris = createTrainer(
      spec({
        model: mlpSpec([16], 'relu', { name: 'default' }, 3),
        data: {
          source: 'builtin' as const,
          name: 'iris',
          n_samples: 150,
          noise: 0,
          seed: 0,
          val_fraction: 0.2,
          standardize: true,
        },
      }),
    );
    for (let i = 0; i < 200; i++) iris.step(1e-2);
    expect(iris.evaluate('val').accuracy!).toBeGreaterThan(0.85);
    const moons = createTrainer(
      spec({
        model: mlpSpec([16], 'relu', { name: 'default' }, 1),
        loss: { name: 'bce_with_logits' },
        data: {
          source: 'builtin' as const,
          name: 'moons',
          n_samples: 200,
          noise: 0.1,
          seed: 0,
          val_fraction: 0,
          standardize: false,
        },
      }),
    );
    for (let i = 0; i < 300; i++) moons.step(1e-2);
    expect(moons.evaluate('train').accuracy!).toBeGreaterThan(0.9);
    const sine = createTrainer(
      spec({
        model: mlpSpec([32], 'tanh', { name: 'default' }, 1),
        loss: { name: 'mse' },
        data: {
          source: 'builtin' as const,
          name: 'sine',
          n_samples: 200,
          noise: 0,
          seed: 0,
          val_fraction: 0,
          standardize: false,
        },
      }),
    );
    const before = sine.evaluate('train');
    for (let i = 0; i < 300; i++) sine.step(1e-2);
    const after = sine.evaluate('train');
    expect(after.accuracy).toBeNull();
    expect(after.loss).toBeLessThan(before.loss / 5);
  });
});

describe('determinism', () => {
  it('same seed → bit-identical losses over 50 steps; a different seed → different', () => {
    const a = losses(spec(), 50),
      b = losses(spec(), 50),
      c = losses(spec({ seed: 2 }), 50);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
  it('with dropout too, and the training seed does not change the data', () => {
    const layers: LayerSpec[] = [
      { type: 'dense', units: 16, activation: 'relu', init: { name: 'default' }, bias: true },
      { type: 'dropout', p: 0.5 },
      { type: 'dense', units: 2, activation: 'identity', init: { name: 'default' }, bias: true },
    ];
    const s = spec({ model: { layers } });
    expect(losses(s, 20)).toEqual(losses(s, 20));
    expect(createTrainer(s).train.x).toEqual(createTrainer({ ...s, seed: 9 }).train.x);
  });
});

function nanDataset(rows: number, nanEvery: number): Dataset {
  const x = new Float32Array(rows * 2),
    y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    x[2 * i] = i % nanEvery === 0 ? NaN : Math.sin(i);
    x[2 * i + 1] = Math.cos(i);
    y[i] = i % 2;
  }
  return { name: 'nan', task: 'classification', x, y, rows, features: 2, outputs: 2 };
}

describe('non-finite steps', () => {
  it('a NaN loss/gradient never reaches the weights or the optimizer state', () => {
    const t = createTrainer(spec({ batch_size: 4 }), { dataset: nanDataset(40, 3) });
    let skipped = 0,
      applied = 0;
    for (let i = 0; i < 30; i++) {
      const before = t.snapshot();
      const r = t.step(1e-2);
      const after = t.snapshot();
      expect(after.params.every((p) => p.every(Number.isFinite))).toBe(true);
      expect(after.optimizer.every((p) => p.every(Number.isFinite))).toBe(true);
      if (r.non_finite) {
        skipped++;
        expect(after).toEqual(before);
        expect(Number.isFinite(r.loss) && Number.isFinite(r.grad_norm)).toBe(false);
      } else {
        applied++;
        expect(after.params).not.toEqual(before.params);
      }
    }
    expect(skipped).toBeGreaterThan(0);
    expect(applied).toBeGreaterThan(0);
  });
  it('an update that would overflow float32 is rolled back and reported', () => {
    const sgd: OptimizerSpec = { ...adam, type: 'sgd' };
    const t = createTrainer(spec({ optimizer: sgd }));
    const before = t.snapshot();
    const r = t.step(1e300); // finite lr, but p - lr·g overflows float32
    expect(r.non_finite).toBe(true);
    expect(t.snapshot()).toEqual(before);
  });
  it('clip error_if_nonfinite throws like torch', () => {
    const t = createTrainer(
      spec({ batch_size: 40, clip: { max_norm: 1, norm_type: 2, error_if_nonfinite: true, clip_value: null } }),
      { dataset: nanDataset(40, 3) },
    );
    expect(() => t.step(1e-2)).toThrow(/non-finite/);
  });
});

describe('clipping inside the step', () => {
  it('reports the pre-clip norm and bounds the SGD update by lr·max_norm', () => {
    const sgd: OptimizerSpec = { ...adam, type: 'sgd' };
    const clipped = createTrainer(
      spec({ optimizer: sgd, clip: { max_norm: 1e-3, norm_type: 2, error_if_nonfinite: false, clip_value: null } }),
    );
    const free = createTrainer(spec({ optimizer: sgd }));
    const before = clipped.snapshot();
    const a = clipped.step(1),
      b = free.step(1);
    expect(a.grad_norm).toBe(b.grad_norm); // pre-clip, same batch and weights
    expect(a.grad_norm).toBeGreaterThan(1e-3);
    let d2 = 0;
    clipped.snapshot().params.forEach((p, i) =>
      p.forEach((v, j) => {
        d2 += (v - before.params[i][j]) ** 2;
      }),
    );
    expect(Math.sqrt(d2)).toBeLessThanOrEqual(1e-3 * (1 + 1e-4));
    expect(Math.sqrt(d2)).toBeGreaterThan(0.99e-3);
  });
});

describe('diagnostics, evaluation, snapshots', () => {
  it('layerStats: all-dead ReLU layer, norms and update ratios', () => {
    const layers: LayerSpec[] = [
      { type: 'dense', units: 8, activation: 'relu', init: { name: 'zeros' }, bias: true },
      { type: 'dense', units: 2, activation: 'identity', init: { name: 'default' }, bias: true },
    ];
    const t = createTrainer(spec({ model: { layers } }));
    t.step(1e-2);
    const [l0, l1] = t.layerStats();
    expect(l0.layer).toBe('layers.0');
    expect(l0.dead_fraction).toBe(1);
    expect(l0.act_std).toBe(0);
    expect(l0.grad_norm).toBe(0); // no gradient flows through a dead ReLU
    expect(l1.weight_norm).toBeGreaterThan(0);
    expect(l1.grad_norm).toBeGreaterThan(0); // its bias still learns
    expect(l1.update_ratio).toBe(0); // but its weights see all-zero inputs: zero gradient, no update
    t.step(1e-2);
    const relu = createTrainer(spec({ model: mlpSpec([16], 'relu', { name: 'default' }, 2) }));
    relu.step(1e-2);
    const [r0, r1] = relu.layerStats();
    expect(r0.dead_fraction).toBeGreaterThanOrEqual(0);
    expect(r0.dead_fraction).toBeLessThan(0.5);
    expect(r0.act_mean).toBeGreaterThan(0); // ReLU outputs are non-negative and not all zero
    // Adam's first step moves each weight by ≈ lr: ‖Δw‖/‖w‖ ≈ 1e-2·√n/‖w‖
    const expected = ((1e-2 * Math.sqrt(2)) / r1.weight_norm) * Math.sqrt(16);
    expect(r1.update_ratio / expected).toBeGreaterThan(0.8);
    expect(r1.update_ratio / expected).toBeLessThan(1.2);
  });
  it('evaluate(val) needs a validation split; maxRows limits the rows', () => {
    const t = createTrainer(spec());
    expect(() => t.evaluate('val')).toThrow(/val_fraction/);
    expect(t.evaluate('train', 10).loss).toBeGreaterThan(0);
  });
  it('restore() puts back weights and optimizer state', () => {
    const t = createTrainer(spec());
    t.step(1e-2);
    const s = t.snapshot();
    for (let i = 0; i < 5; i++) t.step(1e-1);
    expect(t.snapshot()).not.toEqual(s);
    t.restore(s);
    expect(t.snapshot()).toEqual(s);
  });
  it('rejects a model whose output does not fit the data and a loss that does not fit the task', () => {
    expect(() => createTrainer(spec({ model: mlpSpec([8], 'relu', { name: 'default' }, 3) }))).toThrow(
      /\/model\/layers\/1\/units/,
    );
    expect(() =>
      createTrainer(
        spec({
          loss: { name: 'cross_entropy' },
          data: {
            source: 'builtin' as const,
            name: 'sine',
            n_samples: 20,
            noise: 0,
            seed: 0,
            val_fraction: 0,
            standardize: false,
          },
        }),
      ),
    ).toThrow(/classification/);
    expect(() => createTrainer(spec({ loss: { name: 'bce_with_logits' }, data: { ...spirals, classes: 3 } }))).toThrow(
      /binary/,
    );
  });
});

describe('trainerFloats (sizing a fixed-capacity backend before building)', () => {
  const counting = (): Backend & { floats: number; allocations: number } => {
    const inner = createScalarBackend();
    const b = {
      name: 'scalar' as const,
      floats: 0,
      allocations: 0,
      gemm: inner.gemm,
      alloc(n: number) {
        b.floats += n;
        b.allocations++;
        return inner.alloc(n);
      },
    };
    return b;
  };
  const cases: [string, Partial<TrainSpec>][] = [
    ['mlp + adam', {}],
    [
      'everything + rmsprop centered momentum, mse one-hot',
      {
        loss: { name: 'mse' },
        optimizer: { ...adam, type: 'rmsprop', centered: true, momentum: 0.9 },
        model: {
          layers: [
            { type: 'dense', units: 8, activation: 'relu', init: { name: 'default' }, bias: false },
            { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
            { type: 'dropout', p: 0.1 },
            { type: 'activation', activation: 'tanh' },
            {
              type: 'residual',
              layers: [
                { type: 'dense', units: 8, activation: 'identity', init: { name: 'default' }, bias: true },
                { type: 'layernorm', eps: 1e-5 },
              ],
            },
            { type: 'dense', units: 2, activation: 'identity', init: { name: 'default' }, bias: true },
          ],
        },
      },
    ],
    [
      'adamw amsgrad, batch larger than the data',
      { optimizer: { ...adam, type: 'adamw', amsgrad: true }, batch_size: 5000 },
    ],
    ['sgd with momentum', { optimizer: { ...adam, type: 'sgd', momentum: 0.9 } }],
    ['adagrad', { optimizer: { ...adam, type: 'adagrad' } }],
  ];
  for (const [name, over] of cases) {
    it(`equals what createTrainer allocates: ${name}`, () => {
      const s = spec(over);
      const b = counting();
      const t = createTrainer(s, { backend: b });
      expect(trainerFloats(s, 2, 2, 'classification', t.train.rows)).toEqual({
        floats: b.floats,
        allocations: b.allocations,
      });
    });
  }
  it('step() and evaluate() never allocate backend buffers', () => {
    const b = counting();
    const t = createTrainer(spec({ data: { ...spirals, val_fraction: 0.2 } }), { backend: b });
    const n = b.allocations;
    for (let i = 0; i < 20; i++) t.step(1e-2);
    t.evaluate('train');
    t.evaluate('val');
    t.layerStats();
    expect(b.allocations).toBe(n);
  });
});
