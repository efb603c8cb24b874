/**
 * Numbers in human-readable messages. A ratio of finite values can still overflow (1e308 / 1e-12)
 * and print as "Infinity%"; these never print Infinity or NaN.
 */

/** `x` as a percentage, e.g. 0.253 → "25%"; beyond 1e6 % (or not finite) → "more than 1000000%". */
export function percent(x: number): string {
  const p = 100 * x;
  if (Number.isNaN(p)) return 'an undefined amount';
  if (!Number.isFinite(p) || Math.abs(p) >= 1e6) return `${p < 0 ? 'less than -' : 'more than '}1000000%`;
  return `${p.toFixed(0)}%`;
}

/** `x` as a factor in exponent notation, e.g. 1234 → "1.2e+3"; not finite → "more than 1e+308". */
export function factor(x: number): string {
  if (Number.isNaN(x)) return 'an undefined factor';
  if (!Number.isFinite(x)) return x > 0 ? 'more than 1e+308' : 'less than -1e+308';
  return x.toExponential(1);
}
