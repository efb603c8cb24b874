/**
 * im2col / col2im over a chunk of B rows of the batch (Caffe's / PyTorch's slow_conv2d unfold, batched):
 *   col[r, b·P + p] = x[row0 + b, c, oh·sH − pH + ki·dH, ow·sW − pW + kj·dW]   (0 outside the input)
 * with r = (c·kH + ki)·kW + kj (the column order of a weight [outC, inC, kH, kW] flattened to [outC, K])
 * and p = oh·outW + ow. So col is K × (B·P), row-major, and W[outC × K] · col is the output of the B rows
 * as [outC, B, P]. col2im is the adjoint: it adds each col entry back into the input position it came from.
 */
import type { Conv2dGeometry } from './geometry.js';

/** The ow range whose input column ow·s − p + kj·d lies inside [0, inW). */
function validRange(out: number, inSize: number, s: number, offset: number): [number, number] {
  // offset = kj·d − p; need 0 ≤ o·s + offset < inSize
  const lo = offset >= 0 ? 0 : Math.ceil(-offset / s);
  const hi = Math.min(out, Math.floor((inSize - 1 - offset) / s) + 1);
  return [Math.min(lo, out), Math.max(hi, Math.min(lo, out))];
}

export function im2col(g: Conv2dGeometry, x: Float32Array, row0: number, rows: number, col: Float32Array): void {
  const { inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, P, inSize } = g;
  const BP = rows * P,
    plane = inH * inW;
  for (let c = 0; c < inC; c++) {
    for (let ki = 0; ki < kH; ki++) {
      const offH = ki * dilH - padH;
      const [ohLo, ohHi] = validRange(outH, inH, strideH, offH);
      for (let kj = 0; kj < kW; kj++) {
        const offW = kj * dilW - padW;
        const [owLo, owHi] = validRange(outW, inW, strideW, offW);
        const r = (c * kH + ki) * kW + kj;
        for (let b = 0; b < rows; b++) {
          const xb = (row0 + b) * inSize + c * plane;
          const cb = r * BP + b * P;
          for (let oh = 0; oh < outH; oh++) {
            const o = cb + oh * outW;
            if (oh < ohLo || oh >= ohHi) {
              col.fill(0, o, o + outW);
              continue;
            }
            const xr = xb + (oh * strideH + offH) * inW + offW;
            for (let ow = 0; ow < owLo; ow++) col[o + ow] = 0;
            for (let ow = owLo; ow < owHi; ow++) col[o + ow] = x[xr + ow * strideW];
            for (let ow = owHi; ow < outW; ow++) col[o + ow] = 0;
          }
        }
      }
    }
  }
}

/** dx[row0 .. row0+rows) += col2im(col); the caller zeroes dx's rows first. */
export function col2imAdd(g: Conv2dGeometry, col: Float32Array, row0: number, rows: number, dx: Float32Array): void {
  const { inC, inH, inW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, outH, outW, P, inSize } = g;
  const BP = rows * P,
    plane = inH * inW;
  for (let c = 0; c < inC; c++) {
    for (let ki = 0; ki < kH; ki++) {
      const offH = ki * dilH - padH;
      const [ohLo, ohHi] = validRange(outH, inH, strideH, offH);
      for (let kj = 0; kj < kW; kj++) {
        const offW = kj * dilW - padW;
        const [owLo, owHi] = validRange(outW, inW, strideW, offW);
        const r = (c * kH + ki) * kW + kj;
        for (let b = 0; b < rows; b++) {
          const xb = (row0 + b) * inSize + c * plane;
          const cb = r * BP + b * P;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = cb + oh * outW;
            const xr = xb + (oh * strideH + offH) * inW + offW;
            for (let ow = owLo; ow < owHi; ow++) dx[xr + ow * strideW] += col[o + ow];
          }
        }
      }
    }
  }
}
