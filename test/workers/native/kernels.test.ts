/**
 * The native addon's kernels against float64 references and the core's JS loops: GEMM in every
 * orientation over odd sizes and every block boundary (KC 256, MC 96, NC 512; register tiles 8×32
 * and 6×16), and each fused kernel; the argument checks; AVX2 and AVX-512 bit-identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { adamUpdate } from '../../../src/core/optimizers/adam.js';
import { sgdUpdate } from '../../../src/core/optimizers/sgd.js';
import { createSimdBackend } from '../../../src/core/kernels/simd.js';
import { createNativeBackend, type NativeBackend } from '../../../workers/native-backend.js';
import { hasCompiler, named, nativeSkipReason, nativeWithIsa, requireNative, resetNative } from './addon.js';

const fill = (x: Float32Array, rng: ReturnType<typeof createRng>, scale = 1): Float32Array => {
  for (let i = 0; i < x.length; i++) x[i] = (rng.next() * 2 - 1) * scale;
  return x;
};

function reference(tA: boolean, tB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, c0: Float32Array | null) {
  const c = new Float64Array(m * n), mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = c0 ? c0[i * n + j] : 0, g = Math.abs(s);
    for (let p = 0; p < k; p++) {
      const t = (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      s += t; g += Math.abs(t);
    }
    c[i * n + j] = s; mag[i * n + j] = g;
  }
  return { c, mag };
}

/** float32 FMA chain error bound: (k + 2)·ε·Σ|terms| (ε = 2^-24), doubled for margin */
function expectClose(got: Float32Array, ref: { c: Float64Array; mag: Float64Array }, k: number, what: string): void {
  const eps = 2 ** -24;
  for (let i = 0; i < ref.c.length; i++) {
    const tol = 2 * (k + 2) * eps * ref.mag[i] + 1e-30;
    if (!(Math.abs(got[i] - ref.c[i]) <= tol)) throw new Error(`${what}: C[${i}] = ${got[i]}, reference ${ref.c[i]} (tolerance ${tol})`);
  }
}

const ORIENTATIONS = [[false, false], [false, true], [true, false], [true, true]] as const;

// what this CPU/OS lacks (or LRF_NATIVE_MAX_ISA hides) skips, named; nothing here throws while vitest collects
const noNative = nativeSkipReason();
const noIsa = { avx512: nativeSkipReason('avx512'), avx2: nativeSkipReason('avx2') };

describe('native addon', () => {
  it.skipIf(noNative)(named('is built and loads on a machine with a C compiler (npm ci builds it)', noNative), () => {
    expect(hasCompiler, 'this test machine has no C compiler: the fallback tests cover it').toBe(true);
    const load = requireNative();
    expect(['avx512', 'avx2']).toContain(load.isa);
    expect(load.supported).toContain(load.isa);
    expect(load.addon.supported()).toEqual(expect.arrayContaining(load.supported));
  });
});

