/** The init and gradients checks on hand-made layer statistics. */
import { describe, expect, it } from 'vitest';
import {
  chanceLoss,
  checkGradients,
  checkInit,
  meanPredictionLoss,
  type InitLayerStats,
} from '../../../../src/kinds/diagnostics/checks/index.js';

const layer = (i: number, act_std: number, grad_norm = 1, kind = 'dense'): InitLayerStats => ({
  layer: `layers.${i}`,
  kind,
  act_mean: 0,
  act_std,
  dead_fraction: 0,
  weight_norm: kind === 'dense' ? 1 : 0,
  grad_norm,
});
/** hidden layers with the given stds, then an output layer */
const net = (stds: number[], grads?: number[]) => [...stds, 1].map((s, i) => layer(i, s, grads?.[i] ?? 1));
const init = (layers: InitLayerStats[], initial_loss = Math.LN2, expected_loss = Math.LN2) =>
  checkInit({ layers, initial_loss, expected_loss, expected_basis: 'ln 2' });

describe('chance-level loss', () => {
  it('ln C for cross entropy, ln 2 for BCE, none for regression', () => {
    expect(chanceLoss('cross_entropy', 10)).toBe(Math.log(10));
    expect(chanceLoss('bce_with_logits', 2)).toBe(Math.LN2);
    expect(chanceLoss('mse', 1)).toBeNull();
  });
  it('regression: MSE of predicting the mean is the (biased) variance of the targets', () => {
    // targets 1, 2, 3, 6: mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
    expect(meanPredictionLoss({ name: 'mse' }, Float32Array.from([1, 2, 3, 6]), 4, 1)).toBeCloseTo(3.5, 6);
  });
});

describe('checkInit', () => {
  it('passes a net whose activation scale stays put and whose loss is at chance level', () => {
    const c = init(net([0.8, 0.7, 0.9]), 0.7);
    expect(c.status).toBe('pass');
    expect(c.details).toMatchObject({
      act_std_first: 0.8,
      act_std_last: 0.9,
      first_layer: 'layers.0',
      last_layer: 'layers.2',
    });
    expect(c.details.act_std_growth).toBeCloseTo(0.9 / 0.8, 12);
  });

  it('fails when activations grow more than 100× across the hidden layers (the output layer is not counted)', () => {
    const c = init([...net([1, 10, 101]).slice(0, 3), layer(3, 1e6)]);
    expect(c.status).toBe('fail');
    expect(c.summary).toMatch(/explode/);
    expect(c.details.act_std_growth).toBeCloseTo(101, 10);
    expect(c.hints[0]).toMatch(/kaiming_normal.*He et al\. 2015.*Glorot & Bengio 2010/);
    expect(init(net([1, 10, 99])).status).toBe('warn'); // between 10× and 100×
    // blown up in the middle, back down at the end: still an explosion, at the layer where it peaked
    const mid = init(net([1, 500, 2]));
    expect(mid.status).toBe('fail');
    expect(mid.summary).toMatch(/grows 500× from layers\.0 \(std 1\) to layers\.1/);
    expect(mid.details).toMatchObject({ act_std_max_ratio: 500, act_std_growth: 2 });
  });

  it('fails when activations shrink below 1/100, or a hidden layer outputs a constant', () => {
    expect(init(net([1, 0.1, 0.009])).summary).toMatch(/vanish/);
    expect(init(net([1, 0.1, 0.009])).status).toBe('fail');
    const dead = init(net([0, 1]));
    expect(dead.status).toBe('fail');
    expect(dead.summary).toMatch(/layers\.0 output a constant/);
  });

  it("warns when more than half of a hidden layer's units are dead at init", () => {
    const layers = net([1, 1]);
    layers[1] = { ...layers[1], dead_fraction: 0.75 };
    const c = init(layers);
    expect(c.status).toBe('warn');
    expect(c.summary).toMatch(/75% of layers\.1's units output 0/);
    expect(c.details.dead_layers).toEqual([{ layer: 'layers.1', dead_fraction: 0.75 }]);
    layers[1] = { ...layers[1], dead_fraction: 0.5 };
    expect(init(layers).status).toBe('pass');
  });

  it('warns when the initial loss is more than 1.5× chance, fails when it is not finite', () => {
    const high = init(net([1, 1]), 1.6 * Math.LN2);
    expect(high.status).toBe('warn');
    expect(high.details.loss_ratio).toBeCloseTo(1.6, 12);
    expect(high.hints[0]).toMatch(/last layer/);
    expect(init(net([1, 1]), 1.4 * Math.LN2).status).toBe('pass');
    const nan = init(net([1, 1]), NaN);
    expect(nan.status).toBe('fail');
    expect(nan.details.initial_loss).toBeNull();
  });
});

describe('checkGradients', () => {
  it('passes O(1) gradients of similar size in every layer', () => {
    const c = checkGradients(net([1, 1], [0.5, 1, 2]), 2.3);
    expect(c.status).toBe('pass');
    expect(c.details).toMatchObject({
      first_layer: 'layers.0',
      last_layer: 'layers.2',
      first_last_ratio: 0.25,
      zero_gradient_layers: [],
    });
  });

  it('fails on NaN/Inf gradients with a clip hint', () => {
    const c = checkGradients(net([1, 1], [1, Infinity, 1]), Infinity);
    expect(c.status).toBe('fail');
    expect(c.details.total_grad_norm).toBeNull();
    expect(c.hints[0]).toMatch(/clip gradients \(clip_grad_norm\), check the data/);
  });

  it('fails on a layer with exactly zero gradient (activation layers have none and are ignored)', () => {
    const layers = [layer(0, 1, 0), layer(1, 1, 0, 'activation'), layer(2, 1, 1)];
    const c = checkGradients(layers, 1);
    expect(c.status).toBe('fail');
    expect(c.details.zero_gradient_layers).toEqual(['layers.0']);
  });

  it('vanishing / exploding first-to-last ratio: warn beyond 1e3, fail beyond 1e6', () => {
    expect(checkGradients(net([1, 1], [1e-4, 1, 1]), 1)).toMatchObject({ status: 'warn' });
    expect(checkGradients(net([1, 1], [1e-4, 1, 1]), 1).summary).toMatch(/vanishing/);
    expect(checkGradients(net([1, 1], [1e-7, 1, 1]), 1).status).toBe('fail');
    expect(checkGradients(net([1, 1], [1e4, 1, 1]), 1e4).summary).toMatch(/exploding/);
    expect(checkGradients(net([1, 1], [1e7, 1, 1]), 1e7).status).toBe('fail');
    expect(checkGradients(net([1, 1], [999, 1, 1]), 999).status).toBe('pass');
  });

  it('warns on a total gradient norm above 1e3', () => {
    const c = checkGradients(net([1, 1], [800, 900, 700]), 1400);
    expect(c.status).toBe('warn');
    expect(c.hints[0]).toMatch(/clip_grad_norm/);
  });
});
