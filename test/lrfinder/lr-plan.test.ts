import { describe, expect, it } from 'vitest';
import { lrAt, lrPlan } from '../../src/lrfinder/lr-plan.js';

// Reference: davidtvs/pytorch-lr-finder torch_lr_finder/lr_finder.py ExponentialLR / LinearLR,
// lr_i = start*(end/start)**(i/(num_iter-1)) and start + (i/(num_iter-1))*(end-start).
describe('lrPlan (torch-lr-finder ExponentialLR / LinearLR)', () => {
  it('exp: first is start_lr and last is end_lr exactly', () => {
    for (const [s, e, n] of [
      [1e-7, 10, 100],
      [3e-6, 0.7, 37],
      [1e-5, 0.1, 5],
      [0.3, 1e-4, 11],
    ] as const) {
      const lrs = lrPlan(s, e, n, 'exp');
      expect(lrs).toHaveLength(n);
      expect(lrs[0]).toBe(s);
      expect(lrs[n - 1]).toBe(e);
    }
  });

  it('exp: constant geometric ratio (end/start)^(1/(num_iter-1))', () => {
    const n = 100;
    const lrs = lrPlan(1e-7, 10, n, 'exp');
    const ratio = (10 / 1e-7) ** (1 / (n - 1));
    for (let i = 1; i < n; i++) expect(lrs[i] / lrs[i - 1]).toBeCloseTo(ratio, 12);
    // interior points are the torch-lr-finder expression verbatim
    expect(lrs[37]).toBe(1e-7 * (10 / 1e-7) ** (37 / 99));
  });

  it('exp: torch-lr-finder test_exponential_lr_history (start 1e-5, end 0.1, num_iter 5)', () => {
    const lrs = lrPlan(1e-5, 0.1, 5, 'exp');
    [1e-5, 1e-4, 1e-3, 1e-2, 0.1].forEach((v, i) => expect(lrs[i]).toBeCloseTo(v, 15));
    expect(lrs[0]).toBe(1e-5);
    expect(lrs[4]).toBe(0.1);
  });

  it('linear: torch-lr-finder test_linear_lr_history (start 1e-5, end 5e-5, num_iter 5)', () => {
    const lrs = lrPlan(1e-5, 5e-5, 5, 'linear');
    [1e-5, 2e-5, 3e-5, 4e-5, 5e-5].forEach((v, i) => expect(lrs[i] / v).toBeCloseTo(1, 14));
    expect(lrs[0]).toBe(1e-5);
    expect(lrs[4]).toBe(5e-5);
    expect(lrs[2]).toBe(1e-5 + 0.5 * (5e-5 - 1e-5));
  });

  it('linear: constant increments, exact ends', () => {
    const lrs = lrPlan(0.001, 1, 1000, 'linear');
    expect(lrs[0]).toBe(0.001);
    expect(lrs[999]).toBe(1);
    for (let i = 1; i < 1000; i++) expect(lrs[i] - lrs[i - 1]).toBeCloseTo(0.999 / 999, 12);
  });

  it('num_iter = 2 gives [start, end] in both modes', () => {
    expect(lrPlan(1e-7, 10, 2, 'exp')).toEqual([1e-7, 10]);
    expect(lrPlan(1e-7, 10, 2, 'linear')).toEqual([1e-7, 10]);
  });

  it('rejects num_iter < 2 like torch-lr-finder (test_scheduler_and_num_iter: 0 and 1)', () => {
    for (const mode of ['exp', 'linear'] as const) {
      expect(() => lrPlan(1e-5, 5e-5, 0, mode)).toThrow(/num_iter/);
      expect(() => lrPlan(1e-5, 5e-5, 1, mode)).toThrow(/num_iter/);
    }
    expect(() => lrPlan(1e-5, 5e-5, 2.5, 'exp')).toThrow(/num_iter/);
  });

  it('rejects non-positive LRs in exp mode', () => {
    expect(() => lrPlan(0, 1, 10, 'exp')).toThrow(RangeError);
    expect(() => lrPlan(1e-3, -1, 10, 'exp')).toThrow(RangeError);
    expect(lrPlan(0, 1, 3, 'linear')).toEqual([0, 0.5, 1]);
  });

  it('lrAt agrees with lrPlan', () => {
    const lrs = lrPlan(1e-6, 1, 50, 'exp');
    lrs.forEach((v, i) => expect(lrAt(i, 1e-6, 1, 50, 'exp')).toBe(v));
  });
});
