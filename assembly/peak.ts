// Peak-FLOPs probe for 128-bit WebAssembly SIMD (used by bench/peak.ts only).
// 8 independent f32x4 accumulator chains acc += x·y (a mul and an add each: plain WASM SIMD
// has no FMA), not unrolled (TurboFan regroups a longer body and spills). The mul does not depend on the accumulator, so each chain is
// bound by the add latency, and 8 chains keep both FP add and both FP mul pipes busy.
// The two x operands are re-loaded every iteration (2 loads per 16 arithmetic ops, from L1)
// so no product is loop-invariant (with register-only operands TurboFan hoists the
// products out of the loop and the probe would time adds only). buf: 96 bytes, x at 0..31, y at 32..95.
// FLOPs per call = 8 chains · 4 lanes · 2 · iters = 64 · iters.
export function peak(iters: i32, buf: usize): f32 {
  // y is loaded before the loop: TurboFan would otherwise re-splat computed constants inside it
  const y0 = v128.load(buf, 32), y1 = v128.load(buf, 48), y2 = v128.load(buf, 64), y3 = v128.load(buf, 80);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  let x: v128;
  for (let i = 0; i < iters; i++) {
    x = v128.load(buf);
    a0 = f32x4.add(a0, f32x4.mul(x, y0)); a1 = f32x4.add(a1, f32x4.mul(x, y1));
    a2 = f32x4.add(a2, f32x4.mul(x, y2)); a3 = f32x4.add(a3, f32x4.mul(x, y3));
    x = v128.load(buf, 16);
    a4 = f32x4.add(a4, f32x4.mul(x, y0)); a5 = f32x4.add(a5, f32x4.mul(x, y1));
    a6 = f32x4.add(a6, f32x4.mul(x, y2)); a7 = f32x4.add(a7, f32x4.mul(x, y3));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
