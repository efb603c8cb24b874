/**
 * torch-lr-finder's suggestion (LRFinder.plot: np.gradient(losses[skip_start:-skip_end]).argmin())
 * and the numpy primitives. Published expectations: davidtvs/pytorch-lr-finder
 * tests/test_lr_finder.py `test_suggest_lr` and `test_plot_with_skip_and_suggest_lr`.
 */
import { describe, expect, it } from 'vitest';
import { argmin, gradient, gradientF32 } from '../../src/lrfinder/suggest/numeric.js';
import { steepest } from '../../src/lrfinder/suggest/steepest.js';
import { SUGGESTION_METHODS } from '../../src/lrfinder/suggest/index.js';
import { LRS, NOISY, SMOOTH } from './fixtures.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('np.gradient / argmin', () => {
  it('interior central differences, first-order one-sided edges (edge_order=1)', () => {
    // numpy: np.gradient([1,4,9,16.]) = [3, 4, 6, 7]: (4-1)/1, (9-1)/2, (16-4)/2, (16-9)/1
    expect(gradient([1, 4, 9, 16])).toEqual([3, 4, 6, 7]);
    // numpy: np.gradient([10,8,4,1,4,16.]) = [-2, -3, -3.5, 0, 7.5, 12]
    expect(gradient([10, 8, 4, 1, 4, 16])).toEqual([-2, -3, -3.5, 0, 7.5, 12]);
    expect(gradient([5, 2])).toEqual([-3, -3]);
    expect(() => gradient([1])).toThrow();
  });
  it('float32 variant rounds every operation', () => {
    // float32(0.1) - float32(0.3) differs from the float64 difference
    const g = gradientF32([Math.fround(0.3), Math.fround(0.1)]);
    expect(g[0]).toBe(Math.fround(Math.fround(0.1) - Math.fround(0.3)));
  });
  it('argmin: first minimum; a NaN wins (numpy semantics)', () => {
    expect(argmin([3, 1, 2, 1])).toBe(1);
    expect(argmin([3, NaN, 0, NaN])).toBe(1);
    expect(argmin([])).toBe(-1);
  });
});

describe('steepest (torch-lr-finder)', () => {
  it('published test_suggest_lr cases (lrs = range(6), skip_start = skip_end = 0)', () => {
    expect(steepest(range(6), [10, 8, 4, 1, 4, 16])).toEqual({ lr: 2, index: 2 });
    // "Loss with minimal gradient is the first element in history"
    expect(steepest(range(6), [1, 0, 1, 2, 3, 4])).toEqual({ lr: 0, index: 0 });
    // "Loss with minimal gradient is the last element in history"
    expect(steepest(range(6), [0, 1, 2, 3, 4, 3])).toEqual({ lr: 5, index: 5 });
  });

  const method = SUGGESTION_METHODS.steepest;
  const lrs11 = Array.from({ length: 11 }, (_, i) => 1e-5 * 10 ** (i * 0.4));

  it('published test_plot_with_skip_and_suggest_lr: num_iter 11 needs skip_start + skip_end + 2 points', () => {
    const losses = range(11).map((i) => 10 - i);
    for (const skip_start of [0, 5, 10]) {
      for (const skip_end of [0, 5, 10]) {
        const s = method.suggest({ lrs: lrs11, losses }, { skip_start, skip_end });
        if (11 < skip_start + skip_end + 2) {
          expect(s.lr).toBeNull();
          if (s.lr === null) expect(s.reason).toMatch(/at least 2 points/);
        } else {
          expect(s.lr).not.toBeNull();
          // the window [skip_start, n - skip_end) (skip_end = 0 keeps the end)
          const w = method.window({ lrs: lrs11, losses }, { skip_start, skip_end });
          expect(w).toEqual({ start: skip_start, end: skip_end === 0 ? 11 : 11 - skip_end });
        }
      }
    }
  });

  it('index is into the ORIGINAL arrays and can be the window edge', () => {
    const lrs = Array.from({ length: 30 }, (_, i) => 10 ** (-6 + i * 0.2));
    // integer losses (exact arithmetic): 100-30i up to 4 (hidden by skip_start), then -20-(i-4) up to 12, then
    // -28-4(i-12)
    const losses = range(30).map((i) => (i <= 4 ? 100 - 30 * i : i <= 12 ? -20 - (i - 4) : -28 - 4 * (i - 12)));
    // window [10, 25): g10 = g11 = -1 (central), g12 = (-32 - -27)/2 = -2.5, g13..g23 = -4 (central),
    // g24 = l24 - l23 = -4 (one-sided at the window edge) → first -4 at local 3 → index 13
    expect(method.suggest({ lrs, losses })).toEqual({ lr: lrs[13], index: 13 });
    // skip_end 0 → window [10, 30); a final plunge makes the LAST point (one-sided edge: l29 - l28 = -104) steepest
    const plunge = losses.map((v, i) => (i === 29 ? v - 100 : v));
    expect(method.suggest({ lrs, losses: plunge }, { skip_end: 0 })).toEqual({ lr: lrs[29], index: 29 });
    // edge at the window start: l10 = -26 + 50 = 24 → g10 = l11 - l10 = -27 - 24 = -51 (one-sided) → index 10
    const early = losses.map((v, i) => (i === 10 ? v + 50 : v));
    expect(method.suggest({ lrs, losses: early })).toEqual({ lr: lrs[10], index: 10 });
  });

  it('fixture curves: Python np.gradient(SMOOTH[10:-5]).argmin() + 10 = 57', () => {
    expect(method.suggest({ lrs: LRS.slice(0, 98), losses: SMOOTH })).toEqual({ lr: 0.004037017258596558, index: 57 });
    expect(method.suggest({ lrs: LRS.slice(0, 98), losses: NOISY })).toEqual({ lr: 0.004037017258596558, index: 57 });
  });

  it('a null cuts the window (torch-lr-finder would pick the NaN: documented deviation)', () => {
    const lrs = Array.from({ length: 30 }, (_, i) => 10 ** (-6 + i * 0.2));
    const losses: (number | null)[] = range(30).map((i) => 10 - 0.1 * i - (i === 15 ? 3 : 0));
    losses[20] = null;
    // window [10, 25) cut to [10, 20): the dip at 15 gives gradient -1.55 at 14 → index 14
    expect(method.suggest({ lrs, losses })).toEqual({ lr: lrs[14], index: 14 });
  });
});
