/** Request resolution: presets, PyTorch defaults, cross-field checks and limits (no I/O). */
import { describe, expect, it } from 'vitest';
import { problem, resolveContext } from '../../helpers/resolve.js';
import { countLayerParams } from '../../../src/contracts/params.js';
import { dataShape, outputLayer } from '../../../src/contracts/resolve.js';
import type { LrRangeTestRequest } from '../../../src/kinds/lr-range-tests/contract.js';
import { resolveRangeTest } from '../../../src/kinds/lr-range-tests/resolve.js';

const ctx = resolveContext;
const resolve = (body: LrRangeTestRequest, env: Record<string, string> = {}) => resolveRangeTest(body, ctx(env));

describe('resolveRangeTest', () => {
  it('{} is the spirals-mlp preset with torch-lr-finder defaults', () => {
    const r = resolve({});
    expect(r).toMatchObject({
      preset: 'spirals-mlp',
      start_lr: 1e-7,
      end_lr: 10,
      num_iter: 100,
      step_mode: 'exp',
      smooth_f: 0.05,
      diverge_th: 5,
      suggestion: 'minimum',
      eval: 'train',
      repeats: 1,
      seed: 0,
      batch_size: 64,
      loss: { name: 'cross_entropy' },
    });
    // unset trimming: each method applies its own library's
    expect(r.skip_start).toBeUndefined();
    expect(r.skip_end).toBeUndefined();
    expect(r.emulate).toBeUndefined();
    expect(r.data).toMatchObject({ name: 'spirals', n_samples: 1000, noise: 0.2, seed: 0, val_fraction: 0.2 });
  });

  it('echoes only the arguments the optimizer takes, with torch.optim defaults', () => {
    expect(resolve({}).optimizer).toEqual({
      type: 'adam',
      betas: [0.9, 0.999],
      eps: 1e-8,
      weight_decay: 0,
      amsgrad: false,
    });
    expect(resolve({ optimizer: { type: 'adamw' } }).optimizer.weight_decay).toBe(0.01); // AdamW's default differs from Adam's
    expect(resolve({ optimizer: { type: 'sgd', momentum: 0.9 } }).optimizer).toEqual({
      type: 'sgd',
      momentum: 0.9,
      dampening: 0,
      nesterov: false,
      weight_decay: 0,
    });
    expect(resolve({ optimizer: { type: 'rmsprop' } }).optimizer).toMatchObject({
      alpha: 0.99,
      eps: 1e-8,
      centered: false,
    });
    expect(resolve({ optimizer: { type: 'adagrad' } }).optimizer).toMatchObject({
      eps: 1e-10,
      lr_decay: 0,
      initial_accumulator_value: 0,
    });
  });

  it('request fields replace preset fields wholesale', () => {
    const r = resolve({ preset: 'moons-mlp', optimizer: { type: 'adam' }, batch_size: 8 });
    expect(r.optimizer.type).toBe('adam');
    expect(r.optimizer.momentum).toBeUndefined();
    expect(r.batch_size).toBe(8);
    expect(r.data).toMatchObject({ name: 'moons', noise: 0.2 });
  });

  it('expands the shorthand model: dense → batchnorm → activation → dropout per hidden layer', () => {
    const r = resolve({
      model: { hidden: [32], activation: 'gelu', batchnorm: true, dropout: 0.1 },
      data: { name: 'moons' },
    });
    expect(r.preset).toBeNull();
    expect(r.model.layers.map((l) => l.type)).toEqual(['dense', 'batchnorm', 'activation', 'dropout']);
    expect(r.model.layers[0]).toMatchObject({ units: 32, activation: 'identity', init: { name: 'default' } });
  });

  it('defaults the loss from the task and refuses a mismatch', () => {
    expect(resolve({ data: { name: 'sine' } }).loss).toEqual({ name: 'mse' });
    expect(problem(() => resolve({ data: { name: 'sine' }, loss: 'cross_entropy' })).errors[0].pointer).toBe('/loss');
  });

  it('counts parameters with the output layer and enforces LIMIT_MODEL_PARAMS', () => {
    // 2-64-64-2: (2·64+64) + (64·64+64) + (64·2+2) = 4482 (performance.md's tiny net)
    const layers = [...resolve({}).model.layers, outputLayer({ outputs: 2 }, { name: 'cross_entropy' })];
    expect(countLayerParams(layers, 2)).toBe(4482);
    const p = problem(() => resolve({}, { LIMIT_MODEL_PARAMS: '4481' }));
    expect(p.code).toBe('limit_exceeded');
    expect(p.message).toContain('4482');
    expect(p.message).toContain('LIMIT_MODEL_PARAMS');
  });

  it('784-256-128-64-10 has 242,762 parameters (performance.md)', () => {
    const r = resolve({ preset: 'mnist-mlp' });
    const layers = [...r.model.layers, outputLayer(dataShape(r.data), r.loss)];
    expect(countLayerParams(layers, 784)).toBe(242762);
  });

  it('bce_with_logits on two classes uses one logit', () => {
    expect(outputLayer({ outputs: 2 }, { name: 'bce_with_logits' })).toMatchObject({ units: 1 });
  });

  it('checks inline data and infers classes from labels', () => {
    const r = resolve({
      data: {
        x: [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ],
        y: [0, 1, 1, 2],
        task: 'classification',
      },
    });
    expect(dataShape(r.data)).toEqual({ features: 2, task: 'classification', outputs: 3 });
    expect(
      problem(() => resolve({ data: { x: [[0], [1, 2]], y: [0, 1], task: 'classification' } })).errors[0].pointer,
    ).toBe('/data/x/1');
    expect(
      problem(() => resolve({ data: { x: [[0], [1]], y: [0, 0.5], task: 'classification' } })).errors[0].pointer,
    ).toBe('/data/y/1');
  });

  it('eval "val" needs a validation split', () => {
    expect(problem(() => resolve({ eval: 'val', data: { name: 'spirals', val_fraction: 0 } })).errors[0].pointer).toBe(
      '/eval',
    );
  });

  it('real datasets cap n_samples; classes/features only where they apply', () => {
    expect(problem(() => resolve({ data: { name: 'iris', n_samples: 151 } })).errors[0].pointer).toBe(
      '/data/n_samples',
    );
    expect(problem(() => resolve({ data: { name: 'moons', classes: 3 } })).errors[0].pointer).toBe('/data/classes');
  });
});

