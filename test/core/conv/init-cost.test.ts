/**
 * Conv2d's default init (torch/nn/modules/conv.py reset_parameters: U(±1/√fan_in) for weight and bias,
 * fan_in = in·kH·kW) and the fans of other initializers; the cost helpers against hand counts and
 * against what the kernels actually allocate.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { initDense } from '../../../src/core/init.js';
import { convFans, initConv2d } from '../../../src/core/conv/init.js';
import { conv2dGeometry, pool2dGeometry } from '../../../src/core/conv/geometry.js';
import {
  conv2dBufferFloats,
  conv2dChunkRows,
  conv2dFlopsPerRow,
  conv2dParamCount,
  createConv2d,
} from '../../../src/core/conv/conv2d.js';
import { globalAvgPoolFlopsPerRow, pool2dBufferFloats, pool2dFlopsPerRow } from '../../../src/core/conv/cost.js';
import { createAvgPool2d, createMaxPool2d } from '../../../src/core/conv/pool.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import type { Backend } from '../../../src/core/types.js';

describe('initConv2d', () => {
  it('fans as torch.nn.init._calculate_fan_in_and_fan_out of [out, in, kH, kW]', () => {
    expect(convFans(16, 6, 5, 5)).toEqual({ fanIn: 150, fanOut: 400 });
    expect(convFans(3, 2, 2, 3)).toEqual({ fanIn: 12, fanOut: 18 });
  });

  it('default: weight and bias in ±1/√fan_in (LeNet conv2: ±1/√150), filling the range', () => {
    const w = new Float32Array(16 * 150),
      b = new Float32Array(16);
    initConv2d({ name: 'default' }, w, b, 16, 6, 5, 5, createRng(1));
    const bound = 1 / Math.sqrt(150);
    const maxW = Math.max(...w.map(Math.abs));
    expect(maxW).toBeLessThanOrEqual(bound);
    expect(maxW).toBeGreaterThan(0.99 * bound);
    const varW = w.reduce((s, v) => s + v * v, 0) / w.length; // U(±a): a²/3
    expect(varW / ((bound * bound) / 3)).toBeGreaterThan(0.9);
    expect(varW / ((bound * bound) / 3)).toBeLessThan(1.1);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(b.some((v) => v !== 0)).toBe(true);
  });

  it('draws exactly as nn.Linear on the flattened [out, in·kH·kW] matrix (same seed, same numbers)', () => {
    for (const name of ['default', 'xavier_uniform', 'kaiming_normal', 'orthogonal'] as const) {
      const wc = new Float32Array(6 * 25),
        bc = new Float32Array(6);
      const wd = new Float32Array(6 * 25),
        bd = new Float32Array(6);
      initConv2d({ name }, wc, bc, 6, 1, 5, 5, createRng(3));
      initDense({ name }, wd, bd, 6, 25, createRng(3));
      if (name !== 'xavier_uniform') expect(Array.from(wc), name).toEqual(Array.from(wd));
      expect(Array.from(bc), name).toEqual(Array.from(bd));
    }
  });

  it('xavier uses fan_out = out·kH·kW (bound √(6/(150+400)) for [16, 6, 5, 5])', () => {
    const w = new Float32Array(16 * 150);
    initConv2d({ name: 'xavier_uniform' }, w, null, 16, 6, 5, 5, createRng(2));
    const bound = Math.sqrt(6 / 550);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.99 * bound);
  });
});

/** A scalar backend that counts the floats it hands out. */
function counting(): Backend & { floats: number } {
  const inner = createScalarBackend();
  const be = {
    name: inner.name,
    floats: 0,
    gemm: inner.gemm,
    alloc(n: number) {
      be.floats += n;
      return inner.alloc(n);
    },
  };
  return be;
}

describe('cost', () => {
  const mnist = { channels: 1, height: 28, width: 28 };
  const c1 = conv2dGeometry({ in: mnist, out_channels: 6, kernel_size: 5, padding: 2 });
  const p1 = pool2dGeometry({ in: { channels: 6, height: 28, width: 28 }, kernel_size: 2 });
  if (!c1.ok || !p1.ok) throw new Error('geometry');
  const C = c1.geometry,
    P = p1.geometry;

  it('conv2d FLOPs per row: 2·outC·K·P per GEMM (LeNet conv1: 2·6·25·784 = 235 200), bias outC·P', () => {
    expect(conv2dFlopsPerRow(C, true, false)).toEqual({ forward: 235200 + 4704, backward: 235200 + 4704 });
    expect(conv2dFlopsPerRow(C, true, true).backward).toBe(2 * 235200 + 4704 + 25 * 784);
    expect(conv2dParamCount(C, true)).toBe(156);
  });

  it('pool FLOPs per row', () => {
    expect(pool2dFlopsPerRow('max', P, true)).toEqual({ forward: 1176 * 4, backward: 1176 });
    expect(pool2dFlopsPerRow('avg', P, false)).toEqual({ forward: 1176 * 5, backward: 0 });
    expect(globalAvgPoolFlopsPerRow(16, 5, 5, true)).toEqual({ forward: 432, backward: 432 });
  });

  it('the buffer sizes are what the kernels allocate', () => {
    for (const needs of [true, false]) {
      const be = counting();
      createConv2d(be, C, 128, { needsInputGrad: needs });
      const chunk = conv2dChunkRows(C, 128);
      expect(chunk).toBe(3); // ⌊65536 / (25·784)⌋
      const sizes = conv2dBufferFloats(C, 128, needs);
      expect(be.floats).toBe(sizes.total);
      expect(sizes.col).toBe(25 * 3 * 784);
      const bm = counting();
      createMaxPool2d(bm, P, 128, { needsInputGrad: needs });
      // the argmax is an Int32Array outside the backend: same bytes as the output
      expect(bm.floats + 128 * P.outSize).toBe(pool2dBufferFloats('max', P, 128, needs).total);
      const ba = counting();
      createAvgPool2d(ba, P, 128, { needsInputGrad: needs });
      expect(ba.floats).toBe(pool2dBufferFloats('avg', P, 128, needs).total);
    }
  });
});
