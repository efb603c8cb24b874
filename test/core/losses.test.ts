import { describe, expect, it } from 'vitest';
import { createLoss } from '../../src/core/losses.js';
import type { LossSpec } from '../../src/core/spec.js';
import { createRng } from '../../src/core/rng.js';
import { numericGrad, relError } from './gradcheck.js';

function gradCheckLoss(spec: LossSpec, z: Float32Array, t: Float32Array, rows: number, cols: number): number {
  const loss = createLoss(spec);
  const grad = new Float32Array(z.length);
  const scratch = new Float32Array(z.length);
  loss.forward(z, t, rows, cols, grad);
  const num = numericGrad(() => loss.forward(z, t, rows, cols, scratch), z, 1e-2);
  return relError(num, grad);
}

const rng = createRng(7);
const randn = (n: number, s = 1): Float32Array => Float32Array.from({ length: n }, () => s * rng.normal());

describe('losses: gradient w.r.t. logits matches central differences', () => {
  const rows = 6,
    cols = 4;
  const z = randn(rows * cols, 2);
  const cls = Float32Array.from({ length: rows }, (_, i) => i % cols);
  const bin = Float32Array.from({ length: rows }, (_, i) => i % 2);
  const reg = randn(rows * cols, 2);
  it('cross_entropy', () => expect(gradCheckLoss({ name: 'cross_entropy' }, z, cls, rows, cols)).toBeLessThan(1e-3));
  it('cross_entropy with label_smoothing 0.1', () =>
    expect(gradCheckLoss({ name: 'cross_entropy', label_smoothing: 0.1 }, z, cls, rows, cols)).toBeLessThan(1e-3));
  it('bce_with_logits', () =>
    expect(gradCheckLoss({ name: 'bce_with_logits' }, randn(rows, 2), bin, rows, 1)).toBeLessThan(1e-3));
  it('mse', () => expect(gradCheckLoss({ name: 'mse' }, z, reg, rows, cols)).toBeLessThan(1e-3));
  // huber / smooth_l1: residuals kept away from the switch points |r| = 1 by construction
  const zr = Float32Array.from({ length: 8 }, (_, i) => [0.3, -0.4, 2.5, -3, 0.1, 1.7, -0.6, -2.2][i]);
  const tr = new Float32Array(8);
  it('huber (delta 1)', () => expect(gradCheckLoss({ name: 'huber', delta: 1 }, zr, tr, 4, 2)).toBeLessThan(1e-3));
  it('huber (delta 0.5)', () => expect(gradCheckLoss({ name: 'huber', delta: 0.5 }, zr, tr, 4, 2)).toBeLessThan(1e-3));
  it('smooth_l1 (beta 1)', () =>
    expect(gradCheckLoss({ name: 'smooth_l1', beta: 1 }, zr, tr, 4, 2)).toBeLessThan(1e-3));
  it('a wrong gradient fails the same check', () => {
    const loss = createLoss({ name: 'mse' });
    const grad = new Float32Array(z.length);
    loss.forward(z, reg, rows, cols, grad);
    for (let i = 0; i < grad.length; i++) grad[i] /= 2; // forgets the factor 2 of d(r²)/dr
    const num = numericGrad(() => loss.forward(z, reg, rows, cols, new Float32Array(z.length)), z, 1e-2);
    expect(relError(num, grad)).toBeGreaterThan(0.1);
  });
});

describe('losses: values (torch.nn semantics, reduction mean)', () => {
  const g = new Float32Array(16);
  it('cross_entropy of uniform logits is log C; label smoothing follows torch', () => {
    const l = createLoss({ name: 'cross_entropy' });
    expect(l.forward(new Float32Array(3), Float32Array.of(1), 1, 3, g)).toBeCloseTo(Math.log(3), 6);
    // logits [1, 2, 3], target 0, ε = 0.2: (1-ε)·(-log p0) + ε/3·Σ -log p_c
    const z = Float32Array.of(1, 2, 3);
    const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    const expected = 0.8 * (lse - 1) + (0.2 / 3) * (lse - 1 + (lse - 2) + (lse - 3));
    expect(
      createLoss({ name: 'cross_entropy', label_smoothing: 0.2 }).forward(z, Float32Array.of(0), 1, 3, g),
    ).toBeCloseTo(expected, 6);
  });
  it('bce_with_logits is stable for huge logits', () => {
    const l = createLoss({ name: 'bce_with_logits' });
    expect(l.forward(Float32Array.of(1000), Float32Array.of(0), 1, 1, g)).toBeCloseTo(1000, 6);
    expect(l.forward(Float32Array.of(-1000), Float32Array.of(0), 1, 1, g)).toBe(0);
    expect(l.forward(Float32Array.of(0), Float32Array.of(1), 1, 1, g)).toBeCloseTo(Math.LN2, 7);
  });
  it('mse, huber and smooth_l1 on residuals [0.5, -3]', () => {
    const z = Float32Array.of(0.5, -3),
      t = new Float32Array(2);
    expect(createLoss({ name: 'mse' }).forward(z, t, 1, 2, g)).toBeCloseTo((0.25 + 9) / 2, 7);
    expect(createLoss({ name: 'huber', delta: 1 }).forward(z, t, 1, 2, g)).toBeCloseTo((0.125 + 2.5) / 2, 7);
    expect(createLoss({ name: 'huber', delta: 2 }).forward(z, t, 1, 2, g)).toBeCloseTo((0.125 + 2 * (3 - 1)) / 2, 7);
    expect(createLoss({ name: 'smooth_l1', beta: 2 }).forward(z, t, 1, 2, g)).toBeCloseTo((0.25 / 4 + (3 - 1)) / 2, 7);
  });
});
