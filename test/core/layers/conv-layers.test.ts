/**
 * The conv layer modules through the model: shapes and the problems of shapes that do not fit (at the
 * layer's pointer), parameter counts as torch counts them, FLOPs (hand-derived), the reading rule of
 * image data (modelInput), trainerFloats = what createTrainer allocates, and finite differences through
 * a small conv net for every parameter and the input.
 */
import { describe, expect, it } from 'vitest';
import { buildModel, countParams, modelFlops, modelInput, validateModel } from '../../../src/core/model.js';
import { createTrainer, trainerFloats } from '../../../src/core/trainer.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createRng } from '../../../src/core/rng.js';
import { createLoss } from '../../../src/core/losses.js';
import { mlpLayers } from '../../../src/core/layers/stacks.js';
import { resolveLayer } from '../../../src/core/layers/registry.js';
import type { Backend } from '../../../src/core/types.js';
import type { Dataset, LayerSpec, ModelSpec, TrainSpec } from '../../../src/core/spec.js';
import { numericGrad, relError } from '../gradcheck.js';

const L = (...raw: object[]): LayerSpec[] => raw.map((l) => resolveLayer(l) as LayerSpec);
const model = (...raw: object[]): ModelSpec => ({ layers: L(...raw) });

/** LeNet-5 as the mnist-cnn preset builds it (the output dense 10 appended) */
const lenet = model(
  { type: 'conv2d', out_channels: 6, kernel_size: 5, padding: 2 },
  { type: 'activation', activation: 'relu' },
  { type: 'maxpool2d', kernel_size: 2 },
  { type: 'conv2d', out_channels: 16, kernel_size: 5 },
  { type: 'activation', activation: 'relu' },
  { type: 'maxpool2d', kernel_size: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 120, activation: 'relu' },
  { type: 'dense', units: 84, activation: 'relu' },
  { type: 'dense', units: 10 },
);

