/**
 * The references every backend is held to, written once: float64 evaluations of each kernel's
 * definition (PyTorch's formulas for the optimizers) and the tolerances, with why each is what it is.
 * The conformance cases (./cases.ts) compare every backend against these, never one backend against
 * another, so a fault shared by two backends cannot pass.
 */

import { createRng } from '../../src/core/rng.js';

/** float32 unit roundoff */
export const EPS32 = 2 ** -24;

/** a seeded U[0, 1) source (the core's RNG), so every backend gets the same inputs */
export function seeded(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

/** max_i |x[i]| */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** x[i] = U(-scale, scale) from a seeded generator */
export function fill(x: Float32Array, next: () => number, scale = 1): Float32Array {
  for (let i = 0; i < x.length; i++) x[i] = (next() * 2 - 1) * scale;
  return x;
}

export interface GemmReference {
  /** C = op(A)·op(B) (+ C0) in float64 */
  c: Float64Array;
  /** Σ |terms| per element, for the rounding bound */
  mag: Float64Array;
}

/** float64 op(A)·op(B) (+ C0) with explicit index maps (the manifest's gemm definition) */
export function gemmReference(
  tA: boolean,
  tB: boolean,
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c0: Float32Array | null,
): GemmReference {
  const c = new Float64Array(m * n),
    mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = c0 ? c0[i * n + j] : 0,
        g = Math.abs(s);
      for (let p = 0; p < k; p++) {
        const t = (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
        s += t;
        g += Math.abs(t);
      }
      c[i * n + j] = s;
      mag[i * n + j] = g;
    }
  }
  return { c, mag };
}

/**
 * Every C element within 2·(k + 2)·ε·Σ|terms| of the float64 value: the bound of a float32 sum of
 * k products in any order, blocked or as one FMA chain (Higham, Accuracy and Stability of Numerical
 * Algorithms, §3.1: |error| ≤ γ_k Σ|terms|), doubled for margin; the scalar backend's float64 sums
 * are far inside it.
 */
export function expectGemmClose(got: Float32Array, ref: GemmReference, k: number, what: string): void {
  for (let i = 0; i < ref.c.length; i++) {
    const tol = 2 * (k + 2) * EPS32 * ref.mag[i] + 1e-30;
    if (!(Math.abs(got[i] - ref.c[i]) <= tol)) {
      throw new Error(`${what}: C[${i}] = ${got[i]}, reference ${ref.c[i]} (tolerance ${tol})`);
    }
  }
}

/** the activations of the fused kernels, in float64 (torch.tanh, torch.sigmoid, relu as x > 0 ? x : 0) */
export const ACTIVATION_REF: Record<string, { f: (x: number) => number; df: (y: number) => number }> = {
  identity: { f: (x) => x, df: () => 1 },
  relu: { f: (x) => (x > 0 ? x : 0), df: (y) => (y > 0 ? 1 : 0) },
  tanh: { f: Math.tanh, df: (y) => 1 - y * y },
  sigmoid: { f: (x) => 1 / (1 + Math.exp(-x)), df: (y) => y * (1 - y) },
};

/**
 * How far a backend's tanh / sigmoid may be from the float64 function: the SIMD and native kernels use
 * Eigen's float32 rational tanh (generic_fast_tanh_float), within 4e-7 absolute and relative; sigmoid is
 * ½ + ½·tanh(x/2), within half of that plus a rounding. identity and relu are exact on every backend.
 */
export const ACTIVATION_TOL: Record<string, number> = { identity: 0, relu: 0, tanh: 4e-7, sigmoid: 4e-7 };

export interface AdamRefOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  decoupled: boolean;
}

/**
 * One torch.optim.Adam / AdamW step in float64 (pytorch torch/optim/adam.py _single_tensor_adam,
 * amsgrad=False; AdamW's decoupled decay: torch/optim/adamw.py, p ← p·(1 − lr·wd) first):
 *   g ← g + wd·p (Adam);  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − lr/(1−β1^t) · m / (√v / √(1−β2^t) + eps)
 */
export function adamReference(
  p: Float64Array,
  g: Float32Array,
  m: Float64Array,
  v: Float64Array,
  lr: number,
  t: number,
  o: AdamRefOptions,
): void {
  const bc1 = 1 - o.beta1 ** t,
    bc2 = 1 - o.beta2 ** t;
  for (let i = 0; i < p.length; i++) {
    if (o.decoupled) p[i] *= 1 - lr * o.weight_decay;
    const gi = o.decoupled ? g[i] : g[i] + o.weight_decay * p[i];
    m[i] = o.beta1 * m[i] + (1 - o.beta1) * gi;
    v[i] = o.beta2 * v[i] + (1 - o.beta2) * gi * gi;
    p[i] -= ((lr / bc1) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + o.eps);
  }
}

export interface SgdRefOptions {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weight_decay: number;
}

/**
 * One torch.optim.SGD step in float64 (pytorch torch/optim/sgd.py _single_tensor_sgd):
 *   d ← g + wd·p;  with momentum: buf ← d on the first step, else μ·buf + (1−τ)·d;
 *   d ← nesterov ? d + μ·buf : buf;  p ← p − lr·d
 */
