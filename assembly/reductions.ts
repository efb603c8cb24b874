// The trainer's reductions (128-bit SIMD): squared norms (float64 accumulation) and the
// finiteness check.
// Pointers are byte offsets; every loop has a SIMD body over 4 floats and a scalar tail, so any n
// and any 4-byte alignment work. The signature is the backend contract's (src/core/kernels/manifest.ts).

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
  let t: f32 = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1)
    + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3);
  for (let i = n4; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    t += v - v;
  }
  return t == 0 ? 1 : 0;
}
