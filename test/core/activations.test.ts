import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, activationNames, type Activation } from '../../src/core/activations.js';
import { erf, erfinv } from '../../src/core/erf.js';

/** central differences in float64 on the scalar functions */
function checkDerivative(act: Activation, k: number, xs: number[]): number {
  let worst = 0;
  for (const x of xs) {
    const h = 1e-5;
    const num = (act.forward(x + h, k) - act.forward(x - h, k)) / (2 * h);
    const ana = act.derivative(x, act.forward(x, k), k);
    worst = Math.max(worst, Math.abs(num - ana) / Math.max(1e-3, Math.abs(num) + Math.abs(ana)));
  }
  return worst;
}

// points away from the kinks at 0 (relu, leaky_relu, elu's second derivative)
const XS = [-25, -6, -3.3, -2, -1.1, -0.7, -0.3, -0.05, 0.05, 0.2, 0.9, 1.5, 2.7, 4, 19.5, 21, 30];

describe('activations: {forward, derivative} table', () => {
  it('has every torch name', () => {
    expect(activationNames().sort()).toEqual([
      'elu',
      'gelu',
      'identity',
      'leaky_relu',
      'relu',
      'sigmoid',
      'silu',
      'softplus',
      'tanh',
    ]);
  });
  for (const name of activationNames()) {
    it(`${name}: derivative matches central differences`, () => {
      const act = ACTIVATIONS[name];
      expect(checkDerivative(act, act.k, XS)).toBeLessThan(1e-6);
      if (name === 'leaky_relu' || name === 'elu') expect(checkDerivative(act, 0.2, XS)).toBeLessThan(1e-6);
    });
  }
  it('the checker fails a deliberately wrong derivative (tanh with 1 - y instead of 1 - y²)', () => {
    const wrong: Activation = { ...ACTIVATIONS.tanh, derivative: (_x, y) => 1 - y };
    expect(checkDerivative(wrong, 0, XS)).toBeGreaterThan(0.1);
    const wrongSilu: Activation = { ...ACTIVATIONS.silu, derivative: (x) => 1 / (1 + Math.exp(-x)) };
    expect(checkDerivative(wrongSilu, 0, XS)).toBeGreaterThan(0.1);
  });
  it('forward values match torch defaults', () => {
    expect(ACTIVATIONS.leaky_relu.forward(-2, ACTIVATIONS.leaky_relu.k)).toBeCloseTo(-0.02, 12);
    expect(ACTIVATIONS.elu.forward(-1, 1)).toBeCloseTo(Math.exp(-1) - 1, 12);
    // torch.nn.functional.gelu(torch.tensor(1.0)) = 0.8413447460685429 (x·Φ(x))
    expect(ACTIVATIONS.gelu.forward(1, 0)).toBeCloseTo(0.8413447460685429, 12);
    expect(ACTIVATIONS.gelu.forward(-1, 0)).toBeCloseTo(-0.15865525393145707, 12);
    expect(ACTIVATIONS.silu.forward(1, 0)).toBeCloseTo(0.7310585786300049, 12);
    // softplus: log1p(exp(x)) below the threshold 20, x above it
    expect(ACTIVATIONS.softplus.forward(1, 0)).toBeCloseTo(1.3132616875182228, 12);
    expect(ACTIVATIONS.softplus.forward(25, 0)).toBe(25);
    expect(ACTIVATIONS.softplus.forward(-800, 0)).toBe(0);
    expect(ACTIVATIONS.sigmoid.forward(-800, 0)).toBe(0);
    expect(ACTIVATIONS.sigmoid.forward(800, 0)).toBe(1);
    expect(ACTIVATIONS.relu.forward(-1, 0)).toBe(0);
  });
});

describe('erf / erfinv', () => {
  it('erf matches reference values to 1e-12', () => {
    const ref: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753108],
      [2, 0.9953222650189527],
      [2.5, 0.999593047982555],
      [3, 0.9999779095030014],
      [4, 0.9999999845827421],
      [-1, -0.8427007929497149],
    ];
    for (const [x, e] of ref) expect(Math.abs(erf(x) - e)).toBeLessThan(1e-12);
  });
  it('erfinv inverts erf', () => {
    for (const y of [-0.999, -0.9, -0.5, -0.1, 0, 0.3, 0.77, 0.99, 0.999999]) expect(erf(erfinv(y))).toBeCloseTo(y, 12);
  });
});
