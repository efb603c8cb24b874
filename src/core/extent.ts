/**
 * `Math.max(...xs)` / `Math.min(...xs)` without spreading an array into arguments: a spread of a
 * user-sized array (~125,000 values and up) overflows the call stack. Same answers as Math.max /
 * Math.min: -Infinity / Infinity for an empty array, NaN if any value is NaN.
 */
export function maxOf(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (Number.isNaN(x)) return NaN;
    if (x > m) m = x;
  }
  return m;
}

export function minOf(xs: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (Number.isNaN(x)) return NaN;
    if (x < m) m = x;
  }
  return m;
}
