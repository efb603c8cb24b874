/** Layer warnings on real trainers: the textbook failure modes of initialisation show up. */
import { describe, expect, it } from 'vitest';
import { createTrainer } from '../../src/core/trainer.js';
import type { InitSpec, TrainSpec } from '../../src/core/spec.js';
import {
  appendLayerStats,
  downsampleLayers,
  layerWarnings,
  sampleIndex,
  type LayerSeries,
} from '../../src/lrfinder/layer-diagnostics.js';

function spec(init: InitSpec, activation: 'relu' | 'tanh', depth: number): TrainSpec {
  const hidden = Array.from({ length: depth }, () => ({
    type: 'dense' as const,
    units: 64,
    activation,
    init,
    bias: true,
  }));
  return {
    model: {
      layers: [...hidden, { type: 'dense', units: 2, activation: 'identity', init: { name: 'default' }, bias: true }],
    },
    data: {
      source: 'builtin' as const,
      name: 'spirals',
      n_samples: 256,
      noise: 0.2,
      seed: 0,
      val_fraction: 0,
      standardize: true,
    },
    loss: { name: 'cross_entropy' },
    optimizer: {
      type: 'sgd',
      lr: 1e-3,
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
    batch_size: 64,
    clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
    seed: 0,
  };
}

function firstStep(s: TrainSpec) {
  const t = createTrainer(s);
  const r = t.step(1e-3);
  const series: LayerSeries[] = [];
  appendLayerStats(series, t.layerStats());
  return { series, gradNorms: [r.grad_norm] };
}

const codes = (w: { code: string }[]) => w.map((x) => x.code);

describe('layerWarnings', () => {
  it('kaiming-initialised ReLU net: no warning', () => {
    const { series, gradNorms } = firstStep(spec({ name: 'kaiming_normal' }, 'relu', 6));
    expect(codes(layerWarnings(series, gradNorms, null))).toEqual([]);
  });

  it('a deep tanh net with N(0, 0.01²) weights: vanishing gradients', () => {
    const { series, gradNorms } = firstStep(spec({ name: 'normal', mean: 0, std: 0.01 }, 'tanh', 6));
    expect(codes(layerWarnings(series, gradNorms, null))).toEqual(
      expect.arrayContaining(['vanishing_gradients', 'vanishing_activations']),
    );
  });

  it('a deep ReLU net with N(0, 1) weights: exploding activations', () => {
    const { series, gradNorms } = firstStep(spec({ name: 'normal', mean: 0, std: 1 }, 'relu', 6));
    expect(codes(layerWarnings(series, gradNorms, null))).toContain('exploding_activations');
  });

  it('gradient norms 1e3 apart between the first and last weight layers: exploding gradients', () => {
    const row = (layer: string, g: number) => ({
      layer,
      grad_norm: [g],
      weight_norm: [1],
      update_ratio: [0],
      act_mean: [0],
      act_std: [1],
      dead_fraction: [0],
    });
    expect(codes(layerWarnings([row('a', 5e3), row('b', 1), row('out', 2)], [1], null))).toEqual([
      'exploding_gradients',
    ]);
    expect(codes(layerWarnings([row('a', 5e2), row('b', 1), row('out', 1)], [1], null))).toEqual([]);
  });

  it('zeros everywhere: zero gradients', () => {
    const s = spec({ name: 'zeros' }, 'relu', 2);
    s.model.layers[s.model.layers.length - 1] = {
      type: 'dense',
      units: 2,
      activation: 'identity',
      init: { name: 'zeros' },
      bias: true,
    };
    const { series, gradNorms } = firstStep(s);
    expect(codes(layerWarnings(series, gradNorms, null))).toContain('zero_gradients');
  });

  it('flags a layer whose ReLUs are mostly dead at the suggested iteration', () => {
    const series: LayerSeries[] = [
      {
        layer: 'layers.0',
        grad_norm: [1, 1],
        weight_norm: [1, 1],
        update_ratio: [0, 0],
        act_mean: [0, 0],
        act_std: [1, 1],
        dead_fraction: [0.1, 0.8],
      },
    ];
    expect(layerWarnings(series, [1, 1], 1)).toEqual([expect.objectContaining({ code: 'dead_units', iteration: 1 })]);
    expect(layerWarnings(series, [1, 1], 0)).toEqual([]);
  });
});

describe('downsampleLayers (LIMIT_LAYER_POINTS)', () => {
  it('sampleIndex keeps the first and the last and spaces the rest evenly (numpy.linspace, rounded)', () => {
    expect(sampleIndex(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleIndex(11, 3)).toEqual([0, 5, 10]);
    // np.round(np.linspace(0, 999, 4)) = [0, 333, 666, 999]
    expect(sampleIndex(1000, 4)).toEqual([0, 333, 666, 999]);
    // np.linspace(0, 9, 4) = [0, 3, 6, 9]
    expect(sampleIndex(10, 4)).toEqual([0, 3, 6, 9]);
    expect(sampleIndex(0, 4)).toEqual([]);
  });

  it('cuts every field of every layer to the same points and says which', () => {
    const n = 1000;
    const ramp = (k: number) => Array.from({ length: n }, (_, i) => i * k);
    const s: LayerSeries = {
      layer: 'l',
      grad_norm: ramp(1),
      weight_norm: ramp(2),
      update_ratio: ramp(3),
      act_mean: ramp(4),
      act_std: ramp(5),
      dead_fraction: ramp(6),
    };
    const { layers, index } = downsampleLayers([s, { ...s, layer: 'm' }], 200);
    expect(index).toHaveLength(200);
    expect(index[0]).toBe(0);
    expect(index[199]).toBe(n - 1);
    for (const l of layers) {
      expect(l.grad_norm).toEqual(index.map((i) => i));
      expect(l.dead_fraction).toEqual(index.map((i) => 6 * i));
    }
    expect(downsampleLayers([s], 5000).layers[0].grad_norm).toHaveLength(n);
  });
});
