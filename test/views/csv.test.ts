/** curve.csv: header, one row per iteration, empty cells for null, exact numbers, runs, quoting. */
import { describe, expect, it } from 'vitest';
import { numCell, renderRangeTestCsv, renderScheduleCsv, textCell } from '../../src/views/csv.js';

/** A minimal RFC 4180 reader (quoted cells with "" escapes). */
function readCsv(text: string): string[][] {
  expect(text.endsWith('\r\n')).toBe(true);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  return rows;
}

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
    expect(numCell(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(numCell(NaN)).toBe('');
    expect(numCell(Infinity)).toBe('');
    expect(numCell(null)).toBe('');
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

  it('an empty result is just the header', () => {
    expect(renderRangeTestCsv({})).toBe('iteration,lr,loss,smoothed_loss,grad_norm\r\n');
  });
});

describe('renderScheduleCsv', () => {
  it('one row per schedule step; names quoted and formula-neutralised', () => {
    const csv = renderScheduleCsv({ schedules: [
      { name: 'cosine, warm', lrs: [0.1, 0.05], losses: [2, 1.5] },
      { name: '=HYPERLINK("x")', lrs: [0.1] },
    ] });
    const rows = readCsv(csv);
    expect(rows).toEqual([
      ['schedule', 'step', 'lr', 'loss'],
      ['cosine, warm', '0', '0.1', '2'],
      ['cosine, warm', '1', '0.05', '1.5'],
      ["'=HYPERLINK(\"x\")", '0', '0.1', ''],
    ]);
    expect(textCell('plain')).toBe('plain');
    expect(textCell('-1+1')).toBe("'-1+1");
  });
});