describe('emulate', () => {
  it("the library's arguments with its own defaults; the top-level plan fields echo them; the library's default method", () => {
    const r = resolve({ emulate: 'lightning' });
    expect(r.emulate).toEqual({
      library: 'lightning',
      start_lr: 1e-8,
      end_lr: 1,
      num_iter: 100,
      step_mode: 'exp',
      beta: 0.98,
      diverge_th: 4,
      global_step: 0,
    });
    expect(r).toMatchObject({ start_lr: 1e-8, end_lr: 1, num_iter: 100, suggestion: 'lightning' });
    expect(resolve({ emulate: 'torch-lr-finder' }).suggestion).toBe('steepest');
    expect(resolve({ emulate: 'keras-lr-finder' }).suggestion).toBe('keras_sma');
    expect(resolve({ emulate: 'ignite', suggestion: 'valley' }).suggestion).toBe('valley');
  });

  it("the request's own plan fields are the library's where `emulate` leaves them out; keras and ignite plan num_iter steps (default 100)", () => {
    expect(resolve({ emulate: 'fastai', num_iter: 60, start_lr: 1e-6 }).emulate).toMatchObject({
      num_iter: 60,
      start_lr: 1e-6,
      end_lr: 10,
    });
    expect(resolve({ emulate: { library: 'torch-lr-finder', smooth_f: 0.1 }, smooth_f: 0.2 }).emulate).toMatchObject({
      smooth_f: 0.1,
    });
    expect(resolve({ emulate: 'fastai', smooth_f: 0.2 }).emulate).not.toHaveProperty('smooth_f'); // fastai has no smooth_f
    expect(resolve({ emulate: 'keras-lr-finder' }).emulate).toMatchObject({ num_iter: 100, steps_per_epoch: null });
    expect(resolve({ emulate: 'ignite' }).emulate).toMatchObject({ num_iter: 100 });
  });

  it.each<[string, LrRangeTestRequest, string, string]>([
    [
      'an argument the library does not have',
      { emulate: { library: 'fastai', smooth_f: 0.1 } },
      '/emulate/smooth_f',
      'invalid_request',
    ],
    [
      'num_iter None (a range test plans ahead)',
      { emulate: { library: 'ignite', num_iter: null } },
      '/emulate/num_iter',
      'invalid_request',
    ],
    [
      'num_iter above LIMIT_NUM_ITER',
      { emulate: { library: 'fastai', num_iter: 6000 } },
      '/emulate/num_iter',
      'limit_exceeded',
    ],
    [
      'a falling plan',
      { emulate: { library: 'torch-lr-finder', start_lr: 1, end_lr: 1e-3 } },
      '/emulate/end_lr',
      'invalid_request',
    ],
    ['what the library rejects', { emulate: { library: 'ignite', diverge_th: 0.5 } }, '/emulate', 'invalid_request'],
  ])('%s: a 400 naming the field', (_n, body, pointer, code) => {
    const p = problem(() => resolve(body));
    expect(p.code).toBe(code);
    expect(p.errors[0].pointer).toBe(pointer);
  });
});

