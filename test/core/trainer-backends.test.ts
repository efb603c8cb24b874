/**
 * The trainer on the WebAssembly SIMD backend (GEMM + fused bias/relu/Adam/norm kernels) follows
 * the scalar reference: same data, init and batches, losses equal up to float32 rounding.
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/trainer.js';
import { createScalarBackend } from '../../src/core/kernels/scalar.js';
import { createSimdBackend } from '../../src/core/kernels/simd.js';
import type { LayerSpec, OptimizerSpec, TrainSpec } from '../../src/core/spec.js';

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
const dense = (units: number, activation: 'relu' | 'tanh' | 'identity'): LayerSpec => ({
  type: 'dense',
  units,
  activation,
  init: { name: 'default' },
  bias: true,
});

function spec(over: Partial<TrainSpec>): TrainSpec {
  return {
    model: { layers: [dense(32, 'relu'), dense(32, 'tanh'), dense(3, 'identity')] },
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
    optimizer: adam,
    batch_size: 32,
    clip: { max_norm: 1, norm_type: 2, error_if_nonfinite: false, clip_value: null },
    seed: 3,
    ...over,
  };
}

function run(s: TrainSpec, simd: boolean, steps = 40) {
  const t = createTrainer(s, { backend: simd ? createSimdBackend(1 << 20) : createScalarBackend() });
  const losses = Array.from({ length: steps }, () => t.step(1e-2).loss);
  return { losses, stats: t.layerStats(), val: t.evaluate('val') };
}

describe('scalar vs simd backend', () => {
  for (const [name, over] of [
    ['adam (fused), relu + tanh layers, clipping', {}],
    [
      'adamw amsgrad (JS update on simd buffers)',
      { optimizer: { ...adam, type: 'adamw', amsgrad: true, weight_decay: 0.01 } },
    ],
    [
      'sgd nesterov, batchnorm',
      {
        optimizer: { ...adam, type: 'sgd', momentum: 0.9, nesterov: true },
        model: { layers: [dense(32, 'relu'), { type: 'batchnorm', momentum: 0.1, eps: 1e-5 }, dense(3, 'identity')] },
      },
    ],
  ] as [string, Partial<TrainSpec>][]) {
    it(name, () => {
      const a = run(spec(over), false),
        b = run(spec(over), true);
      a.losses.forEach((l, i) => expect(Math.abs(l - b.losses[i]) / l, `step ${i}`).toBeLessThan(1e-3));
      expect(Math.abs(a.val.loss - b.val.loss) / a.val.loss).toBeLessThan(1e-3);
      a.stats.forEach((s, i) => {
        expect(b.stats[i].layer).toBe(s.layer);
        expect(Math.abs(s.grad_norm - b.stats[i].grad_norm)).toBeLessThan(1e-3 * (s.grad_norm + 1e-3));
        expect(Math.abs(s.update_ratio - b.stats[i].update_ratio)).toBeLessThan(1e-2 * s.update_ratio + 1e-7);
        expect(b.stats[i].dead_fraction).toBeCloseTo(s.dead_fraction, 6);
      });
    });
  }
  it('is deterministic on the simd backend too', () => {
    expect(run(spec({}), true, 20).losses).toEqual(run(spec({}), true, 20).losses);
  });
});
