/**
 * Small elementwise hot loops used by the layers, kept as plain functions over
 * (buffer, length) so they can be swapped for WebAssembly versions later.
 */

/** y[r, j] += bias[j] for r < rows */
export function addBiasRows(y: Float32Array, bias: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) y[o + j] += bias[j];
  }
}

/** db[j] = Σ_r dy[r, j] */
export function sumRows(dy: Float32Array, db: Float32Array, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) db[j] = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let j = 0; j < cols; j++) db[j] += dy[o + j];
  }
}

/** out[i] = a[i] + b[i] for i < n */
export function addInto(out: Float32Array, a: Float32Array, b: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/** Σ x[i]² (float64) */
export function sumSquares(x: Float32Array, n: number = x.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}

/** { diff: Σ (a[i] - b[i])², ref: Σ b[i]² } for i < n (float64) */
export function diffSquares(a: Float32Array, b: Float32Array, n: number = a.length): { diff: number; ref: number } {
  let diff = 0,
    ref = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - b[i];
    diff += d * d;
    ref += b[i] * b[i];
  }
  return { diff, ref };
}

/** true when every x[i] (i < n) is finite */
export function allFinite(x: Float32Array, n: number = x.length): boolean {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v - v !== 0) return false; // NaN or ±Inf
  }
  return true;
}