describe('the echoed request', () => {
  const bodies: LrRangeTestRequest[] = [
    {},
    { preset: 'sine-mlp' },
    { preset: 'mnist-mlp', num_iter: 50 },
    {
      data: { name: 'blobs', classes: 4, features: 3 },
      model: { hidden: [8], batchnorm: true, dropout: 0.2, init: { name: 'uniform', a: -0.1, b: 0.1 } },
    },
    {
      data: {
        x: [
          [0, 0],
          [0, 1],
          [1, 0],
          [1, 1],
        ],
        y: [0, 1, 1, 0],
        task: 'classification',
      },
      model: {
        layers: [
          { type: 'dense', units: 4, activation: 'tanh', init: { name: 'trunc_normal', std: 0.02, a: -0.04, b: 0.04 } },
          { type: 'residual', layers: [{ type: 'dense', units: 4, activation: 'relu' }] },
        ],
      },
    },
    {
      preset: 'moons-mlp',
      optimizer: { type: 'rmsprop', centered: true },
      loss: { name: 'cross_entropy', label_smoothing: 0.1 },
    },
    { preset: 'iris-mlp', emulate: 'lightning', num_iter: 60, skip_start: 5, sma: 3 },
    { emulate: { library: 'keras-lr-finder', steps_per_epoch: 40 }, start_lr: 1e-5 },
  ];

  it.each(bodies.map((b) => [JSON.stringify(b).slice(0, 60), b]))(
    '%s validates as a request body and re-resolves to itself',
    async (_n, body) => {
      const { Ajv } = await import('ajv');
      const { SHARED_SCHEMAS } = await import('../../../src/api/schemas.js');
      const ajv = new Ajv({ strict: false, coerceTypes: false });
      for (const s of SHARED_SCHEMAS) ajv.addSchema(s as object);
      const validate = ajv.getSchema('LrRangeTestRequest')!;
      const echo = JSON.parse(JSON.stringify(resolve(body)));
      expect(validate(echo), JSON.stringify(validate.errors)).toBe(true);
      expect(resolve(echo)).toEqual(echo);
    },
  );
});
