/**
 * The trainer's reductions: sumSquares and diffSquares against float64 sums (tiny, empty, tails,
 * a prefix n of a longer array), allFinite against its definition with NaN and ±Inf anywhere.
 */
import { expect } from 'vitest';
import { EPS32, fill, seeded } from '../reference.js';
import type { KernelCase } from './case.js';

/**
 * A float64 sum of n squares of float32 values is exact to about n·2^-53; a backend may square in
 * float32 first (the SIMD one does: each term within 2^-24), so every sum is held to 4·ε relative.
 */
const SUM_TOL = 4 * EPS32;
const near = (got: number, want: number, what: string) => {
  if (!(Math.abs(got - want) <= SUM_TOL * want)) throw new Error(`${what}: ${got}, want ${want}`);
};

export const SUM_SQUARES_CASES: KernelCase[] = [
  {
    name: 'Σ x² in float64 for n ∈ {0, 1, 3, 8, 9, 1003}, and over a prefix of a longer array',
    run(k) {
      const next = seeded(43);
      for (const n of [0, 1, 3, 8, 9, 1003]) {
        const x = fill(k.alloc(n + 5), next, 3);
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i] * x[i];
        near(k.sumSquares(x, n), s, `${k.label} n=${n}`);
      }
      const x = k.alloc(4);
      x.set([3, -4, 12, 1e20]);
      expect(k.sumSquares(x, 3)).toBe(169);
      expect(k.sumSquares(x, 0)).toBe(0);
    },
  },
];

export const DIFF_SQUARES_CASES: KernelCase[] = [
  {
    name: '{ Σ (a−b)², Σ b² } in float64 for n ∈ {0, 5, 8, 515}',
    run(k) {
      const next = seeded(47);
      for (const n of [0, 5, 8, 515]) {
        const a = fill(k.alloc(n), next),
          b = fill(k.alloc(n), next);
        let d = 0,
          q = 0;
        for (let i = 0; i < n; i++) {
          d += (a[i] - b[i]) ** 2;
          q += b[i] ** 2;
        }
        const r = k.diffSquares(a, b, n);
        near(r.diff, d, `${k.label} diff n=${n}`);
        near(r.ref, q, `${k.label} ref n=${n}`);
      }
      const a = k.alloc(2),
        b = k.alloc(2);
      a.set([4, 1]);
      b.set([1, -3]);
      expect(k.diffSquares(a, b, 2)).toEqual({ diff: 9 + 16, ref: 1 + 9 });
    },
  },
];

export const ALL_FINITE_CASES: KernelCase[] = [
  {
    name: 'finds one NaN or ±Inf anywhere (first, body, last), only within n; extremes are finite; n = 0 is true',
    run(k) {
      const n = 37,
        x = fill(k.alloc(n), seeded(53));
      expect(k.allFinite(x, n)).toBe(true);
      for (const bad of [Number.NaN, Infinity, -Infinity]) {
        for (const at of [0, 5, 35, 36]) {
          const old = x[at];
          x[at] = bad;
          expect(k.allFinite(x, n), `${k.label}: ${bad} at ${at}`).toBe(false);
          expect(k.allFinite(x, at), `${k.label}: ${bad} at ${at}, n = ${at}`).toBe(true);
          x[at] = old;
        }
      }
      x.set([3.4028234663852886e38, -3.4028234663852886e38, 1e-45, -0]);
      expect(k.allFinite(x, n)).toBe(true);
      expect(k.allFinite(k.alloc(0), 0)).toBe(true);
    },
  },
];