export function sgdReference(
  p: Float64Array,
  g: Float32Array,
  buf: Float64Array,
  lr: number,
  o: SgdRefOptions,
  first: boolean,
): void {
  for (let i = 0; i < p.length; i++) {
    let d = g[i] + o.weight_decay * p[i];
    if (o.momentum !== 0) {
      buf[i] = first ? d : o.momentum * buf[i] + (1 - o.dampening) * d;
      d = o.nesterov ? d + o.momentum * buf[i] : buf[i];
    }
    p[i] -= lr * d;
  }
}

/** max_i |got[i] − ref[i]| / (|ref[i]| + floor): relative error, absolute below `floor` */
export function maxRelError(got: ArrayLike<number>, ref: ArrayLike<number>, floor: number): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]) / (Math.abs(ref[i]) + floor));
  return worst;
}

/** The conv data-movement kernels' geometry (src/core/conv/geometry.ts). */
export interface ConvWindow {
  inC: number;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilH: number;
  dilW: number;
  outH: number;
  outW: number;
}

/**
 * im2col by its definition (src/core/conv/im2col.ts's header), a gather per col entry:
 *   col[r, b·P + p] = x[row0 + b, c, oh·sH − pH + ki·dH, ow·sW − pW + kj·dW]  (0 outside the input),
 * r = (c·kH + ki)·kW + kj, p = oh·outW + ow. A pure copy: every backend must give these bits.
 */
export function im2colReference(g: ConvWindow, x: Float32Array, row0: number, rows: number): Float32Array {
  const P = g.outH * g.outW,
    K = g.inC * g.kH * g.kW,
    col = new Float32Array(K * rows * P);
  for (let c = 0; c < g.inC; c++)
    for (let ki = 0; ki < g.kH; ki++)
      for (let kj = 0; kj < g.kW; kj++) {
        const r = (c * g.kH + ki) * g.kW + kj;
        for (let b = 0; b < rows; b++)
          for (let oh = 0; oh < g.outH; oh++)
            for (let ow = 0; ow < g.outW; ow++) {
              const ih = oh * g.strideH - g.padH + ki * g.dilH,
                iw = ow * g.strideW - g.padW + kj * g.dilW;
              const inside = ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW;
              col[r * rows * P + b * P + oh * g.outW + ow] = inside
                ? x[(((row0 + b) * g.inC + c) * g.inH + ih) * g.inW + iw]
                : 0;
            }
      }
  return col;
}

/**
 * dx + col2im(col) by its definition, a gather per input element: start from dx0's value and add, in
 * float32 and in (ki, kj) order, every col entry that im2col copied from this element (the (oh, ow) with
 * oh·sH − pH + ki·dH = ih and ow·sW − pW + kj·dW = iw). The contract fixes that order (the TS loop's),
 * so a backend owes these exact bits; rows outside [row0, row0 + rows) keep dx0's.
 */
export function col2imAddReference(
  g: ConvWindow,
  col: Float32Array,
  row0: number,
  rows: number,
  dx0: Float32Array,
): Float32Array {
  const P = g.outH * g.outW,
    dx = Float32Array.from(dx0);
  const at = (v: number, s: number, p: number, k: number, d: number, out: number): number => {
    const t = v + p - k * d;
    return t >= 0 && t % s === 0 && t / s < out ? t / s : -1;
  };
  for (let b = 0; b < rows; b++)
    for (let c = 0; c < g.inC; c++) {
      for (let ih = 0; ih < g.inH; ih++)
        for (let iw = 0; iw < g.inW; iw++) {
          const i = (((row0 + b) * g.inC + c) * g.inH + ih) * g.inW + iw;
          let s = dx[i];
          for (let ki = 0; ki < g.kH; ki++) {
            const oh = at(ih, g.strideH, g.padH, ki, g.dilH, g.outH);
            if (oh < 0) continue;
            for (let kj = 0; kj < g.kW; kj++) {
              const ow = at(iw, g.strideW, g.padW, kj, g.dilW, g.outW);
              if (ow < 0) continue;
              s = Math.fround(s + col[((c * g.kH + ki) * g.kW + kj) * rows * P + b * P + oh * g.outW + ow]);
            }
          }
          dx[i] = s;
        }
    }
  return dx;
}

/** Throws at the first element whose float32 bits differ (so −0 ≠ +0 and NaN = NaN only bit for bit). */
export function expectSameBits(got: Float32Array, want: Float32Array, what: string): void {
  if (got.length < want.length) throw new Error(`${what}: ${got.length} floats, want ${want.length}`);
  const a = new Uint32Array(got.buffer, got.byteOffset, want.length);
  const b = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < want.length; i++) {
    if (a[i] !== b[i]) {
      throw new Error(`${what}: [${i}] = ${got[i]} (0x${a[i].toString(16)}), want ${want[i]} (0x${b[i].toString(16)})`);
    }
  }
}
