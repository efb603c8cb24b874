// f32 GEMM for the WebAssembly SIMD backend (128-bit SIMD, no relaxed-SIMD).
//
//   C[m×n] = op(A)·op(B) (+ C when accumulate), op(X) = X or Xᵀ, all row-major.
//
// Layout (BLIS-style, Goto & van de Geijn, "Anatomy of High-Performance Matrix
// Multiplication", ACM TOMS 2008): op(B) is packed, per KC×NC block, into NR=8 column
// panels laid out [p][8], and op(A), per MC×KC block, into MR=4 row panels laid out
// [p][4][4]: every A value is stored pre-broadcast as a whole f32x4 ("splatted"), so the
// micro-kernel needs no lane broadcasts. Transposed B operands are packed with 4×4 SIMD
// transposes, so all four orientations cost the same. The micro-kernel streams two packed
// panels through one pointer each: per k step 2 B loads, 4 A loads, 8 f32x4 mul + 8 f32x4
// add into 8 accumulators (a 4×8 register block; 8 + 2 + 4 + 1 temporary = the 15 xmm
// registers V8's x64 allocator has: a larger block spills, see bench/README.md).
// The accumulators start from C (accumulate, or k blocks after the first) or from zero,
// so one loop body serves both cases (measured faster than adding C after the loop).
//
// All pointers are byte offsets into linear memory; the caller (src/core/kernels/simd.ts)
// owns the memory layout and passes the packing scratch area with `setScratch`.

const MR: i32 = 4;
const NR: i32 = 8;
/** k block: one packed B panel (KC×NR floats = 8 KiB) stays in L1. */
export const KC: i32 = 256;
/** n block: the packed B block (KC×NC floats = 512 KiB) stays in L2. */
export const NC: i32 = 512;
/** m block: the rows of op(A) swept per B panel (packed splatted: MC×KC×4 floats = 128 KiB).
 * 32 measured ≈ 16 > 64..128 (bench/README.md). */
const MC: i32 = 32;

/** floats needed in the scratch area: packed B block + packed (splatted) A block + one 4×8 edge tile.
 * Must stay ≤ the area src/core/kernels/simd.ts reserves (512·256 + 128·256 + 32 floats). */
export function scratchFloats(): i32 {
  return KC * NC + 4 * MC * KC + MR * NR;
}

let packB: usize = 0;
let packA: usize = 0;
let tile: usize = 0;

/** Sets the scratch area (16-byte aligned, scratchFloats() floats). */
export function setScratch(ptr: usize): void {
  packB = ptr;
  packA = ptr + <usize>(KC * NC) * 4;
  tile = packA + <usize>(4 * MC * KC) * 4;
}

export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------
// Packing of op(B)[pc:pc+kc, jc:jc+nc] into panels of NR columns, layout [panel][p][NR].

/** op(B) = B, B stored k×n (row stride ldb floats): rows are contiguous. */
function packBN(b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32): void {
  let dst = packB;
  for (let j = 0; j < nc; j += NR) {
    const w = min(NR, nc - j);
    let src = b + (<usize>pc * <usize>ldb + <usize>(jc + j)) * 4;
    const stride = <usize>ldb * 4;
    if (w == NR) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += stride;
        dst += 32;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, f32x4.splat(0));
        v128.store(dst, f32x4.splat(0), 16);
        for (let q = 0; q < w; q++) store<f32>(dst + <usize>q * 4, load<f32>(src + <usize>q * 4));
        src += stride;
        dst += 32;
      }
    }
  }
}

