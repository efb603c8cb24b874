// Fused O(n) kernels for the training step (128-bit SIMD). They replace JS loops that, next to
// the SIMD GEMM, dominate a step: the Adam update, bias + activation, activation backward,
// bias gradient, squared norms and the finiteness check. Pointers are byte offsets; every
// loop has a SIMD body over 4 floats and a scalar tail, so any n and any 4-byte alignment work.
// Their signatures and the activation codes are the backend contract's (src/core/kernels/manifest.ts).
import { ACT_IDENTITY, ACT_RELU, ACT_SIGMOID, ACT_TANH } from './contract.generated';

/**
 * Adam / AdamW step, torch.optim semantics (pytorch torch/optim/adam.py _single_tensor_adam,
 * non-capturable, amsgrad=False), float32 arithmetic:
 *   Adam:  g ← g + wd·p            AdamW: p ← p·shrink (shrink = 1 - lr·wd, or 1)
 *   m ← m + (1-β1)(g - m);  v ← β2·v + (1-β2)·g²
 *   p ← p - stepSize · m / (√v / bc2Sqrt + eps),  stepSize = lr/(1-β1^t), bc2Sqrt = √(1-β2^t)
 */
//
// 1-β1 and 1-β2 come from the caller computed in float64: (1 - f32(0.999)) in float32 is off
// by 1.3e-5 relative, which would bias v.
export function adam(p: usize, g: usize, m: usize, v: usize, n: i32,
                     oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, stepSize: f32, bc2Sqrt: f32, eps: f32,
                     wd: f32, shrink: f32): void {
  const om1 = f32x4.splat(oneMinusBeta1), b2 = f32x4.splat(beta2), om2 = f32x4.splat(oneMinusBeta2);
  const ss = f32x4.splat(stepSize), inv = f32x4.splat(1 / bc2Sqrt), ev = f32x4.splat(eps);
  const wdv = f32x4.splat(wd), sh = f32x4.splat(shrink);
  const n4 = n & ~3;
  const invS: f32 = 1 / bc2Sqrt;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    let pi = v128.load(p + o);
    let gi = v128.load(g + o);
    pi = f32x4.mul(pi, sh);
    gi = f32x4.add(gi, f32x4.mul(wdv, pi));
    let mi = v128.load(m + o);
    mi = f32x4.add(mi, f32x4.mul(om1, f32x4.sub(gi, mi)));
    let vi = v128.load(v + o);
    vi = f32x4.add(f32x4.mul(b2, vi), f32x4.mul(om2, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), inv), ev);
    v128.store(p + o, f32x4.sub(pi, f32x4.mul(ss, f32x4.div(mi, denom))));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const pi = load<f32>(p + o) * shrink;
    const gi = load<f32>(g + o) + wd * pi;
    let mi = load<f32>(m + o);
    mi = mi + oneMinusBeta1 * (gi - mi);
    const vi = beta2 * load<f32>(v + o) + oneMinusBeta2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, pi - stepSize * (mi / (Mathf.sqrt(vi) * invS + eps)));
  }
}

/** Σ x[i]² with float64 accumulation (each square rounded to f32 first). */
export function sumSquares(x: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const s = f32x4.mul(v, v);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(s));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i32x4.shuffle(s, s, 2, 3, 2, 3)));
  }
  const a = f64x2.add(a0, a1);
  let t = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
  for (let i = n4; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    t += v * v;
  }
  return t;
}

let second: f64 = 0;

