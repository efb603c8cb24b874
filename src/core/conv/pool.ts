/**
 * 2-D pooling over rows of [C, H, W] (NCHW per row), PyTorch 1.13's CPU kernels
 * (aten/src/ATen/native/cpu/MaxPoolKernel.cpp cpu_max_pool / cpu_max_pool_backward,
 * AvgPoolKernel.cpp cpu_avg_pool / cpu_avg_pool_backward, AdaptiveAvgPoolKernel.cpp cpu_adaptive_avg_pool):
 *
 * max: the window's valid positions in row-major order (padding is skipped, i.e. acts as −inf); a value
 *   replaces the running max when `val > max || isnan(val)` — the FIRST of equal maxima wins, a NaN
 *   propagates (the last NaN's index is kept). Before any comparison the index is the window's first valid
 *   position, so an all −inf window points there. Backward: dx[argmax] += dy, in output order.
 * avg: sum of the valid positions in float32, in row-major order, divided by the window size counted with
 *   the padding (count_include_pad=True) clipped to the padded input, or by the valid positions only
 *   (count_include_pad=False). Backward: dy / divisor (float32) added to each valid position.
 * The float32 sums and divisions follow torch's order, so max and avg pooling are bit-for-bit torch 1.13 on CPU.
 * global average (AdaptiveAvgPool2d(1)): torch 1.13 turns an output size of 1 into input.mean((-1, -2))
 * (aten/src/ATen/native/AdaptiveAveragePooling.cpp), a vectorised sum whose order is not ours: the sum
 * here is in float64, then / (H·W) (within 1e-5 of torch); the backward, dy / (H·W) in float32 spread over
 * the plane, is mean's backward bit-for-bit.
 */
import type { Backend } from '../types.js';
import type { Geometry2d } from './geometry.js';

const f32 = Math.fround;

export interface PoolKernel {
  readonly geometry: Geometry2d;
  /** capacity × outSize */
  readonly output: Float32Array;
  /** capacity × inSize, or null without needsInputGrad */
  readonly inputGrad: Float32Array | null;
  forward(x: Float32Array, rows: number): Float32Array;
  /** dX (`inputGrad`), or null without needsInputGrad */
  backward(dy: Float32Array, rows: number): Float32Array | null;
}

export interface MaxPoolKernel extends PoolKernel {
  /** per output, the argmax's index within its input plane (h·W + w), −1 for an empty window */
  readonly argmax: Int32Array;
}

/**
 * For each of `out` window positions along one axis: the first valid input index ≥ the window's start
 * stepping by d (the start may be negative) and the end bound, as [start0, end0, start1, end1, ...]. The
 * geometry is fixed, so a kernel computes these once rather than per output element.
 */
function spans(out: number, s: number, p: number, k: number, d: number, size: number): Int32Array {
  const r = new Int32Array(2 * out);
  for (let o = 0; o < out; o++) {
    let i0 = o * s - p;
    const i1 = Math.min(i0 + d * (k - 1) + 1, size);
    while (i0 < 0) i0 += d;
    r[2 * o] = i0;
    r[2 * o + 1] = i1;
  }
  return r;
}

function checkRows(what: string, rows: number, capacity: number): void {
  if (!Number.isInteger(rows) || rows < 0 || rows > capacity) {
    throw new RangeError(`${what}: rows must be an integer in [0, ${capacity}], got ${rows}`);
  }
}

/** torch.nn.MaxPool2d(kernel_size, stride, padding, dilation), ceil_mode=False. */
export function createMaxPool2d(
  backend: Backend,
  g: Geometry2d,
  capacity: number,
  o: { needsInputGrad: boolean },
): MaxPoolKernel {
  const { inC, inH, inW, outH, outW, kH, kW, strideH, strideW, padH, padW, dilH, dilW, inSize, outSize } = g;
  const output = backend.alloc(capacity * outSize);
  const dx = o.needsInputGrad ? backend.alloc(capacity * inSize) : null;
  const argmax = new Int32Array(capacity * outSize);
  const inPlane = inH * inW,
    outPlane = outH * outW;
  const hSpans = spans(outH, strideH, padH, kH, dilH, inH),
    wSpans = spans(outW, strideW, padW, kW, dilW, inW);
  return {
    geometry: g,
    output,
    inputGrad: dx,
    argmax,
    forward(x, rows) {
      checkRows('maxpool2d', rows, capacity);
      for (let pl = 0; pl < rows * inC; pl++) {
        const xb = pl * inPlane,
          yb = pl * outPlane;
        for (let oh = 0; oh < outH; oh++) {
          const h0 = hSpans[2 * oh],
            h1 = hSpans[2 * oh + 1];
          for (let ow = 0; ow < outW; ow++) {
            const w0 = wSpans[2 * ow],
              w1 = wSpans[2 * ow + 1];
            let idx = h0 < h1 && w0 < w1 ? h0 * inW + w0 : -1,
              max = -Infinity;
            for (let h = h0; h < h1; h += dilH) {
              for (let w = w0; w < w1; w += dilW) {
                const v = x[xb + h * inW + w];
                if (v > max || v !== v) {
                  max = v;
                  idx = h * inW + w;
                }
              }
            }
            output[yb + oh * outW + ow] = max;
            argmax[yb + oh * outW + ow] = idx;
          }
        }
      }
      return output;
    },
    backward(dy, rows) {
      checkRows('maxpool2d', rows, capacity);
      if (!dx) return null;
      dx.fill(0, 0, rows * inSize);
      for (let pl = 0; pl < rows * inC; pl++) {
        const xb = pl * inPlane,
          yb = pl * outPlane;
        for (let i = 0; i < outPlane; i++) {
          const a = argmax[yb + i];
          if (a >= 0) dx[xb + a] += dy[yb + i];
        }
      }
      return dx;
    },
  };
}

