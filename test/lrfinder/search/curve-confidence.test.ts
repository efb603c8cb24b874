/** Pieces of the search result: the downsampled loss curve, the comparison scale, the tail noise. */
import { describe, expect, it } from 'vitest';
import { appendCurve, curveEvery } from '../../../src/lrfinder/search/curve.js';
import {
  confidenceP,
  detrendedVariance,
  levelOf,
  scaleFor,
  tailCheckpoints,
  tailNoise,
} from '../../../src/lrfinder/search/confidence.js';

describe('downsampled loss curve', () => {
  it('buckets of `every` steps hold their mean; a continuation completes the partial last bucket', () => {
    expect(curveEvery(1000)).toBe(20);
    expect(curveEvery(30)).toBe(1);
    // steps 0..4 then 5..9 in buckets of 4: [0..3], [4..7], [8..9]
    const a = appendCurve([], 4, 0, [1, 2, 3, 4, 5]);
    expect(a).toEqual([2.5, 5]);
    const b = appendCurve(a, 4, 5, [6, 7, 8, 9, 10]);
    expect(b).toEqual([2.5, 6.5, 9.5]);
    expect(b).toEqual(appendCurve([], 4, 0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
  });
  it('a non-finite loss makes its bucket null; unreported steps stay null', () => {
    expect(appendCurve([], 2, 0, [1, null, 3, 4])).toEqual([null, 3.5]);
    expect(appendCurve([], 2, 4, [1, 1])).toEqual([null, null, 1]);
    expect(appendCurve([1], 2, 2, undefined)).toEqual([1]);
  });
});

describe('comparison scale and noise', () => {
  it('compares metrics as ratios with a floor of 0.002 × the initial metric', () => {
    const s = scaleFor(0.01, 2, 0.1); // floor 0.004
    expect(s.log).toBe(true);
    expect(s.z(0.0186) - s.z(0.01)).toBeCloseTo(Math.log(0.0226 / 0.014), 12);
    expect(s.threshold).toBeCloseTo(Math.log(1.1), 15);
    // a negative best (a client's own metric) falls back to a linear scale
    const n = scaleFor(-5, -1, 0.1);
    expect(n.log).toBe(false);
    expect(n.z(-4.5) - n.z(-5)).toBeCloseTo(0.1, 12);
  });
  it('tail checkpoints: 5 points over the last 10% of the steps', () => {
    expect(tailCheckpoints(1000)).toEqual([900, 925, 950, 975, 1000]);
    expect(tailCheckpoints(20)).toEqual([20]);
  });
  it('detrended variance: 0 on a line, the residual variance (n − 2 dof) otherwise', () => {
    expect(detrendedVariance([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(0, 15);
    // residuals of y = [0, 1, 0, 1, 0] around its least-squares line (slope 0, mean 0.4)
    expect(detrendedVariance([0, 1, 2, 3, 4], [0, 1, 0, 1, 0])).toBeCloseTo((0.16 * 3 + 0.36 * 2) / 3, 12);
    expect(detrendedVariance([1, 2], [1, 2])).toBeNull();
  });
  it("tail noise is the pooled residual sd of the finalists' tails, or the prior without tails", () => {
    const s = scaleFor(1, 1, 0.1);
    expect(tailNoise([], s).source).toBe('prior');
    const flat = tailNoise([[900, 925, 950, 975, 1000].map((st) => ({ steps: st, metric: 1 }))], s);
    expect(flat).toEqual({ noise: 0, source: 'measured' });
    // two tails with residual variances v1, v2 pool to sqrt((v1 + v2) / 2)
    const zig = (amp: number) => [0, 1, 2, 3, 4].map((i) => ({ steps: i, metric: Math.exp(amp * (i % 2)) - 0.002 }));
    const v1 = detrendedVariance(
      [0, 1, 2, 3, 4],
      [0, 1, 0, 1, 0].map((u) => 0.1 * u),
    )!;
    const v2 = detrendedVariance(
      [0, 1, 2, 3, 4],
      [0, 1, 0, 1, 0].map((u) => 0.3 * u),
    )!;
    expect(tailNoise([zig(0.1), zig(0.3)], s).noise).toBeCloseTo(Math.sqrt((v1 + v2) / 2), 9);
  });
  it('confidence falls with the tail noise and rises with the tolerance; levels by threshold', () => {
    expect(confidenceP(0.01, 0.1)).toBeGreaterThan(confidenceP(0.3, 0.1));
    expect(confidenceP(0.1, 0.5)).toBeGreaterThan(confidenceP(0.1, 0.1));
    expect(confidenceP(0, 0.1)).toBe(confidenceP(1e-3, 0.1));
    expect([levelOf(0.95), levelOf(0.7), levelOf(0.3)]).toEqual(['high', 'medium', 'low']);
  });
});
