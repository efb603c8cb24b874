/**
 * erf / erfinv in double precision, for GELU (exact form) and trunc_normal_.
 * erf: Maclaurin series for |x| < 2.5, continued fraction for erfc beyond (|error| < 1e-13);
 * erfinv: Giles' single-precision approximation ("Approximating the erfinv function",
 * GPU Computing Gems, 2010) refined by two Newton steps on erf.
 */

const TWO_OVER_SQRT_PI = 1.1283791670955126;

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let term = x; // (-1)^n x^(2n+1) / n!
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  if (ax > 6) return x > 0 ? 1 : -1;
  return x > 0 ? 1 - erfcLarge(ax) : erfcLarge(ax) - 1;
}

/** erfc(x) for x ≥ 2.5: e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))) */
function erfcLarge(x: number): number {
  let f = x;
  for (let n = 60; n >= 1; n--) f = x + n / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

export function erfinv(y: number): number {
  if (!(y > -1 && y < 1)) {
    if (y === 1) return Infinity;
    if (y === -1) return -Infinity;
    return NaN;
  }
  let w = -Math.log((1 - y) * (1 + y));
  let x: number;
  if (w < 5) {
    w -= 2.5;
    let p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
    x = p * y;
  } else {
    w = Math.sqrt(w) - 3;
    let p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
    x = p * y;
  }
  // Newton on erf(x) - y: x -= (erf(x) - y) / (2/√π e^{-x²})
  for (let i = 0; i < 2; i++) {
    const e = erf(x) - y;
    x -= e / (TWO_OVER_SQRT_PI * Math.exp(-x * x));
  }
  return x;
}

/** standard normal CDF Φ(x) */
export function normCdf(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}
