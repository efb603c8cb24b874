/**
 * gemm's conformance: C[m×n] (+)= op(A)·op(B) against the float64 reference, in every orientation:
 * worked by hand, odd sizes, every register-tile and cache-block edge of every backend (tiles: SIMD
 * 4×8, AVX2 6×16, AVX-512 8×32; blocks: SIMD MC 32, native MC 96, KC 256 and NC 512 everywhere),
 * accumulate on and off (overwriting never reads C: it is NaN), empty sizes, views at odd offsets.
 */
import { expect } from 'vitest';
import { expectGemmClose, fill, gemmReference, seeded, type GemmReference } from '../reference.js';
import type { ContractKernels } from '../subjects.js';
import type { KernelCase } from './case.js';

const ORIENTATIONS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;
const tag = (tA: boolean, tB: boolean) => `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;

/** the references of the large products, computed once for all backends (their inputs come from fixed seeds) */
const refs = new Map<string, GemmReference>();
const cachedRef = (key: string, work: number, make: () => GemmReference): GemmReference => {
  if (work < 100_000) return make();
  let r = refs.get(key);
  if (!r) refs.set(key, (r = make()));
  return r;
};

/** op(A)·op(B) over a grid of sizes, accumulate then overwrite, each checked against the reference */
function grid(
  k: ContractKernels,
  tA: boolean,
  tB: boolean,
  ms: number[],
  ns: number[],
  ks: number[],
  seed: number,
  offset = 0,
): number {
  const next = seeded(seed);
  let cases = 0;
  for (const m of ms)
    for (const n of ns)
      for (const kk of ks) {
        const a = fill(k.alloc(m * kk + offset), next).subarray(offset);
        const b = fill(k.alloc(kk * n + offset), next).subarray(offset);
        const c = fill(k.alloc(m * n + offset), next).subarray(offset);
        const c0 = c.slice();
        const key = `${tA}${tB}${m},${n},${kk},${seed},${offset}`;
        k.gemm(tA, tB, m, n, kk, a, b, c, true);
        expectGemmClose(
          c,
          cachedRef(`acc ${key}`, m * n * kk, () => gemmReference(tA, tB, m, n, kk, a, b, c0)),
          kk,
          `${k.label} ${tag(tA, tB)} accumulate m=${m} n=${n} k=${kk}`,
        );
        c.fill(Number.NaN);
        k.gemm(tA, tB, m, n, kk, a, b, c, false);
        expectGemmClose(
          c,
          cachedRef(key, m * n * kk, () => gemmReference(tA, tB, m, n, kk, a, b, null)),
          kk,
          `${k.label} ${tag(tA, tB)} m=${m} n=${n} k=${kk}`,
        );
        cases++;
      }
  return cases;
}

export const GEMM_CASES: KernelCase[] = [
  {
    name: '2×2 by hand in all orientations, then accumulate',
    run(k) {
      const a = k.alloc(4),
        b = k.alloc(4),
        c = k.alloc(4);
      a.set([1, 2, 3, 4]);
      b.set([5, 6, 7, 8]);
      k.gemm(false, false, 2, 2, 2, a, b, c, false);
      expect(Array.from(c)).toEqual([19, 22, 43, 50]);
      k.gemm(true, false, 2, 2, 2, a, b, c, false); // Aᵀ = [[1,3],[2,4]]
      expect(Array.from(c)).toEqual([26, 30, 38, 44]);
      k.gemm(false, true, 2, 2, 2, a, b, c, false); // Bᵀ = [[5,7],[6,8]]
      expect(Array.from(c)).toEqual([17, 23, 39, 53]);
      k.gemm(true, true, 2, 2, 2, a, b, c, true); // + Aᵀ·Bᵀ = [[23,31],[34,46]]
      expect(Array.from(c)).toEqual([40, 54, 73, 99]);
    },
  },
  ...ORIENTATIONS.map(([tA, tB]): KernelCase => ({
    name: `${tag(tA, tB)}: odd and tiny sizes, m, n, k ∈ {1, 3, 5, 7, 9, 17, 33}, accumulate on/off`,
    run(k) {
      const sizes = [1, 3, 5, 7, 9, 17, 33];
      expect(grid(k, tA, tB, sizes, sizes, sizes, 7)).toBe(sizes.length ** 3);
    },
  })),
  ...ORIENTATIONS.map(([tA, tB]): KernelCase => ({
    name: `${tag(tA, tB)}: register tile edges (m 7..9, 95..97; n 15..17, 31..33) around the k block (255..257)`,
    run(k) {
      expect(grid(k, tA, tB, [7, 8, 9, 95, 96, 97], [15, 16, 17, 31, 32, 33], [255, 256, 257], 13)).toBe(108);
    },
  })),
  ...ORIENTATIONS.map(([tA, tB]): KernelCase => ({
    name: `${tag(tA, tB)}: every cache block crossed (m 197 > 2·96, n 530 > 512, k 519 > 2·256), views at offset 3`,
    run(k) {
      expect(grid(k, tA, tB, [197], [530], [519], 3, 3)).toBe(1);
    },
  })),
  {
    name: 'empty sizes: k = 0 gives C = 0 (accumulate: C unchanged); m = 0 or n = 0 touches nothing',
    run(k) {
      const a = k.alloc(6),
        b = k.alloc(6),
        c = k.alloc(6),
        e = k.alloc(0);
      c.fill(5);
      k.gemm(false, false, 2, 3, 0, e, e, c, true);
      expect(Array.from(c)).toEqual([5, 5, 5, 5, 5, 5]);
      for (const [tA, tB] of ORIENTATIONS) {
        c.fill(5);
        k.gemm(tA, tB, 2, 3, 0, e, e, c, false);
        expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
      }
      c.fill(7);
      k.gemm(false, false, 0, 3, 2, e, b, c, false);
      k.gemm(false, false, 2, 0, 2, a, e, c, false);
      k.gemm(true, true, 0, 0, 0, e, e, c, false);
      expect(Array.from(c)).toEqual([7, 7, 7, 7, 7, 7]);
    },
  },
  {
    name: 'writes only the m×n block of C (the floats after it are untouched)',
    run(k) {
      const next = seeded(11);
      for (const [tA, tB] of ORIENTATIONS) {
        const m = 5,
          n = 9,
          kk = 6;
        const a = fill(k.alloc(m * kk), next),
          b = fill(k.alloc(kk * n), next),
          c = k.alloc(m * n + 16);
        c.fill(3);
        k.gemm(tA, tB, m, n, kk, a, b, c, false);
        expect(Array.from(c.subarray(m * n))).toEqual(new Array(16).fill(3));
      }
    },
  },
];
