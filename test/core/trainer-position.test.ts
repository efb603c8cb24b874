/**
 * A trainer's whole position (CoreTrainer.position / moveTo; Rng.save / load): a fresh trainer of
 * the same spec moved to another's position after k steps continues bit for bit as the original
 * does — across an epoch boundary (the reshuffle draws from the saved shuffle stream) and with
 * dropout (the masks come from the saved dropout stream). Without the streams it would not: the
 * snapshot alone (weights, optimizer state) gives other batches.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { createTrainer } from '../../src/core/trainer.js';
import type { DataSpec, LayerSpec, OptimizerSpec, TrainSpec } from '../../src/core/spec.js';

const sgd: OptimizerSpec = {
  type: 'sgd',
  lr: 0.05,
  momentum: 0.9,
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
const data: DataSpec = {
  source: 'builtin',
  name: 'spirals',
  n_samples: 100,
  noise: 0.2,
  seed: 0,
  val_fraction: 0,
  standardize: false,
};
const layers: LayerSpec[] = [
  { type: 'dense', units: 16, activation: 'tanh', init: { name: 'default' }, bias: true },
  { type: 'dropout', p: 0.3 },
  { type: 'dense', units: 2, activation: 'identity', init: { name: 'default' }, bias: true },
] as LayerSpec[];
const spec: TrainSpec = {
  model: { layers },
  data,
  loss: { name: 'cross_entropy' },
  optimizer: sgd,
  batch_size: 32,
  clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
  seed: 3,
};

describe('trainer position', () => {
  it('a stream resumes where save() found it, the cached normal included', () => {
    const a = createRng(7);
    a.next();
    a.normal();
    const p = JSON.parse(JSON.stringify(a.save()));
    const b = createRng(99);
    b.load(p);
    expect([b.normal(), b.next(), b.nextU32()]).toEqual([a.normal(), a.next(), a.nextU32()]);
  });

  it('a fresh trainer moved to the position after 5 steps continues as the original, past the epoch boundary', () => {
    const a = createTrainer(spec);
    for (let i = 0; i < 5; i++) a.step(0.05);
    const b = createTrainer(spec);
    b.moveTo(structuredClone(a.position()));
    // 100 rows / batch 32: an epoch is 3 batches, so 10 more steps reshuffle three times
    const la = Array.from({ length: 10 }, () => a.step(0.05).loss);
    const lb = Array.from({ length: 10 }, () => b.step(0.05).loss);
    expect(lb).toEqual(la);
    expect(Array.from(b.model.params[0].value)).toEqual(Array.from(a.model.params[0].value));
  });

  it('the snapshot alone does not continue it (the batches and dropout masks differ)', () => {
    const a = createTrainer(spec);
    for (let i = 0; i < 5; i++) a.step(0.05);
    const b = createTrainer(spec);
    b.restore(a.snapshot());
    expect(b.step(0.05).loss).not.toBe(a.step(0.05).loss);
  });
});
