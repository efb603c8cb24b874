import { describe, expect, it } from 'vitest';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createRng } from '../../../src/core/rng.js';

/** naive C = op(A)·op(B) with explicit index maps (float64) */
function reference(tA: boolean, tB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array): Float64Array {
  const c = new Float64Array(m * n);
  const A = (i: number, p: number) => (tA ? a[p * m + i] : a[i * k + p]);
  const B = (p: number, j: number) => (tB ? b[j * k + p] : b[p * n + j]);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let p = 0; p < k; p++) s += A(i, p) * B(p, j); c[i * n + j] = s; }
  return c;
}

describe('scalar backend gemm', () => {
  const be = createScalarBackend();
  it('2×2 by hand: [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]', () => {
    const c = be.alloc(4);
    be.gemm(false, false, 2, 2, 2, Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), c, false);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    be.gemm(true, false, 2, 2, 2, Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), c, false); // Aᵀ = [[1,3],[2,4]]
    expect(Array.from(c)).toEqual([26, 30, 38, 44]);
    be.gemm(false, true, 2, 2, 2, Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), c, false); // Bᵀ = [[5,7],[6,8]]
    expect(Array.from(c)).toEqual([17, 23, 39, 53]);
    be.gemm(true, true, 2, 2, 2, Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), c, true); // + [[23,31],[34,46]]
    expect(Array.from(c)).toEqual([40, 54, 73, 99]);
  });
  for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
    it(`matches the reference for transA=${tA} transB=${tB} (odd sizes, accumulate)`, () => {
      const rng = createRng(1);
      const m = 7, n = 5, k = 9;
      const a = be.alloc(m * k), b = be.alloc(k * n), c = be.alloc(m * n);
      a.forEach((_, i) => { a[i] = rng.normal(); });
      b.forEach((_, i) => { b[i] = rng.normal(); });
      be.gemm(tA, tB, m, n, k, a, b, c, false);
      const ref = reference(tA, tB, m, n, k, a, b);
      c.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 5));
      be.gemm(tA, tB, m, n, k, a, b, c, true);
      c.forEach((v, i) => expect(v).toBeCloseTo(2 * ref[i], 5));
    });
  }
  it('alloc is zero-filled and validates n', () => {
    expect(be.alloc(3)).toEqual(new Float32Array(3));
    expect(() => be.alloc(-1)).toThrow();
  });
});
