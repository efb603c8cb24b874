import { describe, expect, it } from 'vitest';
import { createSimdBackend } from '../../../src/core/kernels/simd.js';
import { adamUpdate, type AdamOptions } from '../../../src/core/optimizers/adam.js';
import { addBiasRows, allFinite, sumRows, sumSquares } from '../../../src/core/kernels/elementwise.js';
import { ACTIVATIONS, activationBackward, activationForward } from '../../../src/core/activations.js';
import { createRng } from '../../../src/core/rng.js';

const be = createSimdBackend(1 << 20);
const rng = createRng(17);
const filled = (n: number, scale = 1): Float32Array => {
  const x = be.alloc(n);
  for (let i = 0; i < n; i++) x[i] = (rng.next() * 2 - 1) * scale;
  return x;
};
/** max |a-b| / (|b| + floor): relative error, absolute near zero (where float32 cancellation rules) */
const maxRelDiff = (a: Float32Array, b: Float32Array, floor = 1e-30): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + floor));
  return m;
};

describe('fused Adam', () => {
  // reference: src/core/optimizers/adam.ts (torch semantics, float64 arithmetic per element)
  const cases: [string, AdamOptions][] = [
    ['Adam', { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0, amsgrad: false, decoupled: false }],
    ['Adam + L2 weight decay', { beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.1, amsgrad: false, decoupled: false }],
    ['AdamW', { beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01, amsgrad: false, decoupled: true }],
  ];
  for (const [label, o] of cases) {
    it(`${label}: 5 steps on n = 1031 equal adamUpdate to float32 rounding`, () => {
      const n = 1031; // SIMD body + 3-float tail
      const p = filled(n), m = be.alloc(n), v = be.alloc(n);
      const pr = new Float32Array(p), mr = new Float32Array(n), vr = new Float32Array(n);
      for (let t = 1; t <= 5; t++) {
        const g = filled(n, 0.1);
        be.fused.adam(p, g, m, v, n, 1e-2, t, o);
        adamUpdate(pr, new Float32Array(g), mr, vr, null, n, 1e-2, t, o);
      }
      // element-wise relative error, floored at 1% of the array's scale (cancellation near 0)
      const scale = (x: Float32Array) => x.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
      expect(maxRelDiff(m, mr, 1e-2 * scale(mr))).toBeLessThan(1e-5);
      expect(maxRelDiff(v, vr, 1e-2 * scale(vr))).toBeLessThan(1e-5);
      expect(maxRelDiff(p, pr, 1e-2)).toBeLessThan(1e-5); // 1e-2 = lr, the size of one update
      // the moments really moved (the comparison would pass trivially if both did nothing)
      let moved = 0;
      for (let i = 0; i < n; i++) if (m[i] !== 0) moved++;
      expect(moved).toBe(n);
    });
  }
  it('first step moves each weight by ≈ lr·sign(g) (bias-corrected m/√v = ±1)', () => {
    const n = 9;
    const p = be.alloc(n), g = be.alloc(n), m = be.alloc(n), v = be.alloc(n);
    g.set([1, -2, 3, -4, 5, -6, 7, -8, 9]);
    be.fused.adam(p, g, m, v, n, 0.5, 1, { beta1: 0.9, beta2: 0.999, eps: 0, weight_decay: 0, decoupled: false });
    Array.from(g).forEach((x, i) => expect(p[i]).toBeCloseTo(x > 0 ? -0.5 : 0.5, 6));
  });
});

describe('fused norms and checks', () => {
  it('sumSquares equals the float64 loop (n with a tail)', () => {
    const x = filled(1003, 3);
    expect(be.fused.sumSquares(x)).toBeCloseTo(sumSquares(x), 3);
    expect(Math.abs(be.fused.sumSquares(x) / sumSquares(x) - 1)).toBeLessThan(1e-6);
    expect(be.fused.sumSquares(x, 2)).toBeCloseTo(x[0] * x[0] + x[1] * x[1], 10);
  });
  it('diffSquares gives Σ(a-b)² and Σb²', () => {
    const a = filled(515), b = filled(515);
    let d = 0, q = 0;
    for (let i = 0; i < 515; i++) { d += (a[i] - b[i]) ** 2; q += b[i] ** 2; }
    const r = be.fused.diffSquares(a, b);
    expect(Math.abs(r.diff / d - 1)).toBeLessThan(1e-6);
    expect(Math.abs(r.ref / q - 1)).toBeLessThan(1e-6);
  });
  it('allFinite finds one NaN or ±Inf anywhere (body and tail) and agrees with the JS check', () => {
    const x = filled(37);
    expect(be.fused.allFinite(x)).toBe(true);
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      for (const at of [0, 5, 35, 36]) {
        const old = x[at];
        x[at] = bad;
        expect(be.fused.allFinite(x)).toBe(false);
        expect(allFinite(x)).toBe(false);
        expect(be.fused.allFinite(x, at)).toBe(true); // only the first `at` floats
        x[at] = old;
      }
    }
    x[3] = 3.4e38; // large but finite
    expect(be.fused.allFinite(x)).toBe(true);
  });
});

