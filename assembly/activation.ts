// The dense layer's fused epilogue (128-bit SIMD): bias + activation, its backward, and tanh.
// Pointers are byte offsets; every loop has a SIMD body over 4 floats and a scalar tail, so any n
// and any 4-byte alignment work. The signatures and the activation codes are the backend contract's
// (src/core/kernels/manifest.ts).
import { ACT_IDENTITY, ACT_RELU, ACT_SIGMOID, ACT_TANH } from './contract.generated';

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
