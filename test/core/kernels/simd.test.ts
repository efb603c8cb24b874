import { describe, expect, it } from 'vitest';
import { createSimdBackend } from '../../../src/core/kernels/simd.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createRng } from '../../../src/core/rng.js';

/** float64 reference of op(A)·op(B) (+ C0) with explicit index maps, and Σ|terms| for the error bound */
function reference(tA: boolean, tB: boolean, m: number, n: number, k: number,
  a: Float32Array, b: Float32Array, c0: Float32Array | null): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(m * n), mag = new Float64Array(m * n);
  const A = (i: number, p: number) => (tA ? a[p * m + i] : a[i * k + p]);
  const B = (p: number, j: number) => (tB ? b[j * k + p] : b[p * n + j]);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 ? c0[i * n + j] : 0, g = Math.abs(s);
      for (let p = 0; p < k; p++) { const t = A(i, p) * B(p, j); s += t; g += Math.abs(t); }
      c[i * n + j] = s; mag[i * n + j] = g;
    }
  }
  return { c, mag };
}

/** float32 accumulation error bound: a few k·ε·Σ|terms| (ε = 2^-24), blocked summation is well inside it */
function expectClose(got: Float32Array, ref: { c: Float64Array; mag: Float64Array }, k: number, what: string): void {
  const eps = 2 ** -24;
  for (let i = 0; i < ref.c.length; i++) {
    const tol = 2 * (k + 2) * eps * ref.mag[i] + 1e-30;
    if (!(Math.abs(got[i] - ref.c[i]) <= tol)) {
      throw new Error(`${what}: C[${i}] = ${got[i]}, reference ${ref.c[i]} (tolerance ${tol})`);
    }
  }
}

const fill = (x: Float32Array, rng: ReturnType<typeof createRng>): Float32Array => {
  for (let i = 0; i < x.length; i++) x[i] = rng.next() * 2 - 1;
  return x;
};

const ORIENTATIONS = [[false, false], [false, true], [true, false], [true, true]] as const;