for (const isa of ['avx512', 'avx2'] as const) {
  describe.skipIf(noIsa[isa])(named(`native gemm (${isa})`, noIsa[isa]), () => {
    let be: NativeBackend;
    beforeAll(() => { be = createNativeBackend(nativeWithIsa(isa)); });
    afterAll(resetNative); // back to the default ISA

    it('2×2 by hand in all orientations, then accumulate', () => {
      nativeWithIsa(isa);
      const a = Float32Array.of(1, 2, 3, 4), b = Float32Array.of(5, 6, 7, 8), c = new Float32Array(4);
      be.gemm(false, false, 2, 2, 2, a, b, c, false);
      expect(Array.from(c)).toEqual([19, 22, 43, 50]);
      be.gemm(true, false, 2, 2, 2, a, b, c, false);
      expect(Array.from(c)).toEqual([26, 30, 38, 44]);
      be.gemm(false, true, 2, 2, 2, a, b, c, false);
      expect(Array.from(c)).toEqual([17, 23, 39, 53]);
      be.gemm(true, true, 2, 2, 2, a, b, c, true);
      expect(Array.from(c)).toEqual([40, 54, 73, 99]);
    });

    const sizes = [1, 5, 7, 9, 17, 33, 40];
    for (const [tA, tB] of ORIENTATIONS) {
      it(`equals the float64 reference, transA=${tA} transB=${tB}, odd sizes, accumulate on/off`, () => {
        nativeWithIsa(isa);
        const rng = createRng(7);
        for (const m of sizes) for (const n of sizes) for (const k of [1, 3, 16, 33]) {
          const a = fill(new Float32Array(m * k), rng), b = fill(new Float32Array(k * n), rng), c = fill(new Float32Array(m * n), rng);
          const c0 = c.slice();
          be.gemm(tA, tB, m, n, k, a, b, c, true);
          expectClose(c, reference(tA, tB, m, n, k, a, b, c0), k, `acc m=${m} n=${n} k=${k}`);
          c.fill(Number.NaN); // overwrite mode must not read C
          be.gemm(tA, tB, m, n, k, a, b, c, false);
          expectClose(c, reference(tA, tB, m, n, k, a, b, null), k, `m=${m} n=${n} k=${k}`);
        }
      });
    }

    it('crosses every block boundary (m > 96, n > 512, k > 256) in all orientations, on subarray views', () => {
      nativeWithIsa(isa);
      const rng = createRng(3);
      for (const [tA, tB] of ORIENTATIONS) {
        const m = 197, n = 530, k = 519;
        const a = fill(new Float32Array(m * k + 3), rng).subarray(3), b = fill(new Float32Array(k * n), rng);
        const c = new Float32Array(m * n).fill(Number.NaN);
        be.gemm(tA, tB, m, n, k, a, b, c, false);
        expectClose(c, reference(tA, tB, m, n, k, a, b, null), k, `big ${tA}${tB}`);
        fill(c, rng);
        const c0 = c.slice();
        be.gemm(tA, tB, m, n, k, a, b, c, true);
        expectClose(c, reference(tA, tB, m, n, k, a, b, c0), k, `big acc ${tA}${tB}`);
      }
    });

    it('k = 0 gives C = 0 (or leaves C when accumulating); m = 0 or n = 0 touches nothing', () => {
      nativeWithIsa(isa);
      const c = Float32Array.of(1, 2, 3, 4), e = new Float32Array(0);
      be.gemm(false, false, 2, 2, 0, e, e, c, true);
      expect(Array.from(c)).toEqual([1, 2, 3, 4]);
      be.gemm(false, false, 2, 2, 0, e, e, c, false);
      expect(Array.from(c)).toEqual([0, 0, 0, 0]);
      c.set([5, 6, 7, 8]);
      be.gemm(false, false, 0, 2, 3, e, new Float32Array(6), c, false);
      expect(Array.from(c)).toEqual([5, 6, 7, 8]);
    });
  });
}

describe.skipIf(noNative)(named('native addon: argument checks', noNative), () => {
  let be: NativeBackend;
  beforeAll(() => { be = createNativeBackend(requireNative()); });
  it('a buffer shorter than the shape is a RangeError, never a stray write', () => {
    const a = new Float32Array(6), b = new Float32Array(6), c = new Float32Array(3);
    expect(() => be.gemm(false, false, 2, 2, 3, a, b, c, false)).toThrow(/C is shorter/);
    expect(() => be.gemm(false, false, 3, 2, 3, a, b, new Float32Array(6), false)).toThrow(/A is shorter/);
    expect(() => be.fused.biasAct(c, c, null, 2, 2, 'relu')).toThrow(RangeError);
    expect(() => be.fused.sumSquares(c, 4)).toThrow(RangeError);
    expect(() => be.raw.adam(a, a, a, c, 6, 0.1, 0.999, 0.001, 1, 1, 1e-8, 0, 1)).toThrow(RangeError);
  });
  it('a non-Float32Array is a TypeError', () => {
    expect(() => be.gemm(false, false, 1, 1, 1, new Float64Array(1) as unknown as Float32Array, new Float32Array(1), new Float32Array(1), false)).toThrow(TypeError);
  });
});