/** Σ (a[i]-b[i])² (returned) and Σ b[i]² (then read with `secondResult`), float64 accumulation. */
export function diffSquares(a: usize, b: usize, n: i32): f64 {
  let d0 = f64x2.splat(0), d1 = f64x2.splat(0), q0 = f64x2.splat(0), q1 = f64x2.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const bv = v128.load(b + o);
    const d = f32x4.sub(v128.load(a + o), bv);
    const dd = f32x4.mul(d, d), bb = f32x4.mul(bv, bv);
    d0 = f64x2.add(d0, f64x2.promote_low_f32x4(dd));
    d1 = f64x2.add(d1, f64x2.promote_low_f32x4(i32x4.shuffle(dd, dd, 2, 3, 2, 3)));
    q0 = f64x2.add(q0, f64x2.promote_low_f32x4(bb));
    q1 = f64x2.add(q1, f64x2.promote_low_f32x4(i32x4.shuffle(bb, bb, 2, 3, 2, 3)));
  }
  const dsum = f64x2.add(d0, d1), qsum = f64x2.add(q0, q1);
  let ds = f64x2.extract_lane(dsum, 0) + f64x2.extract_lane(dsum, 1);
  let qs = f64x2.extract_lane(qsum, 0) + f64x2.extract_lane(qsum, 1);
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const bv = <f64>load<f32>(b + o);
    const d = <f64>load<f32>(a + o) - bv;
    ds += d * d;
    qs += bv * bv;
  }
  second = qs;
  return ds;
}

export function secondResult(): f64 {
  return second;
}

/** 1 when every x[i] is finite, else 0 (x - x is 0 for finite x, NaN for ±Inf and NaN). */
export function allFinite(x: usize, n: i32): i32 {
  let acc = f32x4.splat(0);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    acc = f32x4.add(acc, f32x4.sub(v, v));
  }
  let t: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (let i = n4; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    t += v - v;
  }
  return t == 0 ? 1 : 0;
}


// tanh in float32 as a [13/6] rational minimax approximation on [-c, c], c = 7.99881172,
// (Eigen, Eigen/src/Core/MathFunctionsImpl.h, generic_fast_tanh_float); |x| < 0.0004 returns
// x, |x| ≥ 9 returns ±1. Max error vs Math.tanh 4e-7 absolute and relative (tests).
// @ts-ignore: decorator
@inline
function tanh4(x: v128): v128 {
  const c = f32x4.splat(7.99881172180175781);
  const xc = f32x4.max(f32x4.min(x, c), f32x4.neg(c));
  const x2 = f32x4.mul(xc, xc);
  let p = f32x4.add(f32x4.mul(x2, f32x4.splat(-2.76076847742355e-16)), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(5.12229709037114e-08));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.48572235717979e-05));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(6.37261928875436e-04));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(4.89352455891786e-03));
  p = f32x4.mul(p, xc);
  let q = f32x4.add(f32x4.mul(x2, f32x4.splat(1.19825839466702e-06)), f32x4.splat(1.18534705686654e-04));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(2.26843463243900e-03));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(4.89352518554385e-03));
  let r = f32x4.div(p, q);
  // |x| ≥ 9: tanh(x) rounds to ±1 in float32 (the clamped approximation stops at 1 - 3ulp)
  const ax = f32x4.abs(x);
  const one = v128.or(v128.and(x, i32x4.splat(0x80000000)), f32x4.splat(1));
  r = v128.bitselect(one, r, f32x4.ge(ax, f32x4.splat(9)));
  // tiny |x|: tanh(x) = x to float32 precision; NaN stays NaN (min/max propagate it)
  return v128.bitselect(x, r, f32x4.lt(ax, f32x4.splat(0.0004)));
}

// @ts-ignore: decorator
@inline
function act4(v: v128, act: i32): v128 {
  if (act == ACT_RELU) return v128.and(v, f32x4.gt(v, f32x4.splat(0)));
  if (act == ACT_TANH) return tanh4(v);
  if (act == ACT_SIGMOID) {
    // σ(x) = ½ + ½·tanh(x/2)
    const h = f32x4.splat(0.5);
    return f32x4.add(h, f32x4.mul(h, tanh4(f32x4.mul(v, h))));
  }
  return v;
}

/** scalar version of act4 (tails), through a one-lane vector so the results are identical */
function act1(v: f32, act: i32): f32 {
  return f32x4.extract_lane(act4(f32x4.splat(v), act), 0);
}

/** float32 tanh of n floats (x → y), the same function biasAct applies; for tests and callers. */
export function tanhArray(x: usize, y: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanh4(v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, act1(load<f32>(x + o), ACT_TANH));
  }
}

/**
 * Dense epilogue: z[r, j] += bias[j] (bias may be 0 = none), then y = act(z) (y may equal z).
 * act: 0 identity, 1 relu: y = z > 0 ? z : 0 (as src/core/activations.ts; NaN → 0, -0 → +0),
 * 2 tanh, 3 sigmoid (float32 approximations, see tanh4).
 */
