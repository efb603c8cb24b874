/**
 * The trainer on the native backend follows the scalar reference over 50 steps for every layer,
 * activation, loss and optimizer the core has (same data, init and batches: losses, gradient
 * norms and final weights equal up to float32 rounding); it is deterministic; and AVX2 and
 * AVX-512 train to bit-identical weights.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTrainer } from '../../../src/core/trainer.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import type { ActivationName, LayerSpec, LossName, OptimizerSpec, TrainSpec } from '../../../src/core/spec.js';
import { createNativeBackend } from '../../../workers/native-backend.js';
import { named, nativeSkipReason, nativeWithIsa, requireNative, resetNative } from './addon.js';

// what this CPU/OS lacks (or LRF_NATIVE_MAX_ISA hides) skips, named
const noNative = nativeSkipReason();
const noBoth = nativeSkipReason('avx512') ?? nativeSkipReason('avx2');

const base: OptimizerSpec = {
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
const dense = (units: number, activation: ActivationName): LayerSpec => ({
  type: 'dense',
  units,
  activation,
  init: { name: 'default' },
  bias: true,
});

function spec(over: Partial<TrainSpec>): TrainSpec {
  return {
    model: { layers: [dense(24, 'relu'), dense(24, 'tanh'), dense(3, 'identity')] },
    data: {
      source: 'builtin' as const,
      name: 'spirals',
      n_samples: 300,
      noise: 0.2,
      seed: 0,
      val_fraction: 0.2,
      standardize: true,
      classes: 3,
    },
    loss: { name: 'cross_entropy' },
    optimizer: base,
    batch_size: 32,
    clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
    seed: 3,
    ...over,
  };
}

const STEPS = 50;
function run(s: TrainSpec, native: boolean, lr: number) {
  const backend = native ? createNativeBackend(requireNative()) : createScalarBackend();
  const t = createTrainer(s, { backend });
  const steps = Array.from({ length: STEPS }, () => t.step(lr));
  return {
    steps,
    stats: t.layerStats(),
    weights: t.model.params.map((p) => p.value.slice()),
    val: t.evaluate('train'),
  };
}

/** every activation (each once as a dense activation or an activation layer) */
const ACTS: ActivationName[] = ['identity', 'relu', 'leaky_relu', 'elu', 'gelu', 'silu', 'tanh', 'sigmoid', 'softplus'];
const sgd = (o: Partial<OptimizerSpec>): OptimizerSpec => ({ ...base, type: 'sgd', ...o });
const regression = {
  source: 'builtin' as const,
  name: 'sine' as const,
  n_samples: 300,
  noise: 0.1,
  seed: 0,
  val_fraction: 0.2,
  standardize: true,
};

const CASES: [string, Partial<TrainSpec>, number][] = [
  ...ACTS.map((a): [string, Partial<TrainSpec>, number] => [
    `dense + ${a}, adam`,
    { model: { layers: [dense(24, a), dense(16, a), dense(3, 'identity')] } },
    1e-2,
  ]),
  [
    'activation layers, batchnorm, layernorm, dropout, residual; sgd nesterov',
    {
      optimizer: sgd({ momentum: 0.9, nesterov: true, weight_decay: 1e-4 }),
      model: {
        layers: [
          dense(24, 'identity'),
          { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
          { type: 'activation', activation: 'gelu' },
          { type: 'residual', layers: [dense(24, 'relu'), { type: 'layernorm', eps: 1e-5 }, dense(24, 'identity')] },
          { type: 'dropout', p: 0.2 },
          dense(3, 'identity'),
        ],
      },
    },
    0.05,
  ],
  [
    'sgd plain, clip_grad_norm',
    { optimizer: sgd({}), clip: { max_norm: 0.5, norm_type: 2, error_if_nonfinite: false, clip_value: null } },
    0.1,
  ],
  [
    'sgd momentum + dampening, clip_grad_value',
    {
      optimizer: sgd({ momentum: 0.8, dampening: 0.1 }),
      clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: 0.05 },
    },
    0.05,
  ],
  ['adamw', { optimizer: { ...base, type: 'adamw', weight_decay: 0.01 } }, 1e-2],
  ['adam amsgrad + weight decay', { optimizer: { ...base, amsgrad: true, weight_decay: 1e-3 } }, 1e-2],
  ['rmsprop centered + momentum', { optimizer: { ...base, type: 'rmsprop', centered: true, momentum: 0.5 } }, 1e-3],
  ['adagrad', { optimizer: { ...base, type: 'adagrad', lr_decay: 1e-3, initial_accumulator_value: 0.1 } }, 5e-2],
  ...(['mse', 'huber', 'smooth_l1'] as LossName[]).map((l): [string, Partial<TrainSpec>, number] => [
    `${l} loss (regression)`,
    {
      loss: { name: l },
      data: regression,
      model: { layers: [dense(24, 'tanh'), dense(1, 'identity')] },
    },
    1e-2,
  ]),
  ['mse on a classification task (one-hot targets)', { loss: { name: 'mse' } }, 1e-2],
  ['cross_entropy with label smoothing', { loss: { name: 'cross_entropy', label_smoothing: 0.1 } }, 1e-2],
  [
    'bce_with_logits (binary)',
    {
      loss: { name: 'bce_with_logits' },
      data: {
        source: 'builtin' as const,
        name: 'moons',
        n_samples: 300,
        noise: 0.2,
        seed: 0,
        val_fraction: 0.2,
        standardize: true,
      },
      model: { layers: [dense(24, 'relu'), dense(1, 'identity')] },
    },
    1e-2,
  ],
];