describe.skipIf(noNative)(named('native fused kernels follow the core JS loops and the SIMD backend', noNative), () => {
  let be: NativeBackend;
  beforeAll(() => { be = createNativeBackend(requireNative()); });
  const simd = createSimdBackend(1 << 20);
  const rng = createRng(11);

  it('biasAct: identity and relu bit-equal to the JS definition; tanh and sigmoid bit-equal to the SIMD backend (same float32 formula)', () => {
    const rows = 7, cols = 37;
    const z0 = fill(new Float32Array(rows * cols), rng, 12), bias = fill(new Float32Array(cols), rng);
    z0[3] = Number.NaN; z0[4] = -0;
    for (const act of ['identity', 'relu', 'tanh', 'sigmoid'] as const) {
      const z = z0.slice(), y = new Float32Array(rows * cols);
      be.fused.biasAct(z, y, bias, rows, cols, act);
      const zs = simd.alloc(rows * cols), ys = simd.alloc(rows * cols), bs = simd.alloc(cols);
      zs.set(z0); bs.set(bias);
      simd.fused.biasAct(zs, ys, bs, rows, cols, act);
      expect(Array.from(z)).toEqual(Array.from(zs));
      expect(Array.from(y)).toEqual(Array.from(ys));
      for (let i = 0; i < rows * cols; i++) {
        const v = Math.fround(z0[i] + bias[i % cols]);
        expect(z[i]).toBe(v);
        if (act === 'identity') expect(y[i]).toBe(v);
        if (act === 'relu') expect(y[i]).toBe(v > 0 ? v : 0);
        if (act === 'tanh' && !Number.isNaN(v)) expect(Math.abs(y[i] - Math.tanh(v))).toBeLessThan(1e-6);
        if (act === 'sigmoid' && !Number.isNaN(v)) expect(Math.abs(y[i] - 1 / (1 + Math.exp(-v)))).toBeLessThan(1e-6);
      }
    }
  });

  it('actBackward: relu exact, tanh/sigmoid = dy·f′ at the forward output; sumRows = float32 column sums in row order', () => {
    const n = 301;
    const z = fill(new Float32Array(n), rng, 4), dy = fill(new Float32Array(n), rng);
    for (const act of ['identity', 'relu', 'tanh', 'sigmoid'] as const) {
      const dz = new Float32Array(n), y = new Float32Array(n);
      be.fused.actBackward(dy, z, dz, n, act);
      be.fused.biasAct(z.slice(), y, null, 1, n, act);
      for (let i = 0; i < n; i++) {
        const d = act === 'identity' ? 1 : act === 'relu' ? (z[i] > 0 ? 1 : 0) : act === 'tanh' ? Math.fround(1 - Math.fround(y[i] * y[i])) : Math.fround(y[i] * Math.fround(1 - y[i]));
        expect(dz[i]).toBe(Math.fround(dy[i] * d));
      }
    }
    const rows = 9, cols = 45, x = fill(new Float32Array(rows * cols), rng), db = new Float32Array(cols).fill(7);
    be.fused.sumRows(x, db, rows, cols);
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s = Math.fround(s + x[r * cols + j]);
      expect(db[j]).toBe(s);
    }
  });

  it('Adam/AdamW and SGD (momentum, nesterov, weight decay) within float32 rounding of the core updates over 20 steps', () => {
    const n = 1003;
    for (const decoupled of [false, true]) {
      const o = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, amsgrad: false, decoupled };
      const p = fill(new Float32Array(n), rng), m = new Float32Array(n), v = new Float32Array(n);
      const pr = p.slice(), mr = m.slice(), vr = v.slice();
      for (let t = 1; t <= 20; t++) {
        const g = fill(new Float32Array(n), rng);
        be.fused.adam(p, g, m, v, n, 1e-3, t, o);
        adamUpdate(pr, g, mr, vr, null, n, 1e-3, t, o);
      }
      for (let i = 0; i < n; i++) expect(Math.abs(p[i] - pr[i])).toBeLessThan(1e-6 * (1 + Math.abs(pr[i])));
    }
    for (const o of [{ momentum: 0.9, dampening: 0, nesterov: true, weight_decay: 1e-3 }, { momentum: 0.5, dampening: 0.1, nesterov: false, weight_decay: 0 }, { momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 }]) {
      const p = fill(new Float32Array(n), rng), b = new Float32Array(n), pr = p.slice(), br = b.slice();
      for (let t = 1; t <= 20; t++) {
        const g = fill(new Float32Array(n), rng);
        be.fused.sgd!(p, g, b, n, 0.05, o, t === 1);
        sgdUpdate(pr, g, br, n, 0.05, o, t === 1);
      }
      for (let i = 0; i < n; i++) expect(Math.abs(p[i] - pr[i])).toBeLessThan(1e-5 * (1 + Math.abs(pr[i])));
    }
  });

  it('sumSquares, diffSquares and allFinite', () => {
    const n = 1029, x = fill(new Float32Array(n), rng), y = fill(new Float32Array(n), rng);
    let s = 0, d = 0, q = 0;
    for (let i = 0; i < n; i++) { s += x[i] * x[i]; d += (x[i] - y[i]) ** 2; q += y[i] * y[i]; }
    expect(Math.abs(be.fused.sumSquares(x) - s)).toBeLessThan(1e-12 * s);
    const r = be.fused.diffSquares(x, y);
    expect(Math.abs(r.diff - d)).toBeLessThan(1e-12 * d);
    expect(Math.abs(r.ref - q)).toBeLessThan(1e-12 * q);
    expect(be.fused.sumSquares(x, 3)).toBe(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    expect(be.fused.allFinite(x)).toBe(true);
    for (const bad of [Infinity, -Infinity, Number.NaN]) {
      const z = x.slice(); z[n - 1] = bad;
      expect(be.fused.allFinite(z)).toBe(false);
      expect(be.fused.allFinite(z, n - 1)).toBe(true);
    }
  });
});

