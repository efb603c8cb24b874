/** The preview's downsampling. */
import { describe, expect, it } from 'vitest';
import { downsampleIndex } from '../../../src/sync/schedule-preview/preview.js';

describe('downsampleIndex', () => {
  it('evenly spaced, first and last always kept, strictly increasing', () => {
    for (const [steps, points] of [
      [10, 2],
      [10, 3],
      [101, 5],
      [1000, 7],
      [100_000, 2000],
      [2001, 2000],
      [5, 5],
      [3, 10],
      [1, 2],
    ]) {
      const idx = downsampleIndex(steps, points);
      expect(idx).toHaveLength(Math.min(steps, points));
      expect(idx[0]).toBe(0);
      expect(idx.at(-1)).toBe(steps - 1);
      idx.forEach((x, i) => {
        if (i > 0) expect(x).toBeGreaterThan(idx[i - 1]);
      });
    }
    expect(downsampleIndex(101, 5)).toEqual([0, 25, 50, 75, 100]);
  });
});
