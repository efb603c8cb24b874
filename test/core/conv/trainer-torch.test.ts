/**
 * The conv layers through the real trainer (createTrainer: registry-built model, loss, SGD) against
 * PyTorch 1.13 on every backend: conv2d(1→4, k3, pad 1) → relu → maxpool2d 2 → flatten → dense 3,
 * mean cross-entropy, SGD lr 0.05, 50 steps, from tiny_net.json's initial weights on its 40 rows with
 * batch_size = rows (test/fixtures/conv/tiny_net_full.json, `python3 generate.py full`). The trainer's
 * per-epoch shuffle reorders the rows inside the one batch, so the sums round differently: losses and
 * final weights within 1e-5 relative (of the tensor's largest magnitude), not bit-for-bit.
 */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../../src/core/trainer.js';
import type { Dataset, LayerSpec, OptimizerSpec, TrainSpec } from '../../../src/core/spec.js';
import { resolveLayer } from '../../../src/core/layers/registry.js';
import { BACKENDS, fixture, type Tensor } from './helpers.js';

interface Full {
  lr: number;
  steps: number;
  init: Record<string, Tensor>;
  final: Record<string, Tensor>;
  x: Tensor;
  y: number[];
  losses: number[];
}
const net = fixture<Full>('tiny_net_full.json');

const sgd: OptimizerSpec = {
  type: 'sgd',
  lr: net.lr,
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
/** the wire layers, resolved as a request's are */
const layers = [
  { type: 'conv2d', out_channels: 4, kernel_size: 3, padding: 1 },
  { type: 'activation', activation: 'relu' },
  { type: 'maxpool2d', kernel_size: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 3 },
].map((l) => resolveLayer(l) as LayerSpec);
/** trainer param name → the torch module's */
const NAMES: Record<string, string> = {
  'layers.0.weight': 'conv.weight',
  'layers.0.bias': 'conv.bias',
  'layers.4.weight': 'linear.weight',
  'layers.4.bias': 'linear.bias',
};
const rows = net.y.length;
const dataset: Dataset = {
  name: 'tiny',
  task: 'classification',
  x: Float32Array.from(net.x.data),
  y: Float32Array.from(net.y),
  rows,
  features: 64,
  shape: [1, 8, 8],
  outputs: 3,
};
const spec: TrainSpec = {
  model: { layers },
  data: { source: 'upload', dataset_id: 'tiny', task: 'classification', val_fraction: 0, standardize: false },
  loss: { name: 'cross_entropy' },
  optimizer: sgd,
  batch_size: rows,
  seed: 3,
  clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
};

const relErr = (got: ArrayLike<number>, want: number[]): number => {
  const scale = Math.max(...want.map(Math.abs), 1e-30);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale);
  return worst;
};

describe('conv net through createTrainer vs PyTorch 1.13 (tiny_net_full.json)', () => {
  for (const b of BACKENDS) {
    it.skipIf(b.skip !== null)(`${b.label}: 50 SGD steps, losses and final weights within 1e-5`, () => {
      const t = createTrainer(spec, { backend: b.make(), dataset });
      expect(t.model.params.map((p) => p.name).sort()).toEqual(Object.keys(NAMES).sort());
      expect(t.model.params[0].shape).toEqual([4, 1, 3, 3]);
      for (const p of t.model.params) p.value.set(net.init[NAMES[p.name]].data);
      const losses = Array.from({ length: net.steps }, () => t.step(net.lr).loss);
      expect(relErr(losses, net.losses)).toBeLessThan(1e-5);
      // the net learns: a check that the comparison is not between two flat lines
      expect(net.losses[49]).toBeLessThan(0.8 * net.losses[0]);
      for (const p of t.model.params) expect(relErr(p.value, net.final[NAMES[p.name]].data)).toBeLessThan(1e-5);
    });
  }
});
