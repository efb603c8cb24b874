import { describe, expect, it } from 'vitest';
import { buildModel, countParams, mlpSpec, validateModel } from '../../src/core/model.js';
import { createScalarBackend } from '../../src/core/kernels/scalar.js';
import { createRng } from '../../src/core/rng.js';
import { createLoss } from '../../src/core/losses.js';
import type { ActivationName, LayerSpec, ModelSpec } from '../../src/core/spec.js';
import { numericGrad, relError } from './gradcheck.js';

const dense = (units: number, activation: ActivationName = 'relu', bias = true): LayerSpec => ({
  type: 'dense',
  units,
  activation,
  init: { name: 'default' },
  bias,
});

const build = (spec: ModelSpec, inDim: number, capacity = 6) => {
  const r = createRng(1);
  return buildModel(spec, inDim, {
    backend: createScalarBackend(),
    capacity,
    initRng: r.fork('init'),
    dropoutRng: r.fork('dropout'),
  });
};

describe('countParams (before allocation)', () => {
  it('784-256-128-64-10 MLP = 242,762 parameters (200960 + 32896 + 8256 + 650, as torch counts)', () => {
    expect(countParams(mlpSpec([256, 128, 64], 'relu', { name: 'default' }, 10), 784)).toBe(242762);
  });
  it('counts norms, residual blocks, no-bias layers; equals the built model', () => {
    const spec: ModelSpec = {
      layers: [
        dense(8),
        { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
        { type: 'dropout', p: 0.1 },
        {
          type: 'residual',
          layers: [dense(16, 'gelu'), { type: 'layernorm', eps: 1e-5 }, dense(8, 'identity', false)],
        },
        dense(3, 'identity'),
      ],
    };
    const expected = 4 * 8 + 8 + 16 + (8 * 16 + 16 + 32 + 16 * 8) + (8 * 3 + 3);
    expect(countParams(spec, 4)).toBe(expected);
    expect(build(spec, 4).params.reduce((a, p) => a + p.value.length, 0)).toBe(expected);
    expect(build(spec, 4).params.map((p) => p.name)).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.1.weight',
      'layers.1.bias',
      'layers.3.layers.0.weight',
      'layers.3.layers.0.bias',
      'layers.3.layers.1.weight',
      'layers.3.layers.1.bias',
      'layers.3.layers.2.weight',
      'layers.4.weight',
      'layers.4.bias',
    ]);
  });
});

describe('validateModel', () => {
  it('accepts a valid model', () => {
    expect(validateModel(mlpSpec([8], 'relu', { name: 'default' }, 3), 4, 3)).toEqual([]);
  });
  it('output width must match the data, pointing at the last dense layer', () => {
    const p = validateModel(
      {
        layers: [
          dense(8),
          { type: 'dropout', p: 0.2 },
          dense(5, 'identity'),
          { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
        ],
      },
      4,
      3,
    );
    expect(p).toEqual([
      { path: '/model/layers/2/units', message: 'the last dense layer has 5 units but the data needs 3 outputs' },
    ]);
  });
  it('residual dimension mismatch, bad units, unknown names, with JSON pointers', () => {
    const spec = {
      layers: [
        dense(8),
        { type: 'residual', layers: [dense(4)] },
        { type: 'dense', units: 0, activation: 'swish', init: { name: 'he' }, bias: true },
        { type: 'dropout', p: 1.5 },
        { type: 'conv3d' },
        dense(3, 'identity'),
      ],
    } as unknown as ModelSpec;
    const paths = validateModel(spec, 2, 3).map((p) => p.path);
    expect(paths).toEqual([
      '/model/layers/1/layers/0/units',
      '/model/layers/2/units',
      '/model/layers/2/activation',
      '/model/layers/2/init/name',
      '/model/layers/3/p',
      '/model/layers/4/type',
    ]);
    expect(() => build(spec, 2)).toThrow(/invalid model/);
  });
  it('an empty model is a problem', () => {
    expect(validateModel({ layers: [] }, 2, 2)[0].path).toBe('/model/layers');
  });
});

describe('whole-model gradient (dense + batchnorm + residual(layernorm) + cross_entropy)', () => {
  it('matches finite differences for every parameter', () => {
    const spec: ModelSpec = {
      layers: [
        dense(6, 'tanh'),
        { type: 'batchnorm', momentum: 0.1, eps: 1e-5 },
        { type: 'residual', layers: [dense(5, 'gelu'), { type: 'layernorm', eps: 1e-5 }, dense(6, 'identity')] },
        dense(3, 'identity'),
      ],
    };
    const m = build(spec, 4, 6);
    const rng = createRng(4);
    const x = Float32Array.from({ length: 24 }, () => rng.normal());
    const y = Float32Array.of(0, 1, 2, 0, 1, 2);
    const loss = createLoss({ name: 'cross_entropy', label_smoothing: 0.1 });
    const g = new Float32Array(18),
      scratch = new Float32Array(18);
    loss.forward(m.forward(x, 6, true), y, 6, 3, g);
    m.backward(g, 6);
    const analytic = m.params.map((p) => Array.from(p.grad));
    const f = () => loss.forward(m.forward(x, 6, true), y, 6, 3, scratch);
    m.params.forEach((p, i) => expect(relError(numericGrad(f, p.value, 1e-2), analytic[i]), p.name).toBeLessThan(1e-2));
  });
});
