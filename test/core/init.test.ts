import { describe, expect, it } from 'vitest';
import { calculateGain, initDense, INITIALIZERS } from '../../src/core/init.js';
import { createRng } from '../../src/core/rng.js';
import type { InitSpec } from '../../src/core/spec.js';
import { createScalarBackend } from '../../src/core/kernels/scalar.js';
import { ACTIVATIONS, activationForward } from '../../src/core/activations.js';

function init(spec: InitSpec, out: number, inp: number, seed = 1, bias = false) {
  const w = new Float32Array(out * inp);
  const b = bias ? new Float32Array(out) : null;
  initDense(spec, w, b, out, inp, createRng(seed));
  return { w, b };
}

function moments(a: ArrayLike<number>) {
  let s = 0,
    s2 = 0,
    min = Infinity,
    max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    s += a[i];
    s2 += a[i] * a[i];
    min = Math.min(min, a[i]);
    max = Math.max(max, a[i]);
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean), min, max };
}

describe('calculate_gain (torch.nn.init)', () => {
  it('matches the torch table', () => {
    expect(calculateGain('linear')).toBe(1);
    expect(calculateGain('sigmoid')).toBe(1);
    expect(calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 15);
    expect(calculateGain('selu')).toBe(0.75);
    expect(() => calculateGain('swish')).toThrow(/Unsupported/);
  });
});

describe('initializer statistics (512×512, sampling error ~ std/√262144 ≈ 0.2%)', () => {
  const n = 512,
    fan = 512;
  const rel = (a: number, b: number) => Math.abs(a - b) / b;
  it('kaiming_normal fan_in relu: std = √(2/fan_in)', () => {
    const m = moments(init({ name: 'kaiming_normal', nonlinearity: 'relu' }, n, n).w);
    expect(rel(m.std, Math.sqrt(2 / fan))).toBeLessThan(0.01);
    expect(Math.abs(m.mean)).toBeLessThan(0.01 * m.std);
  });
  it('kaiming_normal fan_out uses the rows; default nonlinearity leaky_relu with a=0', () => {
    const m = moments(init({ name: 'kaiming_normal', mode: 'fan_out' }, 128, 512).w);
    expect(rel(m.std, Math.sqrt(2 / 128))).toBeLessThan(0.02);
  });
  it('kaiming_uniform(a=√5) = default: U(±1/√fan_in), bias U(±1/√fan_in)', () => {
    const { w, b } = init({ name: 'default' }, n, 256, 2, true);
    const m = moments(w);
    const bound = 1 / Math.sqrt(256);
    expect(m.max).toBeLessThanOrEqual(bound);
    expect(m.min).toBeGreaterThanOrEqual(-bound);
    expect(m.max).toBeGreaterThan(0.99 * bound);
    expect(rel(m.std, bound / Math.sqrt(3))).toBeLessThan(0.01);
    const mb = moments(b!);
    expect(mb.max).toBeLessThanOrEqual(bound);
    expect(mb.std).toBeGreaterThan((0.8 * bound) / Math.sqrt(3));
  });
  it('kaiming_uniform leaky_relu a=0.2: bound √3·gain/√fan_in', () => {
    const m = moments(init({ name: 'kaiming_uniform', a: 0.2, nonlinearity: 'leaky_relu' }, n, n).w);
    const bound = (Math.sqrt(3) * Math.sqrt(2 / 1.04)) / Math.sqrt(n);
    expect(m.max).toBeLessThanOrEqual(bound * (1 + 1e-6));
    expect(m.max).toBeGreaterThan(0.99 * bound);
  });
  it('xavier_uniform: bound gain·√(6/(fan_in+fan_out)); biases zero', () => {
    const { w, b } = init({ name: 'xavier_uniform', gain: 5 / 3 }, 256, 512, 3, true);
    const m = moments(w);
    const bound = (5 / 3) * Math.sqrt(6 / (256 + 512));
    expect(m.max).toBeLessThanOrEqual(bound * (1 + 1e-6));
    expect(m.min).toBeGreaterThanOrEqual(-bound * (1 + 1e-6));
    expect(rel(m.std, bound / Math.sqrt(3))).toBeLessThan(0.01);
    expect(b!.every((v) => v === 0)).toBe(true);
  });
  it('xavier_normal: std √(2/(fan_in+fan_out))', () => {
    expect(rel(moments(init({ name: 'xavier_normal' }, 256, 512).w).std, Math.sqrt(2 / 768))).toBeLessThan(0.01);
  });
  it('uniform, normal, constant, zeros, ones', () => {
    const u = moments(init({ name: 'uniform', low: -0.5, high: 1.5 }, n, n).w);
    expect(u.min).toBeGreaterThanOrEqual(-0.5);
    expect(u.max).toBeLessThan(1.5);
    expect(u.mean).toBeCloseTo(0.5, 2);
    const nn = moments(init({ name: 'normal', mean: 1, std: 0.02 }, n, n).w);
    expect(nn.mean).toBeCloseTo(1, 3);
    expect(rel(nn.std, 0.02)).toBeLessThan(0.01);
    expect(init({ name: 'constant', val: 0.3 }, 4, 4).w.every((v) => Math.abs(v - 0.3) < 1e-7)).toBe(true);
    expect(init({ name: 'zeros' }, 4, 4).w.every((v) => v === 0)).toBe(true);
    expect(init({ name: 'ones' }, 4, 4).w.every((v) => v === 1)).toBe(true);
  });
  it('trunc_normal stays in [a, b] with the truncated std', () => {
    const m = moments(init({ name: 'trunc_normal', std: 1, low: -2, high: 2 }, n, n).w);
    expect(m.min).toBeGreaterThanOrEqual(-2);
    expect(m.max).toBeLessThanOrEqual(2);
    // std of N(0,1) truncated to [-2, 2]: √(1 - 2·2φ(2)/(2Φ(2)-1)) = 0.879592
    expect(rel(m.std, 0.879592)).toBeLessThan(0.01);
    const m2 = moments(init({ name: 'trunc_normal', mean: 0, std: 0.02 }, 64, 64).w);
    expect(rel(m2.std, 0.02)).toBeLessThan(0.05); // ±2 is 100σ away: barely truncated
  });
  it('orthogonal: WᵀW ≈ I (tall), WWᵀ ≈ I (wide), scaled by gain', () => {
    for (const [rows, cols] of [
      [64, 32],
      [32, 64],
      [40, 40],
    ]) {
      const { w } = init({ name: 'orthogonal', gain: 2 }, rows, cols, 4);
      const k = Math.min(rows, cols);
      let worst = 0;
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) {
          let s = 0;
          if (rows >= cols) for (let i = 0; i < rows; i++) s += w[i * cols + a] * w[i * cols + b];
          else for (let j = 0; j < cols; j++) s += w[a * cols + j] * w[b * cols + j];
          worst = Math.max(worst, Math.abs(s / 4 - (a === b ? 1 : 0)));
        }
      expect(worst).toBeLessThan(1e-5);
    }
  });
  it('same seed → same weights; the table has every torch.nn.init name', () => {
    expect(init({ name: 'kaiming_uniform' }, 8, 8, 5).w).toEqual(init({ name: 'kaiming_uniform' }, 8, 8, 5).w);
    expect(Object.keys(INITIALIZERS).sort()).toEqual([
      'constant',
      'default',
      'kaiming_normal',
      'kaiming_uniform',
      'normal',
      'ones',
      'orthogonal',
      'trunc_normal',
      'uniform',
      'xavier_normal',
      'xavier_uniform',
      'zeros',
    ]);
  });
});