/** op(B) = Bᵀ, B stored n×k (row stride ldb floats): transposed in 4×4 blocks. */
function packBT(b: usize, ldb: i32, pc: i32, jc: i32, kc: i32, nc: i32): void {
  let dst = packB;
  const rs = <usize>ldb * 4;
  const kc4 = kc & ~3;
  for (let j = 0; j < nc; j += NR) {
    const w = min(NR, nc - j);
    const src = b + (<usize>(jc + j) * <usize>ldb + <usize>pc) * 4;
    if (w == NR) {
      let s = src;
      let d = dst;
      for (let p = 0; p < kc4; p += 4) {
        // rows j..j+3 → columns 0..3 of the panel
        let r0 = v128.load(s);
        let r1 = v128.load(s + rs);
        let r2 = v128.load(s + 2 * rs);
        let r3 = v128.load(s + 3 * rs);
        let t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
        let t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        let t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        let t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
        v128.store(d, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 32);
        v128.store(d, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 64);
        v128.store(d, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 96);
        // rows j+4..j+7 → columns 4..7
        const s4 = s + 4 * rs;
        r0 = v128.load(s4);
        r1 = v128.load(s4 + rs);
        r2 = v128.load(s4 + 2 * rs);
        r3 = v128.load(s4 + 3 * rs);
        t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
        t1 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
        t2 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
        t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
        v128.store(d, i32x4.shuffle(t0, t2, 0, 1, 4, 5), 16);
        v128.store(d, i32x4.shuffle(t0, t2, 2, 3, 6, 7), 48);
        v128.store(d, i32x4.shuffle(t1, t3, 0, 1, 4, 5), 80);
        v128.store(d, i32x4.shuffle(t1, t3, 2, 3, 6, 7), 112);
        s += 16;
        d += 128;
      }
      for (let p = kc4; p < kc; p++) {
        for (let q = 0; q < NR; q++) {
          store<f32>(dst + (<usize>p * NR + <usize>q) * 4, load<f32>(src + <usize>q * rs + <usize>p * 4));
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const d = dst + <usize>p * NR * 4;
        v128.store(d, f32x4.splat(0));
        v128.store(d, f32x4.splat(0), 16);
        for (let q = 0; q < w; q++) {
          store<f32>(d + <usize>q * 4, load<f32>(src + <usize>q * rs + <usize>p * 4));
        }
      }
    }
    dst += <usize>kc * NR * 4;
  }
}

// ---------------------------------------------------------------------------------
// Packing of op(A)[ic:ic+mc, pc:pc+kc] into panels of MR rows, layout [panel][p][MR][4]:
// each value splatted to a whole f32x4 (v128.load32_splat), rows past mc zero.

/** op(A) = A, A stored m×k (row stride lda floats). */
function packAN(a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  let dst = packA;
  const rs = <usize>lda * 4;
  for (let i = 0; i < mc; i += MR) {
    const h = min(MR, mc - i);
    let s = a + (<usize>(ic + i) * <usize>lda + <usize>pc) * 4;
    if (h == MR) {
      const sEnd = s + <usize>kc * 4;
      while (s < sEnd) {
        v128.store(dst, v128.load32_splat(s));
        v128.store(dst, v128.load32_splat(s + rs), 16);
        v128.store(dst, v128.load32_splat(s + 2 * rs), 32);
        v128.store(dst, v128.load32_splat(s + 3 * rs), 48);
        s += 4;
        dst += 64;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < MR; q++) {
          v128.store(dst + <usize>q * 16, q < h ? v128.load32_splat(s + <usize>q * rs + <usize>p * 4) : f32x4.splat(0));
        }
        dst += 64;
      }
    }
  }
}

/** op(A) = Aᵀ, A stored k×m (row stride lda floats): rows of A are columns of op(A). */
function packAT(a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  let dst = packA;
  const stride = <usize>lda * 4;
  for (let i = 0; i < mc; i += MR) {
    const h = min(MR, mc - i);
    let src = a + (<usize>pc * <usize>lda + <usize>(ic + i)) * 4;
    if (h == MR) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load32_splat(src));
        v128.store(dst, v128.load32_splat(src, 4), 16);
        v128.store(dst, v128.load32_splat(src, 8), 32);
        v128.store(dst, v128.load32_splat(src, 12), 48);
        src += stride;
        dst += 64;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < MR; q++) {
          v128.store(dst + <usize>q * 16, q < h ? v128.load32_splat(src + <usize>q * 4) : f32x4.splat(0));
        }
        src += stride;
        dst += 64;
      }
    }
  }
}

