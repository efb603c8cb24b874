/**
 * The WebAssembly SIMD backend's own behaviour: its memory (reserved once, never grown), its argument
 * checks and the fused kernels' lookup. Its kernels are held to the backend contract by
 * test/backends/conformance.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import { createSimdBackend, fusedKernelsOf } from '../../../src/core/kernels/simd.js';

describe('simd backend gemm: its own argument checks', () => {
  const be = createSimdBackend(1 << 16);

  it('rejects arrays that do not live in its memory, and too-short arrays, with clear errors', () => {
    const a = be.alloc(4),
      c = be.alloc(4);
    expect(() => be.gemm(false, false, 2, 2, 2, a, new Float32Array(4), c, false)).toThrow(
      /not allocated by this backend/,
    );
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
    expect(() => be.alloc(500)).toThrow(
      /out of capacity: alloc\(500\) needs 500 floats but only 400 of 1000 are free.*createSimdBackend\(capacityFloats >= 1104\)/,
    );
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
    const b1 = createSimdBackend(100),
      b2 = createSimdBackend(100);
    const x = b1.alloc(4),
      y = b2.alloc(4),
      z = b2.alloc(4);
    expect(x.buffer).not.toBe(y.buffer);
    expect(() => b2.gemm(false, false, 2, 2, 2, x, y, z, false)).toThrow(/not allocated by this backend/);
  });
});

describe('simd fused kernels: their own argument checks', () => {
  const be = createSimdBackend(1 << 16);
  it('reject foreign arrays and short lengths', () => {
    expect(() => be.fused.sumSquares(new Float32Array(4))).toThrow(/not allocated by this backend/);
    expect(() => be.fused.sumSquares(be.alloc(4), 5)).toThrow(/outside \[0, 4\]/);
    const z = be.alloc(4);
    expect(() => be.fused.biasAct(z, z, be.alloc(1), 2, 2, 'relu')).toThrow(/bias has 1 floats, needs 2/);
  });
  it('fusedKernelsOf returns the kernels of a SIMD backend and null for the scalar backend', () => {
    expect(fusedKernelsOf(be)).toBe(be.fused);
    expect(fusedKernelsOf(createScalarBackend())).toBeNull();
  });
});
