/**
 * The numpy / torch primitives the suggestion methods are defined with, reproduced exactly.
 *
 * - `gradient`: numpy.gradient(f) with the default unit spacing and edge_order=1
 *   (numpy/lib/_function_base_impl.py): interior (f[i+1] - f[i-1]) / 2., edges
 *   (f[1] - f[0]) / 1. and (f[n-1] - f[n-2]) / 1. Needs n >= 2 (ValueError otherwise).
 * - `gradientF32`: the same on a float32 array (dtype preserved: every operation rounds to float32).
 * - `argmin`: numpy.argmin / torch.argmin: the FIRST minimal index, and a NaN wins (the first NaN).
 */
export const f32 = Math.fround;

export function gradient(f: readonly number[]): number[] {
  const n = f.length;
  if (n < 2) throw new RangeError('gradient needs at least 2 points');
  const out = new Array<number>(n);
  for (let i = 1; i < n - 1; i++) out[i] = (f[i + 1] - f[i - 1]) / 2;
  out[0] = (f[1] - f[0]) / 1;
  out[n - 1] = (f[n - 1] - f[n - 2]) / 1;
  return out;
}

/** numpy.gradient on a float32 array; `f` must already hold float32 values. */
export function gradientF32(f: readonly number[]): number[] {
  const n = f.length;
  if (n < 2) throw new RangeError('gradient needs at least 2 points');
  const out = new Array<number>(n);
  for (let i = 1; i < n - 1; i++) out[i] = f32(f32(f[i + 1] - f[i - 1]) / 2);
  out[0] = f32(f[1] - f[0]);
  out[n - 1] = f32(f[n - 1] - f[n - 2]);
  return out;
}

export function argmin(a: readonly number[]): number {
  let idx = -1;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (Number.isNaN(v)) return i;
    if (idx < 0 || v < a[idx]) idx = i;
  }
  return idx;
}