describe('shapes and their problems', () => {
  it('LeNet-5 on [1, 28, 28]: valid, 61,706 parameters (156 + 2,416 + 48,120 + 10,164 + 850, as torch counts)', () => {
    expect(validateModel(lenet, [1, 28, 28], 10)).toEqual([]);
    expect(countParams(lenet, [1, 28, 28])).toBe(61706);
  });
  it('resolves torch defaults: stride 1, padding 0, dilation 1, bias, default init; pool stride = kernel', () => {
    expect(L({ type: 'conv2d', out_channels: 2, kernel_size: [3, 2] })[0]).toEqual({
      type: 'conv2d',
      out_channels: 2,
      kernel_size: [3, 2],
      stride: 1,
      padding: 0,
      dilation: 1,
      bias: true,
      init: { name: 'default' },
    });
    expect(L({ type: 'avgpool2d', kernel_size: 2 })[0]).toEqual({
      type: 'avgpool2d',
      kernel_size: 2,
      stride: null,
      padding: 0,
      count_include_pad: true,
    });
  });
  it('a kernel larger than the input is a problem at the layer', () => {
    const p = validateModel(
      model({ type: 'conv2d', out_channels: 2, kernel_size: 5 }, { type: 'flatten' }),
      [1, 4, 4],
      null,
    );
    expect(p).toEqual([
      {
        path: '/model/layers/0',
        message: expect.stringMatching(/kernel's height 5 is larger than the padded input height 4/),
      },
    ]);
    const q = validateModel(
      model(
        { type: 'conv2d', out_channels: 2, kernel_size: 3 },
        { type: 'maxpool2d', kernel_size: 3, padding: 2 },
        { type: 'flatten' },
      ),
      [1, 8, 8],
      null,
    );
    expect(q[0].path).toBe('/model/layers/1');
    expect(q[0].message).toMatch(/at most half the kernel_size/);
  });
  it('wrong rank: conv on flat input, dense on [C, H, W] without a flatten', () => {
    expect(validateModel(model({ type: 'conv2d', out_channels: 2, kernel_size: 1 }), [12], null)[0]).toEqual({
      path: '/model/layers/0',
      message: expect.stringMatching(/conv2d takes image input/),
    });
    const p = validateModel(
      model({ type: 'conv2d', out_channels: 2, kernel_size: 3 }, { type: 'dense', units: 3 }),
      [1, 5, 5],
      3,
    );
    expect(p[0]).toEqual({ path: '/model/layers/1', message: expect.stringMatching(/add a flatten layer/) });
  });
  it('global_avg_pool gives [C]; flatten gives C·H·W; avgpool keeps channels', () => {
    const m = model(
      { type: 'conv2d', out_channels: 3, kernel_size: 3, stride: 2, padding: 1 },
      { type: 'avgpool2d', kernel_size: 2, stride: 1 },
      { type: 'global_avg_pool' },
      { type: 'dense', units: 2 },
    );
    expect(validateModel(m, [2, 9, 9], 2)).toEqual([]);
    expect(countParams(m, [2, 9, 9])).toBe(3 * 2 * 9 + 3 + 3 * 2 + 2);
  });
  it('FLOPs per row: conv 2·outC·K·P forward + bias, backward dW + db (+ dcol and col2im past the first layer)', () => {
    // conv1 of LeNet on 28×28, pad 2: outC 6, K 25, P 784
    const conv1 = model({ type: 'conv2d', out_channels: 6, kernel_size: 5, padding: 2 });
    const mac = 2 * 6 * 25 * 784,
      plane = 6 * 784;
    expect(modelFlops(conv1, [1, 28, 28])).toBe(mac + plane + (mac + plane) + (mac + 25 * 784));
    // max pooling 2×2 on [6, 28, 28]: 4 compares per output forward, 1 add per output backward
    expect(modelFlops(model({ type: 'maxpool2d', kernel_size: 2 }), [6, 28, 28])).toBe(6 * 14 * 14 * 5);
    expect(modelFlops(model({ type: 'flatten' }), [6, 28, 28])).toBe(0);
  });
});

describe('modelInput: how image data is read', () => {
  const mnist = { features: 784, shape: [1, 28, 28] };
  it('flat when the first shape-sensitive layer takes flat input (an MLP on mnist, the {hidden} shorthand)', () => {
    expect(modelInput(mnist, { layers: mlpLayers([256], 'relu', { name: 'default' }, 10) })).toEqual([784]);
    expect(modelInput(mnist, model({ type: 'dropout', p: 0.2 }, { type: 'dense', units: 3 }))).toEqual([784]);
    expect(modelInput(mnist, model({ type: 'batchnorm' }, { type: 'dense', units: 3 }))).toEqual([784]);
  });
  it('[C, H, W] when it is an image layer, past elementwise layers', () => {
    expect(modelInput(mnist, lenet)).toEqual([1, 28, 28]);
    const tanhFirst = model({ type: 'activation', activation: 'tanh' }, { type: 'flatten' });
    expect(modelInput(mnist, tanhFirst)).toEqual([1, 28, 28]);
  });
  it('flat when the data has no shape (or one that does not match the features)', () => {
    expect(modelInput({ features: 784 }, lenet)).toEqual([784]);
    expect(modelInput({ features: 784, shape: [1, 27, 28] }, lenet)).toEqual([784]);
  });
});

const rng = createRng(9);
const images = (rows: number, shape: number[], classes: number): Dataset => {
  const f = shape.reduce((a, b) => a * b, 1);
  return {
    name: 'img',
    task: 'classification',
    rows,
    features: f,
    shape,
    outputs: classes,
    x: Float32Array.from({ length: rows * f }, () => rng.normal()),
    y: Float32Array.from({ length: rows }, (_, i) => i % classes),
  };
};

describe('trainerFloats covers conv layers exactly', () => {
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
  const nets: [string, ModelSpec][] = [
    ['LeNet', { layers: [...lenet.layers.slice(0, -1), ...L({ type: 'dense', units: 3 })] }],
    [
      'conv no bias, avgpool, global average pool, second conv',
      model(
        { type: 'activation', activation: 'relu' },
        { type: 'conv2d', out_channels: 4, kernel_size: 3, padding: 1, bias: false },
        { type: 'avgpool2d', kernel_size: 3, stride: 2, padding: 1, count_include_pad: false },
        { type: 'conv2d', out_channels: 5, kernel_size: 2, dilation: 2 },
        { type: 'maxpool2d', kernel_size: 2, stride: 1 },
        { type: 'global_avg_pool' },
        { type: 'dense', units: 3 },
      ),
    ],
  ];
  for (const [name, m] of nets) {
    it(name, () => {
      const ds = images(40, [1, 28, 28], 3);
      const spec: TrainSpec = {
        model: m,
        data: { source: 'upload', dataset_id: 'img', task: 'classification', val_fraction: 0.25, standardize: false },
        loss: { name: 'cross_entropy' },
        batch_size: 16,
        seed: 1,
        optimizer: {
          type: 'sgd',
          lr: 0.1,
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
        },
        clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
      };
      const b = counting();
      const t = createTrainer(spec, { backend: b, dataset: ds });
      expect(trainerFloats(spec, ds, 3, 'classification', t.train.rows)).toEqual({
        floats: b.floats,
        allocations: b.allocations,
      });
      expect(Number.isFinite(t.step(0.01).loss)).toBe(true);
    });
  }
});

describe('whole-model gradient through conv layers (finite differences)', () => {
  it('conv(s2, pad 1) → tanh → avgpool(pad, no pad count) → conv(dilation 2) → maxpool → flatten → dense', () => {
    const m = buildModel(
      model(
        { type: 'conv2d', out_channels: 3, kernel_size: 3, stride: 2, padding: 1 },
        { type: 'activation', activation: 'tanh' },
        { type: 'avgpool2d', kernel_size: 3, stride: 1, padding: 1, count_include_pad: false },
        { type: 'conv2d', out_channels: 2, kernel_size: 2, dilation: 2 },
        { type: 'maxpool2d', kernel_size: 2, stride: 1 },
        { type: 'flatten' },
        { type: 'dense', units: 3 },
      ),
      [2, 9, 8],
      { backend: createScalarBackend(), capacity: 4, initRng: createRng(2), dropoutRng: createRng(3) },
    );
    // [2, 9, 8] → conv [3, 5, 4] → avgpool [3, 5, 4] → conv [2, 3, 2] → maxpool [2, 2, 1] → 4 → 3
    expect(m.inDim).toBe(144);
    const r = createRng(5);
    const x = Float32Array.from({ length: 4 * 144 }, () => r.normal());
    const y = Float32Array.of(0, 1, 2, 1);
    const loss = createLoss({ name: 'cross_entropy', label_smoothing: 0 });
    const g = new Float32Array(12),
      scratch = new Float32Array(12);
    loss.forward(m.forward(x, 4, true), y, 4, 3, g);
    m.backward(g, 4);
    const analytic = m.params.map((p) => Array.from(p.grad));
    const f = () => loss.forward(m.forward(x, 4, true), y, 4, 3, scratch);
    expect(m.params.map((p) => p.name)).toEqual([
      'layers.0.weight',
      'layers.0.bias',
      'layers.3.weight',
      'layers.3.bias',
      'layers.6.weight',
      'layers.6.bias',
    ]);
    m.params.forEach((p, i) => expect(relError(numericGrad(f, p.value, 1e-2), analytic[i]), p.name).toBeLessThan(1e-2));
  });
});