describe('variance propagation through 784-256-128-64-10 ReLU (batch of 100 N(0,1) inputs)', () => {
  const dims = [784, 256, 128, 64, 10];
  const backend = createScalarBackend();
  /** per layer: std of the pre-activation z (and, in `outs`, of the layer's output: relu(z), or z for the logits) */
  function activationStds(spec: InitSpec, outs: number[] = []): number[] {
    const rng = createRng(2024);
    const rows = 100;
    let h = backend.alloc(rows * dims[0]);
    for (let i = 0; i < h.length; i++) h[i] = rng.normal();
    const stds: number[] = [];
    const initRng = rng.fork('init');
    for (let l = 0; l < 4; l++) {
      const fin = dims[l],
        fout = dims[l + 1];
      const w = backend.alloc(fout * fin);
      initDense(spec, w, null, fout, fin, initRng);
      const z = backend.alloc(rows * fout);
      backend.gemm(false, true, rows, fout, fin, h, w, z, false);
      const last = l === 3;
      const y = last ? z : backend.alloc(rows * fout);
      if (!last) activationForward(ACTIVATIONS.relu, 0, z, y, rows * fout);
      stds.push(moments(z).std); // pre-activation spread of each layer
      outs.push(moments(y).std);
      h = y;
    }
    return stds;
  }
  it('kaiming_normal (relu) keeps the std within a factor of 2 across the four layers', () => {
    const outs: number[] = [];
    const s = activationStds({ name: 'kaiming_normal', nonlinearity: 'relu' }, outs);
    expect(Math.max(...s) / Math.min(...s)).toBeLessThan(2);
    expect(s.every((v) => v > 0.5 && v < 2)).toBe(true);
    // theory: z ~ N(0, 2) in every layer → relu(z) std √(1 - 1/π) ≈ 0.826, logits std √2
    expect(Math.max(...outs) / Math.min(...outs)).toBeLessThan(2);
    outs.slice(0, 3).forEach((v) => expect(Math.abs(v - Math.sqrt(1 - 1 / Math.PI))).toBeLessThan(0.1));
  });
  it('xavier shrinks it layer by layer', () => {
    const s = activationStds({ name: 'xavier_normal' });
    // theory: Var(z_{l+1}) = fan_in·2/(fan_in+fan_out)·E[relu(z_l)²] = fan_in/(fan_in+fan_out)·Var(z_l)
    for (let i = 1; i < 4; i++) {
      expect(s[i]).toBeLessThan(s[i - 1]);
      const predicted = Math.sqrt(dims[i] / (dims[i] + dims[i + 1]));
      expect(Math.abs(s[i] / s[i - 1] - predicted)).toBeLessThan(0.1);
    }
    expect(s[3] / s[0]).toBeLessThan(0.7);
  });
  it('zeros collapses it to 0', () => {
    expect(activationStds({ name: 'zeros' })).toEqual([0, 0, 0, 0]);
  });
  it('normal(0, 1) explodes it', () => {
    const s = activationStds({ name: 'normal', mean: 0, std: 1 });
    for (let i = 1; i < 4; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    expect(s[0]).toBeGreaterThan(20);
    expect(s[3]).toBeGreaterThan(1e4);
  });
});