/** torch.nn.AvgPool2d(kernel_size, stride, padding, count_include_pad=True), ceil_mode=False, no divisor_override. */
export function createAvgPool2d(
  backend: Backend,
  g: Geometry2d,
  capacity: number,
  o: { needsInputGrad: boolean; countIncludePad?: boolean },
): PoolKernel {
  const { inC, inH, inW, outH, outW, kH, kW, strideH, strideW, padH, padW, inSize, outSize } = g;
  if (g.dilH !== 1 || g.dilW !== 1) throw new RangeError('avgpool2d has no dilation (torch.nn.AvgPool2d)');
  const include = o.countIncludePad ?? true;
  const output = backend.alloc(capacity * outSize);
  const dx = o.needsInputGrad ? backend.alloc(capacity * inSize) : null;
  const inPlane = inH * inW,
    outPlane = outH * outW;
  /** the window of output (oh, ow): valid [h0, h1) × [w0, w1) and the divisor; calls f */
  const windowOf = (oh: number, ow: number): [number, number, number, number, number] => {
    let h0 = oh * strideH - padH,
      w0 = ow * strideW - padW;
    let h1 = Math.min(h0 + kH, inH + padH),
      w1 = Math.min(w0 + kW, inW + padW);
    const poolSize = (h1 - h0) * (w1 - w0);
    h0 = Math.max(h0, 0);
    w0 = Math.max(w0, 0);
    h1 = Math.min(h1, inH);
    w1 = Math.min(w1, inW);
    return [h0, h1, w0, w1, include ? poolSize : (h1 - h0) * (w1 - w0)];
  };
  return {
    geometry: g,
    output,
    inputGrad: dx,
    forward(x, rows) {
      checkRows('avgpool2d', rows, capacity);
      for (let pl = 0; pl < rows * inC; pl++) {
        const xb = pl * inPlane,
          yb = pl * outPlane;
        for (let oh = 0; oh < outH; oh++) {
          for (let ow = 0; ow < outW; ow++) {
            const [h0, h1, w0, w1, div] = windowOf(oh, ow);
            let sum = 0;
            for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) sum = f32(sum + x[xb + h * inW + w]);
            output[yb + oh * outW + ow] = h0 < h1 && w0 < w1 ? sum / div : 0;
          }
        }
      }
      return output;
    },
    backward(dy, rows) {
      checkRows('avgpool2d', rows, capacity);
      if (!dx) return null;
      dx.fill(0, 0, rows * inSize);
      for (let pl = 0; pl < rows * inC; pl++) {
        const xb = pl * inPlane,
          yb = pl * outPlane;
        for (let oh = 0; oh < outH; oh++) {
          for (let ow = 0; ow < outW; ow++) {
            const [h0, h1, w0, w1, div] = windowOf(oh, ow);
            const delta = f32(dy[yb + oh * outW + ow] / div);
            for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dx[xb + h * inW + w] += delta;
          }
        }
      }
      return dx;
    },
  };
}

/** Global average pooling [C, H, W] → [C] (torch.nn.AdaptiveAvgPool2d(1) followed by flatten). */
export function createGlobalAvgPool(
  backend: Backend,
  shape: { channels: number; height: number; width: number },
  capacity: number,
  o: { needsInputGrad: boolean },
): PoolKernel {
  const { channels: C, height: H, width: W } = shape;
  const plane = H * W;
  const g: Geometry2d = {
    inC: C,
    inH: H,
    inW: W,
    outC: C,
    outH: 1,
    outW: 1,
    inSize: C * plane,
    outSize: C,
    kH: H,
    kW: W,
    strideH: H,
    strideW: W,
    padH: 0,
    padW: 0,
    dilH: 1,
    dilW: 1,
  };
  const output = backend.alloc(capacity * C);
  const dx = o.needsInputGrad ? backend.alloc(capacity * C * plane) : null;
  return {
    geometry: g,
    output,
    inputGrad: dx,
    forward(x, rows) {
      checkRows('global_avg_pool', rows, capacity);
      for (let pl = 0; pl < rows * C; pl++) {
        let sum = 0;
        for (let i = pl * plane, e = i + plane; i < e; i++) sum += x[i];
        output[pl] = sum / plane;
      }
      return output;
    },
    backward(dy, rows) {
      checkRows('global_avg_pool', rows, capacity);
      if (!dx) return null;
      for (let pl = 0; pl < rows * C; pl++) {
        const delta = f32(dy[pl] / plane);
        dx.fill(delta, pl * plane, (pl + 1) * plane);
      }
      return dx;
    },
  };
}
