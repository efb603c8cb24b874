/**
 * The reference backend: plain loops over Float32Array, written to be read (and to be the
 * oracle the WebAssembly SIMD backend in ./simd.ts is tested against). Every output element is
 * accumulated in float64 (JS numbers / a Float64Array scratch), then stored as float32.
 * Each orientation has its own loop nest with a cache-friendly order:
 *   NN  C = A·B      row i of C accumulates a[i,p]·(row p of B)          (i, p, j)
 *   NT  C = A·Bᵀ     dot products of rows of A with rows of B             (i, j, p)
 *   TN  C = Aᵀ·B     row i of C accumulates a[p,i]·(row p of B)          (i, p, j)
 * NN and TN skip a zero a-element (as reference BLAS sgemm does), so 0·Inf there gives 0, not NaN.
 *   TT  C = Aᵀ·Bᵀ    plain definition (unused by the layers)
 */
import type { Backend } from '../types.js';

/**
 * row[0..n) += Σ_p a[base + p·stride] · B[p, 0..n)  (B is k×n row-major), two rows of B at a
 * time so the float64 accumulator row is read and written half as often; zero coefficients
 * are skipped.
 */
function axpyRows(
  row: Float64Array,
  n: number,
  k: number,
  a: Float32Array,
  base: number,
  stride: number,
  b: Float32Array,
): void {
  let p = 0;
  while (p < k) {
    const c0 = a[base + p * stride];
    if (c0 === 0) {
      p++;
      continue;
    }
    const o0 = p * n;
    let q = p + 1;
    while (q < k && a[base + q * stride] === 0) q++;
    if (q < k) {
      const c1 = a[base + q * stride],
        o1 = q * n;
      for (let j = 0; j < n; j++) row[j] += c0 * b[o0 + j] + c1 * b[o1 + j];
      p = q + 1;
    } else {
      for (let j = 0; j < n; j++) row[j] += c0 * b[o0 + j];
      p = q;
    }
  }
}

export function createScalarBackend(): Backend {
  let scratch = new Float64Array(0);
  const acc = (n: number): Float64Array => {
    if (scratch.length < n) scratch = new Float64Array(n); // grows once to the largest GEMM, then reused
    scratch.fill(0, 0, n);
    return scratch;
  };

  /**
   * C[m×n] (+)= op(A)·op(B).
   *   op(A)[i,p] = transA ? A[p*m + i] : A[i*k + p]   (A stored k×m when transA, else m×k)
   *   op(B)[p,j] = transB ? B[j*k + p] : B[p*n + j]   (B stored n×k when transB, else k×n)
   */
  function gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void {
    if (!transA && transB) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const oa = i * k,
            ob = j * k;
          // four partial sums (float64) so the loop is not one long dependency chain
          let s0 = 0,
            s1 = 0,
            s2 = 0,
            s3 = 0;
          let p = 0;
          for (; p + 3 < k; p += 4) {
            s0 += a[oa + p] * b[ob + p];
            s1 += a[oa + p + 1] * b[ob + p + 1];
            s2 += a[oa + p + 2] * b[ob + p + 2];
            s3 += a[oa + p + 3] * b[ob + p + 3];
          }
          for (; p < k; p++) s0 += a[oa + p] * b[ob + p];
          const s = s0 + s1 + (s2 + s3);
          c[i * n + j] = accumulate ? c[i * n + j] + s : s;
        }
      }
      return;
    }
    if (!transA && !transB) {
      const row = acc(n);
      for (let i = 0; i < m; i++) {
        row.fill(0, 0, n);
        axpyRows(row, n, k, a, i * k, 1, b);
        const o = i * n;
        if (accumulate) for (let j = 0; j < n; j++) c[o + j] += row[j];
        else for (let j = 0; j < n; j++) c[o + j] = row[j];
      }
      return;
    }
    if (transA && !transB) {
      const row = acc(n);
      for (let i = 0; i < m; i++) {
        row.fill(0, 0, n);
        axpyRows(row, n, k, a, i, m, b);
        const o = i * n;
        if (accumulate) for (let j = 0; j < n; j++) c[o + j] += row[j];
        else for (let j = 0; j < n; j++) c[o + j] = row[j];
      }
      return;
    }
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
        c[i * n + j] = accumulate ? c[i * n + j] + s : s;
      }
    }
  }

  return {
    name: 'scalar',
    alloc(n: number): Float32Array {
      if (!Number.isInteger(n) || n < 0) throw new Error(`alloc(n): n must be a non-negative integer, got ${n}`);
      return new Float32Array(n);
    },
    gemm,
  };
}
