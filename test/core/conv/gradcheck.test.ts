/**
 * Finite-difference gradient checks (../gradcheck.ts) of conv2d (dX, dW, db) and the pooling kernels on the
 * scalar backend: loss = Σ y·r for a fixed random r, so dL/dy = r. Geometries: stride 2, padding 1,
 * dilation 2, non-square kernels and inputs, odd sizes, 1×1 kernels, and a 1→3→2 channel chain.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import {
  conv2dGeometry,
  pool2dGeometry,
  type Conv2dOptions,
  type Pool2dOptions,
} from '../../../src/core/conv/geometry.js';
import { createConv2d } from '../../../src/core/conv/conv2d.js';
import { createAvgPool2d, createGlobalAvgPool, createMaxPool2d } from '../../../src/core/conv/pool.js';
import { dot, numericGrad, relError } from '../gradcheck.js';

const be = createScalarBackend();
const rng = createRng(7);
const randn = (n: number, scale = 1): Float32Array => {
  const a = be.alloc(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
};
const ROWS = 2;

const CONVS: [string, Omit<Conv2dOptions, 'in'>, [number, number, number]][] = [
  ['k3, odd 5×7', { out_channels: 2, kernel_size: 3 }, [2, 5, 7]],
  ['stride 2, padding 1', { out_channels: 3, kernel_size: 3, stride: 2, padding: 1 }, [2, 7, 6]],
  ['dilation 2, padding 2', { out_channels: 2, kernel_size: 3, dilation: 2, padding: 2 }, [1, 6, 7]],
  [
    'non-square 2×3, stride (2,1), padding (1,0), dilation (1,2)',
    { out_channels: 2, kernel_size: [2, 3], stride: [2, 1], padding: [1, 0], dilation: [1, 2] },
    [2, 6, 9],
  ],
  ['1×1 kernel', { out_channels: 3, kernel_size: 1 }, [4, 3, 5]],
];

describe('conv2d gradients by finite differences', () => {
  for (const [name, opts, shape] of CONVS) {
    it(name, () => {
      const g = conv2dGeometry({ ...opts, in: { channels: shape[0], height: shape[1], width: shape[2] } });
      if (!g.ok) throw new Error(g.problem);
      const G = g.geometry;
      // chunkRows 1: the backward recomputes one chunk's im2col and accumulates dW over two chunks
      const k = createConv2d(be, G, ROWS, { needsInputGrad: true, chunkRows: 1 });
      const x = randn(ROWS * G.inSize),
        w = randn(G.outC * G.K, 0.5),
        b = randn(G.outC);
      const r = randn(ROWS * G.outSize);
      const loss = (): number => dot(k.forward(x, ROWS, w, b), r, ROWS * G.outSize);
      k.forward(x, ROWS, w, b);
      const dw = be.alloc(w.length),
        db = be.alloc(b.length);
      const dx = Float32Array.from(k.backward(r, ROWS, w, dw, db)!);
      expect(relError(numericGrad(loss, x, 1e-2), dx), 'dx').toBeLessThan(1e-3);
      expect(relError(numericGrad(loss, w, 1e-2), dw), 'dw').toBeLessThan(1e-3);
      expect(relError(numericGrad(loss, b, 1e-2), db), 'db').toBeLessThan(1e-3);
    });
  }

  it('a 1→3→2 channel chain (conv k3 pad 1 → conv k2 stride 2): dX through both, dW of the first', () => {
    const in1 = { channels: 1, height: 6, width: 5 };
    const g1 = conv2dGeometry({ in: in1, out_channels: 3, kernel_size: 3, padding: 1 });
    if (!g1.ok) throw new Error(g1.problem);
    const g2 = conv2dGeometry({ in: { channels: 3, height: 6, width: 5 }, out_channels: 2, kernel_size: 2, stride: 2 });
    if (!g2.ok) throw new Error(g2.problem);
    const A = g1.geometry,
      B = g2.geometry;
    const c1 = createConv2d(be, A, ROWS, { needsInputGrad: true });
    const c2 = createConv2d(be, B, ROWS, { needsInputGrad: true });
    const x = randn(ROWS * A.inSize),
      w1 = randn(A.outC * A.K, 0.5),
      b1 = randn(A.outC);
    const w2 = randn(B.outC * B.K, 0.5),
      b2 = randn(B.outC),
      r = randn(ROWS * B.outSize);
    const loss = (): number => dot(c2.forward(c1.forward(x, ROWS, w1, b1), ROWS, w2, b2), r, ROWS * B.outSize);
    loss();
    const dw1 = be.alloc(w1.length),
      db1 = be.alloc(b1.length),
      dw2 = be.alloc(w2.length),
      db2 = be.alloc(b2.length);
    const dx = Float32Array.from(c1.backward(c2.backward(r, ROWS, w2, dw2, db2)!, ROWS, w1, dw1, db1)!);
    expect(relError(numericGrad(loss, x, 1e-2), dx), 'dx').toBeLessThan(1e-3);
    expect(relError(numericGrad(loss, w1, 1e-2), dw1), 'dw1').toBeLessThan(1e-3);
    expect(relError(numericGrad(loss, b1, 1e-2), db1), 'db1').toBeLessThan(1e-3);
  });

  it('rows below capacity touch only those rows; rows = 0 zeroes dW; rows above capacity throw', () => {
    const g = conv2dGeometry({ in: { channels: 2, height: 5, width: 5 }, out_channels: 2, kernel_size: 3, padding: 1 });
    if (!g.ok) throw new Error(g.problem);
    const G = g.geometry;
    const full = createConv2d(be, G, 3, { needsInputGrad: true, chunkRows: 2 });
    const part = createConv2d(be, G, 1, { needsInputGrad: true });
    const x = randn(3 * G.inSize),
      w = randn(G.outC * G.K),
      b = randn(G.outC),
      dy = randn(3 * G.outSize);
    full.forward(x, 3, w, b);
    part.forward(x, 1, w, b);
    expect(Array.from(part.output)).toEqual(Array.from(full.output.subarray(0, G.outSize)));
    const dw = be.alloc(w.length).fill(7),
      db = be.alloc(b.length).fill(7);
    full.forward(x, 0, w, b);
    full.backward(dy, 0, w, dw, db);
    expect(dw.every((v) => v === 0) && db.every((v) => v === 0)).toBe(true);
    expect(() => full.forward(x, 4, w, b)).toThrow(RangeError);
  });

  it('without needsInputGrad: no dX buffer, dW and db still written', () => {
    const g = conv2dGeometry({ in: { channels: 1, height: 4, width: 4 }, out_channels: 2, kernel_size: 3 });
    if (!g.ok) throw new Error(g.problem);
    const k = createConv2d(be, g.geometry, 1, { needsInputGrad: false });
    const w = randn(18),
      dw = be.alloc(18),
      db = be.alloc(2);
    k.forward(randn(16), 1, w, null);
    expect(k.backward(randn(8), 1, w, dw, db)).toBeNull();
    expect(k.inputGrad).toBeNull();
    expect(dw.some((v) => v !== 0) && db.some((v) => v !== 0)).toBe(true);
  });
});

/** Distinct values 0.1 apart (a shuffled 0, 0.1, 0.2, ...), so ±eps (1e-2) never reorders a max window. */
function distinct(n: number): Float32Array {
  const a = be.alloc(n);
  for (let i = 0; i < n; i++) a[i] = i * 0.1;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const POOLS: [string, 'max' | 'avg', Omit<Pool2dOptions, 'in'>, [number, number, number], boolean?][] = [
  ['max k2', 'max', { kernel_size: 2 }, [2, 6, 5]],
  ['max k3 stride 2 padding 1', 'max', { kernel_size: 3, stride: 2, padding: 1 }, [2, 7, 6]],
  ['max k3 stride 1 dilation 2 padding 1', 'max', { kernel_size: 3, stride: 1, dilation: 2, padding: 1 }, [1, 7, 8]],
  ['max 2×3 stride (1,2) (overlapping windows)', 'max', { kernel_size: [2, 3], stride: [1, 2] }, [2, 5, 9]],
  ['avg k2', 'avg', { kernel_size: 2 }, [2, 6, 5]],
  ['avg k3 stride 2 padding 1', 'avg', { kernel_size: 3, stride: 2, padding: 1 }, [2, 7, 6]],
  [
    'avg k3 stride 2 padding 1, count_include_pad=False',
    'avg',
    { kernel_size: 3, stride: 2, padding: 1 },
    [2, 7, 6],
    false,
  ],
  ['avg 3×2 stride (1,2) padding (1,0)', 'avg', { kernel_size: [3, 2], stride: [1, 2], padding: [1, 0] }, [1, 7, 6]],
];

describe('pooling gradients by finite differences', () => {
  for (const [name, kind, opts, shape, include] of POOLS) {
    it(name, () => {
      const g = pool2dGeometry({ ...opts, in: { channels: shape[0], height: shape[1], width: shape[2] } });
      if (!g.ok) throw new Error(g.problem);
      const G = g.geometry;
      const k =
        kind === 'max'
          ? createMaxPool2d(be, G, ROWS, { needsInputGrad: true })
          : createAvgPool2d(be, G, ROWS, { needsInputGrad: true, countIncludePad: include });
      const x = distinct(ROWS * G.inSize),
        r = randn(ROWS * G.outSize);
      const loss = (): number => dot(k.forward(x, ROWS), r, ROWS * G.outSize);
      loss();
      const dx = Float32Array.from(k.backward(r, ROWS)!);
      expect(relError(numericGrad(loss, x, 1e-2), dx)).toBeLessThan(1e-3);
    });
  }

  it('global average pool', () => {
    const k = createGlobalAvgPool(be, { channels: 3, height: 4, width: 5 }, ROWS, { needsInputGrad: true });
    const x = randn(ROWS * 60),
      r = randn(ROWS * 3);
    const loss = (): number => dot(k.forward(x, ROWS), r, ROWS * 3);
    loss();
    const dx = Float32Array.from(k.backward(r, ROWS)!);
    expect(relError(numericGrad(loss, x, 1e-2), dx)).toBeLessThan(1e-3);
  });
});

describe('max pooling: ties and NaN as torch 1.13 CPU (MaxPoolKernel.cpp: val > max || isnan(val))', () => {
  const g = pool2dGeometry({ in: { channels: 1, height: 2, width: 4 }, kernel_size: 2 });
  if (!g.ok) throw new Error(g.problem);
  it('the first of equal maxima takes the gradient; a NaN propagates and takes it', () => {
    const k = createMaxPool2d(be, g.geometry, 1, { needsInputGrad: true });
    const x = be.alloc(8);
    x.set([1, 3, NaN, 0, 3, 2, 5, NaN]); // windows [1,3;3,2] and [NaN,0;5,NaN]
    const y = k.forward(x, 1);
    expect(y[0]).toBe(3);
    expect(y[1]).toBeNaN();
    // the first 3 (row 0); the last NaN (torch keeps updating on NaN)
    expect(Array.from(k.argmax.subarray(0, 2))).toEqual([1, 7]);
    const dy = be.alloc(2);
    dy.set([10, 20]);
    expect(Array.from(k.backward(dy, 1)!)).toEqual([0, 10, 0, 0, 0, 0, 0, 20]);
  });
  it('an all −inf window points at its first valid position', () => {
    const p = pool2dGeometry({ in: { channels: 1, height: 2, width: 2 }, kernel_size: 2, padding: 1, stride: 2 });
    if (!p.ok) throw new Error(p.problem);
    const k = createMaxPool2d(be, p.geometry, 1, { needsInputGrad: false });
    const x = be.alloc(4);
    x.fill(-Infinity);
    k.forward(x, 1);
    expect(Array.from(k.argmax.subarray(0, 4))).toEqual([0, 1, 2, 3]);
  });
});