export function biasAct(z: usize, y: usize, bias: usize, rows: i32, cols: i32, act: i32): void {
  // one loop per activation, so the activation is a constant inside each loop
  if (act == ACT_RELU) biasActLoop(z, y, bias, rows, cols, ACT_RELU);
  else if (act == ACT_TANH) biasActLoop(z, y, bias, rows, cols, ACT_TANH);
  else if (act == ACT_SIGMOID) biasActLoop(z, y, bias, rows, cols, ACT_SIGMOID);
  else biasActLoop(z, y, bias, rows, cols, ACT_IDENTITY);
}

// @ts-ignore: decorator
@inline
function biasActLoop(z: usize, y: usize, bias: usize, rows: i32, cols: i32, act: i32): void {
  const c4 = cols & ~3;
  for (let r = 0; r < rows; r++) {
    const zr = z + (<usize>r * <usize>cols << 2);
    const yr = y + (<usize>r * <usize>cols << 2);
    for (let j = 0; j < c4; j += 4) {
      const o = <usize>j << 2;
      let v = v128.load(zr + o);
      if (bias) v = f32x4.add(v, v128.load(bias + o));
      v128.store(zr + o, v);
      v128.store(yr + o, act4(v, act));
    }
    for (let j = c4; j < cols; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(zr + o);
      if (bias) v += load<f32>(bias + o);
      store<f32>(zr + o, v);
      store<f32>(yr + o, act != ACT_IDENTITY ? act1(v, act) : v);
    }
  }
}

/**
 * dz = dy · act'(z) for n elements. relu: dz = dy · (z > 0 ? 1 : 0), bit-equal to activations.ts;
 * tanh: dy·(1 - y²), sigmoid: dy·y(1-y), with y recomputed from z by the same approximation
 * biasAct used (so it equals the derivative at the forward's output).
 */
export function actBackward(dy: usize, z: usize, dz: usize, n: i32, act: i32): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  if (act == ACT_RELU) {
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 2;
      const d = v128.and(one, f32x4.gt(v128.load(z + o), zero));
      v128.store(dz + o, f32x4.mul(v128.load(dy + o), d));
    }
    for (let i = n4; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dz + o, load<f32>(dy + o) * (load<f32>(z + o) > 0 ? <f32>1 : <f32>0));
    }
  } else if (act == ACT_TANH) {
    smoothBackward(dy, z, dz, n, ACT_TANH);
  } else if (act == ACT_SIGMOID) {
    smoothBackward(dy, z, dz, n, ACT_SIGMOID);
  } else if (dz != dy) {
    memory.copy(dz, dy, <usize>n << 2);
  }
}

/** db[j] = Σ_r dz[r, j] (float32 accumulation, 4 columns per vector). */
export function sumRows(dz: usize, db: usize, rows: i32, cols: i32): void {
  const c4 = cols & ~3;
  for (let j = 0; j < c4; j += 4) {
    let acc = f32x4.splat(0);
    let src = dz + (<usize>j << 2);
    const stride = <usize>cols << 2;
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, v128.load(src));
      src += stride;
    }
    v128.store(db + (<usize>j << 2), acc);
  }
  for (let j = c4; j < cols; j++) {
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) s += load<f32>(dz + ((<usize>r * <usize>cols + <usize>j) << 2));
    store<f32>(db + (<usize>j << 2), s);
  }
}

// @ts-ignore: decorator
@inline
function smoothBackward(dy: usize, z: usize, dz: usize, n: i32, act: i32): void {
  const one = f32x4.splat(1);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const y = act4(v128.load(z + o), act);
    const d = act == ACT_TANH ? f32x4.sub(one, f32x4.mul(y, y)) : f32x4.mul(y, f32x4.sub(one, y));
    v128.store(dz + o, f32x4.mul(v128.load(dy + o), d));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const y = act1(load<f32>(z + o), act);
    const d: f32 = act == ACT_TANH ? 1 - y * y : y * (1 - y);
    store<f32>(dz + o, load<f32>(dy + o) * d);
  }
}