describe.skipIf(noNative)(named(`native vs scalar reference, ${STEPS} training steps`, noNative), () => {
  it.each(CASES)('%s', (_name, over, lr) => {
    const s = spec(over);
    const a = run(s, false, lr),
      b = run(s, true, lr);
    a.steps.forEach((r, i) => {
      expect(b.steps[i].non_finite).toBe(r.non_finite);
      expect(Math.abs(r.loss - b.steps[i].loss), `loss at step ${i}`).toBeLessThan(2e-3 * Math.abs(r.loss) + 1e-6);
      expect(Math.abs(r.grad_norm - b.steps[i].grad_norm), `grad norm at step ${i}`).toBeLessThan(
        5e-3 * r.grad_norm + 1e-6,
      );
    });
    expect(Math.abs(a.val.loss - b.val.loss)).toBeLessThan(2e-3 * a.val.loss + 1e-6);
    a.weights.forEach((w, i) => {
      let d = 0,
        n = 0;
      for (let j = 0; j < w.length; j++) {
        d += (w[j] - b.weights[i][j]) ** 2;
        n += w[j] ** 2;
      }
      expect(Math.sqrt(d), `param ${i}`).toBeLessThan(2e-3 * Math.sqrt(n) + 1e-5);
    });
    a.stats.forEach((st, i) => {
      expect(b.stats[i].layer).toBe(st.layer);
      expect(Math.abs(st.act_mean - b.stats[i].act_mean)).toBeLessThan(
        2e-3 * (Math.abs(st.act_mean) + st.act_std) + 1e-6,
      );
    });
  });

  it('is deterministic: the same spec twice gives the same bits', () => {
    const s = spec({});
    const x = run(s, true, 1e-2),
      y = run(s, true, 1e-2);
    expect(x.steps).toEqual(y.steps);
    x.weights.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(y.weights[i])));
  });
});

describe.skipIf(noBoth)(named('LRF_NATIVE_ISA=avx2 and avx512 train to the same bits', noBoth), () => {
  afterAll(resetNative);
  it.each([
    [
      '784→256-wide relu MLP, adam',
      spec({
        model: { layers: [dense(256, 'relu'), dense(128, 'relu'), dense(64, 'relu'), dense(10, 'identity')] },
        data: {
          source: 'builtin' as const,
          name: 'blobs',
          n_samples: 600,
          noise: 1,
          seed: 1,
          val_fraction: 0,
          standardize: true,
          classes: 10,
          features: 784,
        },
        batch_size: 128,
      }),
    ],
    [
      'tanh + sigmoid, sgd nesterov, batchnorm',
      spec({
        optimizer: sgd({ momentum: 0.9, nesterov: true }),
        model: {
          layers: [
            dense(40, 'tanh'),
            { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
            dense(33, 'sigmoid'),
            dense(3, 'identity'),
          ],
        },
      }),
    ],
  ] as [string, TrainSpec][])('%s', (_n, s) => {
    const train = (isa: 'avx512' | 'avx2') => {
      const t = createTrainer(s, { backend: createNativeBackend(nativeWithIsa(isa)) });
      const losses = Array.from({ length: 20 }, () => t.step(1e-2).loss);
      return { losses, w: t.model.params.map((p) => Array.from(p.value)) };
    };
    const a = train('avx512'),
      b = train('avx2');
    expect(b.losses).toEqual(a.losses);
    expect(b.w).toEqual(a.w);
  });
});
