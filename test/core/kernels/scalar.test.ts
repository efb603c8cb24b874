/**
 * The scalar backend's own behaviour. Its GEMM (and the core's JS loops standing in for the fused
 * kernels) is held to the backend contract by test/backends/conformance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';

describe('scalar backend', () => {
  const be = createScalarBackend();
  it('alloc is zero-filled and validates n', () => {
    expect(be.alloc(3)).toEqual(new Float32Array(3));
    expect(() => be.alloc(-1)).toThrow();
  });
  it('skips a zero coefficient of A in NN and TN, as reference BLAS sgemm does: 0·Inf gives 0, not NaN', () => {
    const a = Float32Array.of(0, 1),
      b = Float32Array.of(Infinity, 2),
      c = new Float32Array(1);
    be.gemm(false, false, 1, 1, 2, a, b, c, false); // [0, 1]·[Inf; 2]
    expect(c[0]).toBe(2);
    be.gemm(true, false, 1, 1, 2, a, b, c, false); // Aᵀ stored 2×1: the same product
    expect(c[0]).toBe(2);
  });
});