const noBoth = noIsa.avx512 ?? noIsa.avx2;
describe.skipIf(noBoth)(named('AVX2 and AVX-512 give bit-identical results (LRF_NATIVE_ISA)', noBoth), () => {
  afterAll(resetNative);
  it('GEMM in every orientation and every fused kernel', () => {
    const run = (isa: 'avx512' | 'avx2') => {
      const be = createNativeBackend(nativeWithIsa(isa));
      expect(be.isa).toBe(isa);
      const rng = createRng(5);
      const out: Float32Array[] = [];
      for (const [tA, tB] of ORIENTATIONS) for (const [m, n, k] of [[128, 256, 784], [97, 531, 300], [10, 64, 128], [3, 5, 7]]) {
        const a = fill(new Float32Array(m * k), rng), b = fill(new Float32Array(k * n), rng), c = fill(new Float32Array(m * n), rng);
        be.gemm(tA, tB, m, n, k, a, b, c, true);
        out.push(c);
      }
      const z = fill(new Float32Array(999), rng, 5), y = new Float32Array(999), dz = new Float32Array(999);
      for (const act of ['relu', 'tanh', 'sigmoid'] as const) {
        be.fused.biasAct(z, y, fill(new Float32Array(333), rng), 3, 333, act);
        be.fused.actBackward(y, z, dz, 999, act);
        be.fused.sumRows(dz, y, 3, 333);
        out.push(y.slice(), dz.slice());
      }
      const p = fill(new Float32Array(777), rng), g = fill(new Float32Array(777), rng), m1 = new Float32Array(777), v1 = new Float32Array(777);
      for (let t = 1; t < 5; t++) be.fused.adam(p, g, m1, v1, 777, 1e-3, t, { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, decoupled: true });
      be.fused.sgd!(p, g, m1, 777, 0.1, { momentum: 0.9, dampening: 0, nesterov: true, weight_decay: 1e-4 }, false);
      out.push(p, m1, v1, Float32Array.of(be.fused.sumSquares(p), be.fused.diffSquares(p, g).diff));
      return out;
    };
    const a = run('avx512'), b = run('avx2');
    expect(a.length).toBe(b.length);
    a.forEach((x, i) => expect(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength)), `output ${i}`).toBe(true));
  });
});
