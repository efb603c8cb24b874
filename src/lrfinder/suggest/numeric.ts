/**
 * The numpy / torch primitives the suggestion methods are defined with, reproduced exactly.
 *
 * - `gradient`: numpy.gradient(f) with the default unit spacing and edge_order=1
 *   (numpy/lib/_function_base_impl.py): interior (f[i+1] - f[i-1]) / 2., edges
 *   (f[1] - f[0]) / 1. and (f[n-1] - f[n-2]) / 1. Needs n >= 2 (ValueError otherwise).
 * - `gradientF32`: the same on a float32 array (dtype preserved: every operation rounds to float32);
 *   torch.gradient(t) with unit spacing computes the same values on a float32 tensor
 *   (aten/src/ATen/native/ReduceOps.cpp `gradient_helper_float`: (f[2:] - f[:-2]) / 1, then / 2).
 * - `torchGradientCoordsF32`: torch.gradient(t, spacing=[x]) on float32 tensors, edge_order=1
 *   (`gradient_helper`): dx = x.diff(); a = -dx2/(dx1*(dx1+dx2)), b = (dx2-dx1)/(dx1*dx2),
 *   c = dx1/(dx2*(dx1+dx2)); center = a*f[:-2] + b*f[1:-1] + c*f[2:]; edges (f1-f0)/dx[0],
 *   (f[-1]-f[-2])/dx[-1]. Each tensor operation rounds to float32, in that order.
 * - `argmin`: numpy.argmin / torch.argmin: the FIRST minimal index, and a NaN wins (the first NaN).
 * - `pySlice`: Python's seq[start:stop] bounds (negative indices count from the end, clamped).
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

/** numpy.gradient on a float32 array (torch.gradient with unit spacing); `f` must hold float32 values. */
export function gradientF32(f: readonly number[]): number[] {
  const n = f.length;
  if (n < 2) throw new RangeError('gradient needs at least 2 points');
  const out = new Array<number>(n);
  for (let i = 1; i < n - 1; i++) out[i] = f32(f32(f[i + 1] - f[i - 1]) / 2);
  out[0] = f32(f[1] - f[0]);
  out[n - 1] = f32(f[n - 1] - f[n - 2]);
  return out;
}

/** torch.gradient(f, spacing=[x])[0] on float32 tensors; `f` and `x` must hold float32 values. */
export function torchGradientCoordsF32(f: readonly number[], x: readonly number[]): number[] {
  const n = f.length;
  if (n < 2 || x.length !== n) throw new RangeError('gradient needs at least 2 points and one coordinate per point');
  const dx = new Array<number>(n - 1);
  for (let i = 0; i < n - 1; i++) dx[i] = f32(x[i + 1] - x[i]);
  const out = new Array<number>(n);
  for (let i = 1; i < n - 1; i++) {
    const dx1 = dx[i - 1];
    const dx2 = dx[i];
    const a = f32(-dx2 / f32(dx1 * f32(dx1 + dx2)));
    const b = f32(f32(dx2 - dx1) / f32(dx1 * dx2));
    const c = f32(dx1 / f32(dx2 * f32(dx1 + dx2)));
    out[i] = f32(f32(f32(a * f[i - 1]) + f32(b * f[i])) + f32(c * f[i + 1]));
  }
  out[0] = f32(f32(f[1] - f[0]) / dx[0]);
  out[n - 1] = f32(f32(f[n - 1] - f[n - 2]) / dx[n - 2]);
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

/** Python's `seq[start:stop]` on a sequence of length n, as a half-open [start, end) (start <= end). */
export function pySlice(n: number, start: number, stop: number): { start: number; end: number } {
  const norm = (k: number) => (k < 0 ? Math.max(0, n + k) : Math.min(k, n));
  const s = norm(start);
  const e = norm(stop);
  return { start: s, end: Math.max(s, e) };
}

/**
 * fma on float32 values: float32(a·b + c) with ONE rounding (a, b, c float32). a·b is exact in a
 * double (24 + 24 bits); the sum is exact as TwoSum s + e; rounding s to float32 can only differ
 * from rounding the exact sum when s falls exactly on a float32 midpoint, where e decides.
 * torch's CPU lerp computes `end - (end - start) * (1 - weight)` with one rounding (FMA), which is
 * what this reproduces (checked against python3-torch in test/lrfinder/fixtures/libraries.py).
 */
export function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  const r = f32(s);
  if (e === 0 || !Number.isFinite(s)) return r;
  // neighbours of s in float32
  const lo = r <= s ? r : prevF32(r);
  const hi = r >= s ? r : nextF32(r);
  if (lo === hi || s - lo !== hi - s) return r; // s is not a midpoint: f32(s) is f32(exact)
  return e > 0 ? hi : lo;
}

const F32_BUF = new Float32Array(1);
const U32_BUF = new Uint32Array(F32_BUF.buffer);

function nextF32(x: number): number {
  F32_BUF[0] = x;
  if (x === 0) {
    U32_BUF[0] = 1;
    return F32_BUF[0];
  }
  if (x > 0) U32_BUF[0] += 1;
  else U32_BUF[0] -= 1;
  return F32_BUF[0];
}

function prevF32(x: number): number {
  return -nextF32(-x);
}
