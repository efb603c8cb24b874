/** The data check on hand-made datasets: every finding reachable, counts derived by hand. */
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../../../src/core/spec.js';
import { checkData, duplicateRows, featureStats } from '../../../../src/kinds/diagnostics/checks/index.js';

function ds(
  x: number[][],
  y: number[],
  task: 'classification' | 'regression' = 'classification',
  outputs?: number,
): Dataset {
  return {
    name: 'hand',
    task,
    rows: x.length,
    features: x[0].length,
    outputs: outputs ?? (task === 'classification' ? Math.max(...y) + 1 : 1),
    x: Float32Array.from(x.flat()),
    y: Float32Array.from(y),
  };
}
const check = (d: Dataset, standardize = true) => checkData({ raw: d, train: d, standardize });

describe('featureStats / duplicateRows', () => {
  it('per-feature mean, biased std and range', () => {
    const { mean, std, range } = featureStats(Float32Array.from([1, 10, 3, 10, 5, 10]), 3, 2);
    expect(mean).toEqual([3, 10]);
    expect(std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(std[1]).toBe(0);
    expect(range).toEqual([4, 0]);
  });

  it('counts rows equal to an earlier row, and those with another label', () => {
    // rows 0 = 2 = 4 (labels 0, 0, 1), row 1 = 3 (labels 1, 1)
    const d = ds(
      [
        [1, 2],
        [3, 4],
        [1, 2],
        [3, 4],
        [1, 2],
        [5, 6],
      ],
      [0, 1, 0, 1, 1, 0],
    );
    expect(duplicateRows(d)).toEqual({ duplicates: 3, conflicting: 1 });
    expect(
      duplicateRows(
        ds(
          [
            [1, 2],
            [2, 1],
          ],
          [0, 1],
        ),
      ),
    ).toEqual({ duplicates: 0, conflicting: 0 });
  });
});

describe('checkData', () => {
  const balanced = ds(
    [
      [0, 1],
      [1, 0],
      [2, 3],
      [3, 2],
    ],
    [0, 1, 0, 1],
  );

  it('passes clean, balanced, distinct data', () => {
    const c = check(balanced);
    expect(c).toMatchObject({ name: 'data', status: 'pass', hints: [] });
    expect(c.details).toMatchObject({
      rows: 4,
      features: 2,
      class_counts: [2, 2],
      imbalance_ratio: 1,
      duplicate_rows: 0,
      non_finite_x: 0,
      constant_features: [],
    });
    expect(c.summary).toContain('4 rows × 2 features');
  });

  it('fails on NaN/Inf values', () => {
    const d = ds(
      [
        [0, 1],
        [1, 0],
        [2, 3],
        [3, 2],
      ],
      [0, 1, 0, 1],
    );
    d.x[1] = NaN;
    d.x[6] = Infinity;
    const c = check(d);
    expect(c.status).toBe('fail');
    expect(c.details.non_finite_x).toBe(2);
    expect(c.hints[0]).toMatch(/NaN\/Inf/);
  });

  it('warns on a constant feature', () => {
    const c = check(
      ds(
        [
          [0, 7],
          [1, 7],
          [2, 7],
          [3, 7],
        ],
        [0, 1, 0, 1],
      ),
    );
    expect(c.status).toBe('warn');
    expect(c.details.constant_features).toEqual([1]);
    expect(c.summary).toMatch(/1 constant feature/);
  });

  it('warns on large or uneven feature scales only when the data is not standardised', () => {
    const big = ds(
      [
        [0, 1000],
        [1, 3000],
        [0, 2000],
        [1, 5000],
      ],
      [0, 1, 0, 1],
    );
    expect(check(big, true).status).toBe('pass');
    const c = check(big, false);
    expect(c.status).toBe('warn');
    expect(c.hints.join(' ')).toMatch(/standardize: true/);
    // small values but ranges 1 vs 1e-4 (ratio 1e4 > 1e3)
    const uneven = ds(
      [
        [0, 0],
        [1, 1e-4],
        [0, 0],
        [1, 1e-4],
      ],
      [0, 1, 0, 1],
    );
    expect(check(uneven, false).status).toBe('warn');
    expect(check(uneven, false).details.range_ratio).toBeCloseTo(1e4, -1);
  });

  it('warns on imbalanced classes (rarest < 10% of the most common) and on an empty class', () => {
    const x = Array.from({ length: 12 }, (_, i) => [i, i % 3]);
    const c = check(ds(x, [...Array(11).fill(0), 1]));
    expect(c.status).toBe('warn');
    expect(c.details.class_counts).toEqual([11, 1]);
    expect(c.details.imbalance_ratio).toBeCloseTo(1 / 11, 12);
    expect(c.hints[0]).toMatch(/weight the loss/);
    const empty = check(
      ds(
        [
          [0, 1],
          [1, 0],
          [2, 3],
          [3, 2],
        ],
        [0, 2, 0, 2],
        'classification',
        3,
      ),
    );
    expect(empty.status).toBe('warn');
    expect(empty.summary).toMatch(/class\(es\) 1 have no rows/);
  });

  it('warns on duplicates with different labels, and on many duplicates', () => {
    const conflict = check(
      ds(
        [
          [0, 1],
          [1, 0],
          [0, 1],
          [3, 2],
        ],
        [0, 1, 1, 0],
      ),
    );
    expect(conflict.status).toBe('warn');
    expect(conflict.details).toMatchObject({ duplicate_rows: 1, conflicting_duplicates: 1 });
    expect(conflict.hints[0]).toMatch(/floor under the loss/);
    const many = check(
      ds(
        [
          [0, 1],
          [1, 0],
          [0, 1],
          [1, 0],
          [2, 2],
          [3, 3],
        ],
        [0, 1, 0, 1, 0, 1],
      ),
    );
    expect(many.status).toBe('warn');
    expect(many.details).toMatchObject({ duplicate_rows: 2, conflicting_duplicates: 0 });
  });

  it('regression: target statistics, and a warning for targets on a large scale', () => {
    const ok = check(ds([[0], [1], [2], [3]], [0.5, -0.5, 1, 0], 'regression'));
    expect(ok.status).toBe('pass');
    expect(ok.details.target_mean).toEqual([0.25]);
    const big = check(ds([[0], [1], [2], [3]], [1000, 1200, 900, 1100], 'regression'));
    expect(big.status).toBe('warn');
    expect(big.hints[0]).toMatch(/standardise the targets/);
  });
});
