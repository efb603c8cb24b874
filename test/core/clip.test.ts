import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, gradNorm } from '../../src/core/clip.js';
import type { Param } from '../../src/core/types.js';

const param = (g: number[]): Param => ({
  name: 'p',
  shape: [g.length],
  value: new Float32Array(g.length),
  grad: Float32Array.from(g),
  decay: true,
});

describe('clip_grad_norm_ (torch.nn.utils)', () => {
  it('L2 over all params: grads [3, 4] and [12] → total 13, coef 6.5/(13+1e-6)', () => {
    const ps = [param([3, 4]), param([12])];
    const total = clipGradNorm(ps, 6.5);
    expect(total).toBeCloseTo(13, 12);
    const coef = 6.5 / (13 + 1e-6);
    expect(ps[0].grad[0]).toBeCloseTo(3 * coef, 6);
    expect(ps[0].grad[1]).toBeCloseTo(4 * coef, 6);
    expect(ps[1].grad[0]).toBeCloseTo(12 * coef, 6);
  });
  it('coef clamped to 1: small grads unchanged, pre-clip norm still returned', () => {
    const ps = [param([0.3, -0.4])];
    expect(clipGradNorm(ps, 1)).toBeCloseTo(0.5, 7);
    expect(Array.from(ps[0].grad)).toEqual([Math.fround(0.3), Math.fround(-0.4)]);
  });
  it('norm_type 1 and inf', () => {
    const a = [param([1, -2]), param([3])];
    expect(clipGradNorm(a, 3, 1)).toBeCloseTo(6, 12);
    expect(a[1].grad[0]).toBeCloseTo((3 * 3) / (6 + 1e-6), 6);
    const b = [param([1, -5]), param([3])];
    expect(clipGradNorm(b, 1, Infinity)).toBe(5);
    expect(b[0].grad[1]).toBeCloseTo(-5 / (5 + 1e-6), 6);
    expect(gradNorm([param([2, 2])], 3)).toBeCloseTo(Math.cbrt(16), 12);
  });
  it('error_if_nonfinite throws on NaN/Inf; otherwise returns the non-finite norm', () => {
    expect(() => clipGradNorm([param([1, NaN])], 1, 2, true)).toThrow(/non-finite/);
    expect(() => clipGradNorm([param([Infinity])], 1, Infinity, true)).toThrow(/non-finite/);
    expect(clipGradNorm([param([1, NaN])], 1, 2, false)).toBeNaN();
  });
});

describe('clip_grad_value_', () => {
  it('clamps every element to [-v, v]', () => {
    const p = param([-3, -0.5, 0, 0.7, 9]);
    clipGradValue([p], 0.6);
    expect(Array.from(p.grad)).toEqual([-0.6, -0.5, 0, 0.6, 0.6].map(Math.fround));
  });
});
