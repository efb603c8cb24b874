/** curve.csv of a range test: header, one row per iteration, empty cells for null, exact numbers, runs. */
import { describe, expect, it } from 'vitest';
import type { LrRangeTestResult } from '../../../src/kinds/lr-range-tests/contract.js';
import { renderRangeTestCsv as render } from '../../../src/kinds/lr-range-tests/csv.js';
import { readCsv } from '../../helpers/csv.js';

/** The table of a result that has only the fields a test looks at. */
const renderRangeTestCsv = (result: object) => render(result as LrRangeTestResult);

const result = {
  lrs: [1e-7, 1.2045035402587822e-7, 0.001, 10],
  losses: [2.302585092994046, null, 1.5, null],
  smoothed_losses: [2.302585092994046, 2.302585092994046, 2.26, null],
  grad_norms: [0.5, null, 3.25, null],
  iterations: 4,
};

describe('renderRangeTestCsv', () => {
  it('has the header row and one row per iteration, 0-based, empty cells for null', () => {
    const rows = readCsv(renderRangeTestCsv(result));
    expect(rows[0]).toEqual(['iteration', 'lr', 'loss', 'smoothed_loss', 'grad_norm']);
    expect(rows).toHaveLength(5);
    expect(rows[1]).toEqual(['0', '1e-7', '2.302585092994046', '2.302585092994046', '0.5']);
    expect(rows[2]).toEqual(['1', '1.2045035402587822e-7', '', '2.302585092994046', '']);
    expect(rows[4]).toEqual(['3', '10', '', '', '']);
  });

  it('numbers read back as the identical doubles', () => {
    const rows = readCsv(renderRangeTestCsv(result));
    rows.slice(1).forEach((r, i) => expect(Number(r[1])).toBe(result.lrs[i]));
  });

  it('with repeats > 1: a run column and one block of rows per run', () => {
    const runs = [
      { seed: 0, lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2], smoothed_losses: [1, 0.9, 1] },
      { seed: 1, lrs: [1e-3, 1e-2], losses: [1.1, null], smoothed_losses: [1.1, 1.05] },
    ];
    const rows = readCsv(renderRangeTestCsv({ ...result, lrs: runs[0].lrs, grad_norms: [7, 8, 9], runs }));
    expect(rows[0]).toEqual(['iteration', 'lr', 'loss', 'smoothed_loss', 'grad_norm', 'run']);
    expect(rows.slice(1)).toEqual([
      ['0', '0.001', '1', '1', '7', '0'],
      ['1', '0.01', '0.5', '0.9', '8', '0'],
      ['2', '0.1', '2', '1', '9', '0'],
      ['0', '0.001', '1.1', '1.1', '', '1'],
      ['1', '0.01', '', '1.05', '', '1'],
    ]);
  });

  it('an empty curve is just the header', () => {
    expect(renderRangeTestCsv({ lrs: [], losses: [], smoothed_losses: [], grad_norms: [] })).toBe(
      'iteration,lr,loss,smoothed_loss,grad_norm\r\n',
    );
  });
});