// ---------------------------------------------------------------------------------
// Micro-kernel: the 4×8 block of C from one packed A panel (a, [p][4][4]) and one packed
// B panel (b, [p][8]). `c` has row stride `ldc` bytes.

/** The k loop shared by both kernels: 8 accumulators, 6 loads + 8 mul + 8 add per k. */
// @ts-ignore: decorator
@inline
function kloop4x8(a: usize, b: usize, kc: i32, c: usize, ldc: usize,
                  c00: v128, c01: v128, c10: v128, c11: v128,
                  c20: v128, c21: v128, c30: v128, c31: v128): void {
  const bEnd = b + <usize>kc * 32;
  while (b < bEnd) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load(a);
    c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load(a, 16);
    c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load(a, 32);
    c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load(a, 48);
    c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
    a += 64;
    b += 32;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + ldc, c10); v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20); v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30); v128.store(c + 3 * ldc, c31, 16);
}

/** A full 4×8 block: C = (add ? C : 0) + A·B, the accumulators starting from C or zero. */
function microFull(a: usize, b: usize, kc: i32, c: usize, ldc: usize, add: bool): void {
  let c00 = v128.load(c), c01 = v128.load(c, 16);
  let c10 = v128.load(c + ldc), c11 = v128.load(c + ldc, 16);
  let c20 = v128.load(c + 2 * ldc), c21 = v128.load(c + 2 * ldc, 16);
  let c30 = v128.load(c + 3 * ldc), c31 = v128.load(c + 3 * ldc, 16);
  if (!add) {
    const z = f32x4.splat(0);
    c00 = z; c01 = z; c10 = z; c11 = z; c20 = z; c21 = z; c30 = z; c31 = z;
  }
  kloop4x8(a, b, kc, c, ldc, c00, c01, c10, c11, c20, c21, c30, c31);
}

/** An edge block (mr ≤ 4 rows, nr ≤ 8 columns of C) through the tile buffer. */
function microEdge(a: usize, b: usize, kc: i32, c: usize, ldc: usize, add: bool, mr: i32, nr: i32): void {
  const z = f32x4.splat(0);
  kloop4x8(a, b, kc, tile, 32, z, z, z, z, z, z, z, z);
  for (let i = 0; i < mr; i++) {
    const t = tile + <usize>i * 32;
    const d = c + <usize>i * ldc;
    for (let j = 0; j < nr; j++) {
      const o = <usize>j * 4;
      const v = load<f32>(t + o);
      store<f32>(d + o, add ? load<f32>(d + o) + v : v);
    }
  }
}

/**
 * C[m×n] (row-major, ldc = n) = op(A)·op(B) (+ C when accumulate).
 * A is stored m×k (k×m when transA), B k×n (n×k when transB); all pointers in bytes.
 */
export function gemm(transA: bool, transB: bool, m: i32, n: i32, k: i32,
                     a: usize, b: usize, c: usize, accumulate: bool): void {
  if (m <= 0 || n <= 0) return;
  const ldc = <usize>n * 4;
  if (k <= 0) {
    if (!accumulate) memory.fill(c, 0, <usize>m * ldc);
    return;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      if (transB) packBT(b, k, pc, jc, kc, nc);
      else packBN(b, n, pc, jc, kc, nc);
      const add = accumulate || pc > 0;
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (transA) packAT(a, m, ic, pc, mc, kc);
        else packAN(a, k, ic, pc, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = packB + <usize>jr * <usize>kc * 4;
          const cj = c + <usize>(jc + jr) * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const ap = packA + <usize>ir * <usize>kc * 16;
            const cij = cj + <usize>(ic + ir) * ldc;
            if (mr == MR && nr == NR) microFull(ap, bp, kc, cij, ldc, add);
            else microEdge(ap, bp, kc, cij, ldc, add, mr, nr);
          }
        }
      }
    }
  }
}
