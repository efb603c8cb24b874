/** CSV cells: numbers as their shortest round-trip text, text quoted when needed and formula-neutralised (OWASP). */
import { describe, expect, it } from 'vitest';
import { numCell, row, textCell } from '../../src/views/csv.js';

describe('numCell', () => {
  it('is the shortest text that parses back to the same double; empty for null and non-finite', () => {
    expect(numCell(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(numCell(NaN)).toBe('');
    expect(numCell(Infinity)).toBe('');
    expect(numCell(null)).toBe('');
    for (const v of [1e-7, 1.2045035402587822e-7, 2.302585092994046, 5e-324, -1.5e300])
      expect(Number(numCell(v))).toBe(v);
  });
});

describe('textCell and row', () => {
  it('quotes commas, quotes and newlines; neutralises a leading = + - @', () => {
    expect(textCell('plain')).toBe('plain');
    expect(textCell('-1+1')).toBe("'-1+1");
    expect(textCell('a,b')).toBe('"a,b"');
    expect(textCell('say "hi"')).toBe('"say ""hi"""');
    expect(textCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(row(['1', '', '"x"'])).toBe('1,,"x"\r\n');
  });
});
