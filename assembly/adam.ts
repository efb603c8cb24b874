// The fused Adam/AdamW update (128-bit SIMD), one of the O(n) kernels that, next to the SIMD GEMM,
// dominate a training step.
// Pointers are byte offsets; every loop has a SIMD body over 4 floats and a scalar tail, so any n
// and any 4-byte alignment work. The signature is the backend contract's (src/core/kernels/manifest.ts).

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
