/** Closeness assertions with the failing index (and step) in the message. */
import { expect } from 'vitest';

/** |a − e| ≤ rtol·|e| + atol, elementwise, same length. */
export function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  rtol: number,
  atol = 0,
  where = '',
): void {
  expect(actual.length, `${where}length`).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    const ok = Math.abs(a - e) <= rtol * Math.abs(e) + atol;
    if (!ok) expect.fail(`${where}index ${i}: got ${a}, expected ${e} (rtol ${rtol}, atol ${atol})`);
  });
}

/** One row per step (e.g. the parameters after each optimizer step), each row within `rtol`. */
export function expectCloseRows(
  actual: readonly (readonly number[])[],
  expected: readonly (readonly number[])[],
  rtol: number,
): void {
  expect(actual.length, 'steps').toBe(expected.length);
  actual.forEach((row, t) => expectClose(row, expected[t], rtol, 0, `step ${t + 1}: `));
}
