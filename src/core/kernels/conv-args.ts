/**
 * The raw arguments of the conv data-movement kernels (im2col, col2imAdd: src/core/kernels/manifest.ts's
 * CONV_WINDOW), checked before a kernel without bounds checks (the WebAssembly one) runs: integer sizes,
 * strides and dilations ≥ 1, padding ≥ 0, an output of at least 1×1 that matches g.outH × g.outW (the
 * kernel recomputes it with PyTorch's formula), and arrays long enough for rows [row0, row0+rows).
 */
import type { Geometry2d } from '../conv/geometry.js';

/** PyTorch's conv output size (geometry.ts) */
const outSize = (inS: number, k: number, s: number, p: number, d: number): number =>
  Math.floor((inS + 2 * p - d * (k - 1) - 1) / s) + 1;

/** [row0, rows, inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW], or a RangeError. */
export function convKernelArgs(
  what: string,
  g: Geometry2d,
  row0: number,
  rows: number,
  batch: Float32Array,
  col: Float32Array,
): number[] {
  const v = [row0, rows, g.inC, g.inH, g.inW, g.kH, g.kW, g.strideH, g.strideW, g.padH, g.padW, g.dilH, g.dilW];
  const min = (i: number): number => (i < 2 || i === 9 || i === 10 ? 0 : 1);
  const ok = v.every((n, i) => Number.isInteger(n) && n >= min(i) && n <= 0x7fffffff);
  if (
    !ok ||
    g.outH < 1 ||
    g.outW < 1 ||
    outSize(g.inH, g.kH, g.strideH, g.padH, g.dilH) !== g.outH ||
    outSize(g.inW, g.kW, g.strideW, g.padW, g.dilW) !== g.outW
  ) {
    throw new RangeError(`${what}: invalid geometry or rows (${v.join(', ')} → ${g.outH}×${g.outW})`);
  }
  const inSize = g.inC * g.inH * g.inW,
    K = g.inC * g.kH * g.kW,
    P = g.outH * g.outW;
  const need = (row0 + rows) * inSize;
  if (batch.length < need) {
    throw new RangeError(`${what}: the batch has ${batch.length} floats, rows up to ${row0 + rows} need ${need}`);
  }
  if (col.length < K * rows * P) {
    throw new RangeError(`${what}: col has ${col.length} floats, needs K·rows·P = ${K * rows * P}`);
  }
  return v;
}
