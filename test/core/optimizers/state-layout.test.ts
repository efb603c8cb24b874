/**
 * Each optimizer owns its state layout: the buffers it allocates are the ones it declares (torch's
 * per-parameter state: SGD momentum_buffer; Adam/AdamW exp_avg, exp_avg_sq, max_exp_avg_sq with
 * amsgrad; RMSprop square_avg, grad_avg when centered, momentum_buffer when momentum > 0; Adagrad
 * sum), and sizing a backend from a spec never guesses a layout for an optimizer it does not know.
 */
import { describe, expect, it } from 'vitest';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createOptimizer, OPTIMIZER_NAMES, optimizerStateBuffers } from '../../../src/core/optimizers/index.js';
import type { OptimizerSpec, TrainSpec } from '../../../src/core/spec.js';
import { trainerFloats } from '../../../src/core/trainer.js';
import type { Param } from '../../../src/core/types.js';

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

const params = (): Param[] =>
  [3, 5].map((n, i) => ({
    name: `p${i}`,
    shape: [n],
    value: new Float32Array(n),
    grad: new Float32Array(n),
    decay: true,
  }));

const VARIANTS: [Partial<OptimizerSpec>, number][] = [
  [{ type: 'sgd' }, 1],
  [{ type: 'sgd', momentum: 0.9 }, 1],
  [{ type: 'adam' }, 2],
  [{ type: 'adam', amsgrad: true }, 3],
  [{ type: 'adamw' }, 2],
  [{ type: 'adamw', amsgrad: true }, 3],
  [{ type: 'rmsprop' }, 1],
  [{ type: 'rmsprop', centered: true }, 2],
  [{ type: 'rmsprop', momentum: 0.9 }, 2],
  [{ type: 'rmsprop', centered: true, momentum: 0.9 }, 3],
  [{ type: 'adagrad' }, 1],
];

describe('optimizer state layout', () => {
  it.each(VARIANTS)("%o: torch's per-parameter state, %i buffer(s) each, each the parameter's size", (over, n) => {
    const spec = { ...base, ...over };
    expect(optimizerStateBuffers(spec)).toBe(n);
    const ps = params();
    const opt = createOptimizer(spec, ps, createScalarBackend());
    expect(opt.state).toHaveLength(n * ps.length);
    expect(opt.state.map((s) => s.length).sort()).toEqual(
      Array.from({ length: n }, () => [3, 5])
        .flat()
        .sort(),
    );
  });

  it('every optimizer is covered above', () => {
    expect(new Set(VARIANTS.map(([o]) => o.type))).toEqual(new Set(OPTIMIZER_NAMES));
  });

  it('an unknown optimizer is refused when sizing a backend (not sized as RMSprop)', () => {
    const spec = {
      model: { layers: [{ type: 'dense', units: 2, activation: 'identity', init: { name: 'default' }, bias: true }] },
      data: { name: 'spirals', n_samples: 20, noise: 0, seed: 0, val_fraction: 0, standardize: false },
      loss: { name: 'cross_entropy' },
      optimizer: { ...base, type: 'lion' },
      batch_size: 4,
      clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
      seed: 0,
    } as unknown as TrainSpec;
    expect(() => trainerFloats(spec, 2, 2, 'classification', 20)).toThrow(/unknown optimizer 'lion'/);
  });
});
