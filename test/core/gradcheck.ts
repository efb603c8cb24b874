/**
 * Central-difference gradient checking for float32 buffers.
 * relErr = ‖numeric - analytic‖ / max(‖numeric‖ + ‖analytic‖, 1e-12). With float32 storage,
 * eps ~1e-2..1e-3 and float64 loss accumulation, correct derivatives give relErr ~1e-4;
 * a wrong derivative gives O(0.1–1).
 */
export function numericGrad(f: () => number, x: Float32Array, eps: number): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const old = x[i];
    x[i] = old + eps;
    const up = x[i] - old; // the step actually representable in float32
    const fp = f();
    x[i] = old - eps;
    const down = old - x[i];
    const fm = f();
    x[i] = old;
    g[i] = (fp - fm) / (up + down);
  }
  return g;
}

export function relError(numeric: ArrayLike<number>, analytic: ArrayLike<number>): number {
  let d = 0,
    a = 0,
    b = 0;
  for (let i = 0; i < numeric.length; i++) {
    d += (numeric[i] - analytic[i]) ** 2;
    a += numeric[i] ** 2;
    b += analytic[i] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(a) + Math.sqrt(b), 1e-12);
}

/** Σ y[i]·r[i] in float64: a scalar loss whose gradient w.r.t. y is r. */
export function dot(y: ArrayLike<number>, r: ArrayLike<number>, n = r.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += y[i] * r[i];
  return s;
}