describe('fused dense epilogue', () => {
  for (const act of ['identity', 'relu'] as const) {
    it(`biasAct(${act}) equals addBiasRows + activationForward; actBackward equals activationBackward`, () => {
      const rows = 5, cols = 13, n = rows * cols;
      const z = filled(n), bias = filled(cols), y = be.alloc(n);
      z[7] = 0; z[8] = -0; // the relu boundary
      const zr = new Float32Array(z), yr = new Float32Array(n);
      be.fused.biasAct(z, y, bias, rows, cols, act);
      addBiasRows(zr, bias, rows, cols);
      activationForward(ACTIVATIONS[act], 0, zr, yr, n);
      expect(Array.from(z)).toEqual(Array.from(zr));
      expect(Array.from(y)).toEqual(Array.from(yr));

      const dy = filled(n), dz = be.alloc(n), dzr = new Float32Array(n);
      be.fused.actBackward(dy, z, dz, n, act);
      activationBackward(ACTIVATIONS[act], 0, zr, yr, dy, dzr, n);
      expect(Array.from(dz)).toEqual(Array.from(dzr));
    });
  }
  it('biasAct without bias, in place (y = z)', () => {
    const z = be.alloc(6);
    z.set([-1, 2, -3, 4, 0, -0.5]);
    be.fused.biasAct(z, z, null, 2, 3, 'relu');
    expect(Array.from(z)).toEqual([0, 2, 0, 4, 0, 0]);
  });
  it('sumRows equals the JS column sums (float32 accumulation in the same order)', () => {
    const rows = 7, cols = 11;
    const dz = filled(rows * cols), db = be.alloc(cols), dbr = new Float32Array(cols);
    db.fill(99); // writes, does not accumulate
    be.fused.sumRows(dz, db, rows, cols);
    sumRows(dz, dbr, rows, cols);
    expect(Array.from(db)).toEqual(Array.from(dbr));
  });
  it('rejects foreign arrays and short lengths', () => {
    expect(() => be.fused.sumSquares(new Float32Array(4))).toThrow(/not allocated by this backend/);
    expect(() => be.fused.sumSquares(be.alloc(4), 5)).toThrow(/outside \[0, 4\]/);
  });
});

describe('fusedKernelsOf', () => {
  it('returns the kernels of a SIMD backend and null for the scalar backend', async () => {
    const { fusedKernelsOf } = await import('../../../src/core/kernels/simd.js');
    const { createScalarBackend } = await import('../../../src/core/kernels/scalar.js');
    expect(fusedKernelsOf(be)).toBe(be.fused);
    expect(fusedKernelsOf(createScalarBackend())).toBeNull();
  });
});

describe('fused tanh / sigmoid', () => {
  it('tanh is within 4e-7 (absolute and relative) of Math.tanh on [-10, 10], exact sign, ±1 at the ends', () => {
    const n = 200_003;
    const x = be.alloc(n), y = be.alloc(n);
    for (let i = 0; i < n; i++) x[i] = -10 + (20 * i) / (n - 1);
    be.fused.tanh(x, y);
    let maxAbs = 0, maxRel = 0;
    for (let i = 0; i < n; i++) {
      const t = Math.tanh(x[i]);
      maxAbs = Math.max(maxAbs, Math.abs(y[i] - t));
      if (t !== 0) maxRel = Math.max(maxRel, Math.abs(y[i] - t) / Math.abs(t));
      if (Math.sign(y[i]) !== Math.sign(t)) throw new Error(`sign of tanh(${x[i]})`);
    }
    expect(maxAbs).toBeLessThan(4e-7);
    expect(maxRel).toBeLessThan(4e-7);
    const s = be.alloc(7), t = be.alloc(7);
    s.set([0, 1e-6, -3e-4, Infinity, -Infinity, 50, Number.NaN]);
    be.fused.tanh(s, t);
    expect(Array.from(t.subarray(0, 6))).toEqual([0, Math.fround(1e-6), Math.fround(-3e-4), 1, -1, 1]);
    expect(t[6]).toBeNaN();
  });

  for (const act of ['tanh', 'sigmoid'] as const) {
    it(`biasAct(${act}) and actBackward(${act}) match activations.ts within 1e-6 (rows × cols with tails)`, () => {
      const rows = 6, cols = 11, n = rows * cols;
      const z = filled(n, 4), bias = filled(cols), y = be.alloc(n);
      const zr = new Float32Array(z), yr = new Float32Array(n);
      be.fused.biasAct(z, y, bias, rows, cols, act);
      addBiasRows(zr, bias, rows, cols);
      activationForward(ACTIVATIONS[act], 0, zr, yr, n);
      expect(Array.from(z)).toEqual(Array.from(zr)); // the bias add is exact
      for (let i = 0; i < n; i++) expect(Math.abs(y[i] - yr[i])).toBeLessThan(1e-6);
      const dy = filled(n), dz = be.alloc(n), dzr = new Float32Array(n);
      be.fused.actBackward(dy, z, dz, n, act);
      activationBackward(ACTIVATIONS[act], 0, zr, yr, dy, dzr, n);
      for (let i = 0; i < n; i++) expect(Math.abs(dz[i] - dzr[i])).toBeLessThan(1e-6);
    });
  }
});