describe('simd backend gemm', () => {
  const be = createSimdBackend(1 << 22);

  it('2×2 by hand in all orientations, then accumulate', () => {
    const a = be.alloc(4), b = be.alloc(4), c = be.alloc(4);
    a.set([1, 2, 3, 4]); b.set([5, 6, 7, 8]);
    be.gemm(false, false, 2, 2, 2, a, b, c, false);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
    be.gemm(true, false, 2, 2, 2, a, b, c, false);
    expect(Array.from(c)).toEqual([26, 30, 38, 44]);
    be.gemm(false, true, 2, 2, 2, a, b, c, false);
    expect(Array.from(c)).toEqual([17, 23, 39, 53]);
    be.gemm(true, true, 2, 2, 2, a, b, c, true); // + [[23,31],[34,46]]
    expect(Array.from(c)).toEqual([40, 54, 73, 99]);
  });

  // odd sizes hit every edge path: m % 4, n % 8, k % 4 (transposed packing), k > KC = 256 (k blocks)
  const sizes = [1, 3, 5, 7, 9, 17, 33];
  for (const [tA, tB] of ORIENTATIONS) {
    it(`equals the float64 reference, transA=${tA} transB=${tB}, m,n,k ∈ {${sizes.join(',')}}, accumulate on/off`, () => {
      const rng = createRng(7);
      let cases = 0;
      for (const m of sizes) for (const n of sizes) for (const k of sizes) {
        const a = fill(be.alloc(m * k), rng), b = fill(be.alloc(k * n), rng), c = fill(be.alloc(m * n), rng);
        const c0 = c.slice();
        be.gemm(tA, tB, m, n, k, a, b, c, true);
        expectClose(c, reference(tA, tB, m, n, k, a, b, c0), k, `acc m=${m} n=${n} k=${k}`);
        c.fill(Number.NaN); // overwrite mode must not read C
        be.gemm(tA, tB, m, n, k, a, b, c, false);
        expectClose(c, reference(tA, tB, m, n, k, a, b, null), k, `m=${m} n=${n} k=${k}`);
        cases++;
      }
      expect(cases).toBe(sizes.length ** 3);
    });
  }

  // blocks of assembly/gemm.ts: MC = 32 rows, NC = 512 columns, KC = 256 (k blocks after the
  // first, and accumulate, start the accumulators from C; overwrite mode must ignore C)
  it('crosses every block boundary (m > 32, n > 512, k > 256), accumulate on/off, and matches the scalar backend', () => {
    const scalar = createScalarBackend();
    const rng = createRng(3);
    for (const [tA, tB] of ORIENTATIONS) {
      const m = 133, n = 521, k = 263;
      const a = fill(be.alloc(m * k), rng), b = fill(be.alloc(k * n), rng), c = be.alloc(m * n);
      c.fill(Number.NaN);
      be.gemm(tA, tB, m, n, k, a, b, c, false);
      const cs = scalar.alloc(m * n);
      scalar.gemm(tA, tB, m, n, k, a, b, cs, false);
      expectClose(c, reference(tA, tB, m, n, k, a, b, null), k, `big ${tA}${tB}`);
      let maxRel = 0;
      for (let i = 0; i < cs.length; i++) maxRel = Math.max(maxRel, Math.abs(c[i] - cs[i]) / (Math.abs(cs[i]) + 1));
      expect(maxRel).toBeLessThan(1e-4);
      fill(c, rng);
      const c0 = c.slice();
      be.gemm(tA, tB, m, n, k, a, b, c, true);
      expectClose(c, reference(tA, tB, m, n, k, a, b, c0), k, `big acc ${tA}${tB}`);
    }
  });

  it('k = 0 gives C = 0 (or leaves C with accumulate); m = 0 or n = 0 touches nothing', () => {
    const a = be.alloc(6), b = be.alloc(6), c = be.alloc(6);
    c.fill(5);
    be.gemm(false, false, 2, 3, 0, a, b, c, true);
    expect(Array.from(c)).toEqual([5, 5, 5, 5, 5, 5]);
    be.gemm(false, false, 2, 3, 0, a, b, c, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
    c.fill(7);
    be.gemm(false, false, 0, 3, 2, a, b, c, false);
    be.gemm(false, false, 2, 0, 2, a, b, c, false);
    expect(Array.from(c)).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it('writes only the m×n block of C (the floats after it are untouched)', () => {
    const rng = createRng(11);
    const m = 5, n = 9, k = 6;
    const a = fill(be.alloc(m * k), rng), b = fill(be.alloc(k * n), rng);
    const c = be.alloc(m * n + 16);
    c.fill(3);
    be.gemm(false, true, m, n, k, a, b, c, false);
    expect(Array.from(c.subarray(m * n))).toEqual(new Array(16).fill(3));
  });

  it('works on subarray views of allocated buffers (unaligned offsets)', () => {
    const rng = createRng(5);
    const m = 6, n = 10, k = 7;
    const abuf = fill(be.alloc(m * k + 3), rng), bbuf = fill(be.alloc(k * n + 1), rng), cbuf = be.alloc(m * n + 2);
    const a = abuf.subarray(3), b = bbuf.subarray(1), c = cbuf.subarray(2);
    be.gemm(false, false, m, n, k, a, b, c, false);
    expectClose(c, reference(false, false, m, n, k, a, b, null), k, 'subarray');
  });

  it('rejects arrays that do not live in its memory, and too-short arrays, with clear errors', () => {
    const a = be.alloc(4), c = be.alloc(4);
    expect(() => be.gemm(false, false, 2, 2, 2, a, new Float32Array(4), c, false)).toThrow(/not allocated by this backend/);
    expect(() => be.gemm(false, false, 2, 2, 3, a, a, c, false)).toThrow(/A has 4 floats, needs m·k = 6/);
    expect(() => be.gemm(false, false, 2, 2, 1.5, a, a, c, false)).toThrow(/k must be a non-negative integer/);
  });
});

describe('simd backend allocation', () => {
  it('never invalidates earlier views: values written first survive later allocations up to capacity', () => {
    const be = createSimdBackend(100_000);
    const views: Float32Array[] = [];
    for (let i = 0; i < 50; i++) {
      const v = be.alloc(1 + i * 37);
      expect(Array.from(v).every((x) => x === 0)).toBe(true); // zero-filled
      v.fill(i + 1);
      views.push(v);
    }
    const last = be.alloc(100_000 - be.usedFloats() - 4); // fill (nearly) all the capacity
    last.fill(-1);
    views.forEach((v, i) => {
      expect(v.length).toBe(1 + i * 37);
      expect(v.byteLength).toBe(4 * (1 + i * 37)); // a detached view would have length 0
      expect(v.every((x) => x === i + 1)).toBe(true);
    });
  });

  it('returns 16-byte aligned, non-overlapping buffers', () => {
    const be = createSimdBackend(10_000);
    const bufs = [3, 1, 0, 8, 5, 13].map((n) => be.alloc(n));
    let end = 0;
    for (const b of bufs) {
      expect(b.byteOffset % 16).toBe(0);
      expect(b.byteOffset).toBeGreaterThanOrEqual(end);
      end = b.byteOffset + b.byteLength;
    }
  });

  it('throws a clear RangeError when the capacity is exceeded, and keeps working after it', () => {
    const be = createSimdBackend(1000);
    const a = be.alloc(600);
    a.fill(2);
    expect(() => be.alloc(500)).toThrow(RangeError);
    expect(() => be.alloc(500)).toThrow(/out of capacity: alloc\(500\) needs 500 floats but only 400 of 1000 are free.*createSimdBackend\(capacityFloats >= 1104\)/);
    const b = be.alloc(400); // what is left still fits
    expect(b.length).toBe(400);
    expect(a.every((x) => x === 2)).toBe(true);
    expect(() => be.alloc(1)).toThrow(/only 0 of 1000 are free/);
  });

  it('rejects bad sizes', () => {
    expect(() => createSimdBackend(-1)).toThrow(/capacityFloats must be an integer/);
    expect(() => createSimdBackend(2 ** 40)).toThrow(/capacityFloats must be an integer/);
    const be = createSimdBackend(10);
    expect(() => be.alloc(-3)).toThrow(/non-negative integer/);
    expect(() => be.alloc(2.5)).toThrow(/non-negative integer/);
  });

  it('separate backends have separate memories', () => {
    const b1 = createSimdBackend(100), b2 = createSimdBackend(100);
    const x = b1.alloc(4), y = b2.alloc(4), z = b2.alloc(4);
    expect(x.buffer).not.toBe(y.buffer);
    expect(() => b2.gemm(false, false, 2, 2, 2, x, y, z, false)).toThrow(/not allocated by this backend/);
  });
});
