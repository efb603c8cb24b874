// The convolution's data movement: im2col and col2imAdd (128-bit SIMD on the stride-1 runs).
// The same loops, in the same order, as src/core/conv/im2col.ts (its header gives the layout): im2col is
// a pure copy; col2imAdd adds into each dx element its (ki, kj) contributions in the TS loop's order, so
// both give the TS version's bits (f32x4.add rounds each lane as a scalar f32 add). Pointers are byte
// offsets; the signatures are the backend contract's (src/core/kernels/manifest.ts).

/** PyTorch's output size (the geometry is checked by the caller, src/core/kernels/simd.ts). */
function outSize(inS: i32, k: i32, s: i32, p: i32, d: i32): i32 { return (inS + 2 * p - d * (k - 1) - 1) / s + 1; }

let rangeHi: i32 = 0;
/** The first output o whose input o·s + offset lies in [0, inS); the end of that range in `rangeHi`. */
function validRange(out: i32, inS: i32, s: i32, offset: i32): i32 {
  let lo = offset >= 0 ? 0 : (-offset + s - 1) / s;
  const num = inS - 1 - offset;
  let hi = num < 0 ? 0 : num / s + 1;
  if (hi > out) hi = out;
  if (lo > out) lo = out;
  if (hi < lo) hi = lo;
  rangeHi = hi;
  return lo;
}

/** n floats of zero at dst */
@inline function zero(dst: usize, n: i32): void { memory.fill(dst, 0, <usize>n << 2); }

/** n floats from src to dst, 4 at a time (the two never overlap) */
@inline function copy(dst: usize, src: usize, n: i32): void {
  const end = dst + (<usize>n << 2), end4 = dst + (<usize>(n & ~3) << 2);
  while (dst < end4) { v128.store(dst, v128.load(src)); dst += 16; src += 16; }
  while (dst < end) { store<f32>(dst, load<f32>(src)); dst += 4; src += 4; }
}

/** dst[i] += src[i] over n floats, 4 at a time */
@inline function addTo(dst: usize, src: usize, n: i32): void {
  const end = dst + (<usize>n << 2), end4 = dst + (<usize>(n & ~3) << 2);
  while (dst < end4) { v128.store(dst, f32x4.add(v128.load(dst), v128.load(src))); dst += 16; src += 16; }
  while (dst < end) { store<f32>(dst, load<f32>(dst) + load<f32>(src)); dst += 4; src += 4; }
}

export function im2col(x: usize, col: usize, row0: i32, rows: i32, inC: i32, inH: i32, inW: i32, kH: i32, kW: i32,
  sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32): void {
  const outH = outSize(inH, kH, sH, pH, dH), outW = outSize(inW, kW, sW, pW, dW);
  const P = outH * outW, BP = rows * P, plane = inH * inW, inSz = inC * plane;
  for (let c = 0; c < inC; c++) {
    for (let ki = 0; ki < kH; ki++) {
      const offH = ki * dH - pH;
      const ohLo = validRange(outH, inH, sH, offH), ohHi = rangeHi;
      for (let kj = 0; kj < kW; kj++) {
        const offW = kj * dW - pW;
        const owLo = validRange(outW, inW, sW, offW), owHi = rangeHi;
        const r = (c * kH + ki) * kW + kj;
        for (let b = 0; b < rows; b++) {
          const xb = (row0 + b) * inSz + c * plane;
          const cb = col + (<usize>(r * BP + b * P) << 2);
          if (ohLo > 0) zero(cb, ohLo * outW);
          if (ohHi < outH) zero(cb + (<usize>(ohHi * outW) << 2), (outH - ohHi) * outW);
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = cb + (<usize>(oh * outW) << 2);
            // the input of output ow is x[xr + ow·sW], formed only for ow in [owLo, owHi)
            const xr = xb + (oh * sH + offH) * inW + offW;
            if (owLo > 0) zero(o, owLo);
            if (sW == 1) {
              copy(o + (<usize>owLo << 2), x + (<usize>(xr + owLo) << 2), owHi - owLo);
            } else {
              for (let ow = owLo; ow < owHi; ow++) {
                store<f32>(o + (<usize>ow << 2), load<f32>(x + (<usize>(xr + ow * sW) << 2)));
              }
            }
            if (owHi < outW) zero(o + (<usize>owHi << 2), outW - owHi);
          }
        }
      }
    }
  }
}

export function col2imAdd(col: usize, dx: usize, row0: i32, rows: i32, inC: i32, inH: i32, inW: i32, kH: i32,
  kW: i32, sH: i32, sW: i32, pH: i32, pW: i32, dH: i32, dW: i32): void {
  const outH = outSize(inH, kH, sH, pH, dH), outW = outSize(inW, kW, sW, pW, dW);
  const P = outH * outW, BP = rows * P, plane = inH * inW, inSz = inC * plane;
  for (let c = 0; c < inC; c++) {
    for (let ki = 0; ki < kH; ki++) {
      const offH = ki * dH - pH;
      const ohLo = validRange(outH, inH, sH, offH), ohHi = rangeHi;
      for (let kj = 0; kj < kW; kj++) {
        const offW = kj * dW - pW;
        const owLo = validRange(outW, inW, sW, offW), owHi = rangeHi;
        const r = (c * kH + ki) * kW + kj;
        for (let b = 0; b < rows; b++) {
          const xb = (row0 + b) * inSz + c * plane;
          const cb = r * BP + b * P;
          for (let oh = ohLo; oh < ohHi; oh++) {
            const o = cb + oh * outW;
            const xr = xb + (oh * sH + offH) * inW + offW;
            if (sW == 1) {
              addTo(dx + (<usize>(xr + owLo) << 2), col + (<usize>(o + owLo) << 2), owHi - owLo);
            } else {
              for (let ow = owLo; ow < owHi; ow++) {
                const d = dx + (<usize>(xr + ow * sW) << 2);
                store<f32>(d, load<f32>(d) + load<f32>(col + (<usize>(o + ow) << 2)));
              }
            }
          }
        }
      }
    }
  }
}
