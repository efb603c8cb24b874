/**
 * The native addon's own behaviour: it is built and loads, its argument checks, AVX2 and AVX-512 giving
 * bit-identical results, and its activations being the SIMD backend's float32 formulas bit for bit.
 * Its kernels are held to the backend contract at each ISA by test/backends/conformance.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { FUSED_ACTIVATIONS } from '../../../src/core/kernels/contract.generated.js';
import { createSimdBackend } from '../../../src/core/kernels/simd.js';
import { createNativeBackend, type NativeBackend } from '../../../workers/native-backend.js';
import { hasCompiler, named, nativeSkipReason, nativeWithIsa, requireNative, resetNative } from './addon.js';

const fill = (x: Float32Array, rng: ReturnType<typeof createRng>, scale = 1): Float32Array => {
  for (let i = 0; i < x.length; i++) x[i] = (rng.next() * 2 - 1) * scale;
  return x;
};

const ORIENTATIONS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

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

describe.skipIf(noNative)(named('native addon: argument checks', noNative), () => {
  let be: NativeBackend;
  beforeAll(() => {
    be = createNativeBackend(requireNative());
  });
  it('a buffer shorter than the shape is a RangeError, never a stray write', () => {
    const a = new Float32Array(6),
      b = new Float32Array(6),
      c = new Float32Array(3);
    expect(() => be.gemm(false, false, 2, 2, 3, a, b, c, false)).toThrow(/C is shorter/);
    expect(() => be.gemm(false, false, 3, 2, 3, a, b, new Float32Array(6), false)).toThrow(/A is shorter/);
    expect(() => be.fused.biasAct(c, c, null, 2, 2, 'relu')).toThrow(RangeError);
    expect(() => be.fused.sumSquares(c, 4)).toThrow(RangeError);
    expect(() => be.raw.adam(a, a, a, c, 6, 0.1, 0.999, 0.001, 1, 1, 1e-8, 0, 1)).toThrow(RangeError);
  });
  it('a non-Float32Array is a TypeError', () => {
    expect(() =>
      be.gemm(
        false,
        false,
        1,
        1,
        1,
        new Float64Array(1) as unknown as Float32Array,
        new Float32Array(1),
        new Float32Array(1),
        false,
      ),
    ).toThrow(TypeError);
  });
});

const sameAsSimd = "native activations are the SIMD backend's float32 formulas, bit for bit";
describe.skipIf(noNative)(named(sameAsSimd, noNative), () => {
  let be: NativeBackend;
  beforeAll(() => {
    be = createNativeBackend(requireNative());
  });
  const simd = createSimdBackend(1 << 20);
  const rng = createRng(11);

  it('biasAct, actBackward and tanh give the bits of assembly/activation.ts (native/src/ops/activation.h mirrors it)', () => {
    const rows = 7,
      cols = 37,
      n = rows * cols;
    const z0 = fill(new Float32Array(n), rng, 12),
      bias = fill(new Float32Array(cols), rng);
    const dy = fill(new Float32Array(n), rng);
    z0[3] = Number.NaN;
    z0[4] = -0;
    z0[5] = 3e-4;
    z0[6] = 9.5;
    // every bit, -0 included; a NaN is a NaN (its payload is the platform's: wasm may canonicalise it)
    const bits = (x: Float32Array) =>
      Array.from(new Uint32Array(x.slice().buffer), (u, i) => (Number.isNaN(x[i]) ? 'NaN' : u));
    for (const act of FUSED_ACTIVATIONS) {
      const z = z0.slice(),
        y = new Float32Array(n),
        dz = new Float32Array(n);
      be.fused.biasAct(z, y, bias, rows, cols, act);
      be.fused.actBackward(dy, z, dz, n, act);
      const zs = simd.alloc(n),
        ys = simd.alloc(n),
        bs = simd.alloc(cols),
        dys = simd.alloc(n),
        dzs = simd.alloc(n);
      zs.set(z0);
      bs.set(bias);
      dys.set(dy);
      simd.fused.biasAct(zs, ys, bs, rows, cols, act);
      simd.fused.actBackward(dys, zs, dzs, n, act);
      expect(bits(z), `${act} z`).toEqual(bits(zs));
      expect(bits(y), `${act} y`).toEqual(bits(ys));
      expect(bits(dz), `${act} dz`).toEqual(bits(dzs));
    }
    const t = new Float32Array(n),
      ts = simd.alloc(n),
      xs = simd.alloc(n);
    xs.set(z0);
    be.raw.tanh(z0, t, n);
    simd.fused.tanh(xs, ts, n);
    expect(bits(t)).toEqual(bits(ts));
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
      for (const [tA, tB] of ORIENTATIONS)
        for (const [m, n, k] of [
          [128, 256, 784],
          [97, 531, 300],
          [10, 64, 128],
          [3, 5, 7],
        ]) {
          const a = fill(new Float32Array(m * k), rng),
            b = fill(new Float32Array(k * n), rng),
            c = fill(new Float32Array(m * n), rng);
          be.gemm(tA, tB, m, n, k, a, b, c, true);
          out.push(c);
        }
      const z = fill(new Float32Array(999), rng, 5),
        y = new Float32Array(999),
        dz = new Float32Array(999);
      for (const act of ['relu', 'tanh', 'sigmoid'] as const) {
        be.fused.biasAct(z, y, fill(new Float32Array(333), rng), 3, 333, act);
        be.fused.actBackward(y, z, dz, 999, act);
        be.fused.sumRows(dz, y, 3, 333);
        out.push(y.slice(), dz.slice());
      }
      const p = fill(new Float32Array(777), rng),
        g = fill(new Float32Array(777), rng),
        m1 = new Float32Array(777),
        v1 = new Float32Array(777);
      for (let t = 1; t < 5; t++)
        be.fused.adam(p, g, m1, v1, 777, 1e-3, t, {
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weight_decay: 0.01,
          decoupled: true,
        });
      be.fused.sgd!(p, g, m1, 777, 0.1, { momentum: 0.9, dampening: 0, nesterov: true, weight_decay: 1e-4 }, false);
      out.push(p, m1, v1, Float32Array.of(be.fused.sumSquares(p), be.fused.diffSquares(p, g).diff));
      return out;
    };
    const a = run('avx512'),
      b = run('avx2');
    expect(a.length).toBe(b.length);
    a.forEach((x, i) =>
      expect(
        Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(
          Buffer.from(b[i].buffer, b[i].byteOffset, b[i].byteLength),
        ),
        `output ${i}`,
      ).toBe(true),
    );
  });
});
