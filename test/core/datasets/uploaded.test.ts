/** An uploaded dataset's spec: the rows come from the caller; the split follows the training seed exactly as for inline
 * rows. */
import { describe, expect, it } from 'vitest';
import { fromArrays, loadDataset } from '../../../src/core/datasets/index.js';
import type { TrainSpec } from '../../../src/core/spec.js';
import { createTrainer } from '../../../src/core/trainer.js';

const x = Array.from({ length: 64 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
const y = x.map(([a, b]) => (a * b > 0 ? 1 : 0));

function spec(data: TrainSpec['data']): TrainSpec {
  return {
    model: {
      layers: [
        { type: 'dense', units: 8, activation: 'tanh', init: { name: 'xavier_normal' }, bias: true },
        { type: 'dense', units: 2, activation: 'identity', init: { name: 'default' }, bias: true },
      ],
    },
    data,
    loss: { name: 'cross_entropy' },
    optimizer: {
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
    },
    batch_size: 16,
    clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
    seed: 5,
  };
}

describe('uploaded datasets in the core', () => {
  it('loadDataset refuses to invent the rows', () => {
    expect(() =>
      loadDataset({
        source: 'upload',
        dataset_id: 'abc',
        task: 'classification',
        val_fraction: 0.25,
        standardize: true,
      }),
    ).toThrow(/loaded by the worker/);
  });

  it('trains exactly as the same rows sent inline', () => {
    const inline = createTrainer(
      spec({ source: 'inline', inline: { x, y, task: 'classification' }, val_fraction: 0.25, standardize: true }),
    );
    const uploaded = createTrainer(
      spec({ source: 'upload', dataset_id: 'abc', task: 'classification', val_fraction: 0.25, standardize: true }),
      { dataset: fromArrays('upload', x, y, 'classification') },
    );
    const a = Array.from({ length: 20 }, () => inline.step(1e-2).loss);
    const b = Array.from({ length: 20 }, () => uploaded.step(1e-2).loss);
    expect(b).toEqual(a);
    expect(uploaded.evaluate('val')).toEqual(inline.evaluate('val'));
  });
});
