/**
 * The reference backend: plain loops over Float32Array, written to be read (and to be the
 * oracle the WebAssembly SIMD backend in ./simd.ts is tested against). Accumulation is in
 * float64 (JS numbers) per output element, then stored as float32.
 */
import type { Backend } from '../types.js';

/**
 * C[m×n] (+)= op(A)·op(B).
 *   op(A)[i,p] = transA ? A[p*m + i] : A[i*k + p]   (A stored k×m when transA, else m×k)
 *   op(B)[p,j] = transB ? B[j*k + p] : B[p*n + j]   (B stored n×k when transB, else k×n)
 */
export function gemmScalar(transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      if (!transA && !transB) {
        for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      } else if (!transA && transB) {
        for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
      } else if (transA && !transB) {
        for (let p = 0; p < k; p++) s += a[p * m + i] * b[p * n + j];
      } else {
        for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
      }
      c[i * n + j] = accumulate ? c[i * n + j] + s : s;
    }
  }
}

export function createScalarBackend(): Backend {
  return {
    name: 'scalar',
    alloc(n: number): Float32Array {
      if (!Number.isInteger(n) || n < 0) throw new Error(`alloc(n): n must be a non-negative integer, got ${n}`);
      return new Float32Array(n);
    },
    gemm: gemmScalar,
  };
}
