/**
 * The v1 trimming options of `analyzeCurve` (fastai's and torch-lr-finder's, set separately). The
 * routes use every method's own trimming, which lives in ./suggest/registry.ts and is applied by
 * ./suggest/pick.ts. Windows are half-open [start, end) into the ORIGINAL arrays.
 *
 * fastai (`Learner.lr_find`, fastai/callback/schedule.py):
 *   lrs, losses = tensor(recorder.lrs[num_it//10:-5]), tensor(recorder.losses[num_it//10:-5])
 *   nan_idxs = torch.nonzero(torch.isnan(losses)); if any: cut at the first NaN
 *   → start = num_it//10 (num_it = the REQUESTED number of iterations, not the recorded length,
 *   so an early-stopped run still loses num_it//10 points), end = n - 5 with Python slice
 *   clamping, then cut before the first non-finite (null) loss. fastai keeps ±inf; JSON curves
 *   carry null for every non-finite value, so null is treated as fastai's NaN.
 *
 * torch-lr-finder (`LRFinder.plot(skip_start=10, skip_end=5)`):
 *   lrs[skip_start:-skip_end], or lrs[skip_start:] when skip_end == 0 (handled like torch-lr-finder,
 *   not Python's empty [a:-0]). torch-lr-finder has no NaN filter (numpy argmin then returns the
 *   first NaN — a garbage pick); we cut the window before its first null instead (deviation, it
 *   only changes curves on which the original returns garbage).
 */

import { FASTAI_DEFAULTS, TORCH_LR_FINDER_DEFAULTS } from './defaults.js';

export interface Window {
  start: number;
  end: number;
}

export interface TrimOptions {
  /** torch-lr-finder `plot(skip_start=10)`: points dropped at the front for `steepest` */
  skip_start?: number;
  /** torch-lr-finder `plot(skip_end=5)`: points dropped at the end for `steepest`; 0 keeps all */
  skip_end?: number;
  /** fastai `lr_find(num_it=100)`: the requested iterations; fastai drops num_it//10 at the front. Default: the curve
   * length */
  num_it?: number;
  /** override fastai's front trim (default num_it//10) */
  fastai_skip_start?: number;
  /** override fastai's end trim (default 5, not configurable in fastai); 0 keeps all */
  fastai_skip_end?: number;
}

export const TORCH_TRIM_DEFAULTS = Object.freeze({
  skip_start: TORCH_LR_FINDER_DEFAULTS.skip_start,
  skip_end: TORCH_LR_FINDER_DEFAULTS.skip_end,
});
export const FASTAI_SKIP_END = FASTAI_DEFAULTS.skip_end;

const nonNeg = (x: number | undefined, d: number): number =>
  x === undefined || !Number.isFinite(x) || x < 0 ? d : Math.floor(x);

/** Python's seq[start:-skip_end] (seq[start:] when skip_end == 0), clamped like Python. */
export function sliceWindow(n: number, skipStart: number, skipEnd: number): Window {
  const start = Math.min(skipStart, n);
  const end = skipEnd === 0 ? n : Math.max(0, n - skipEnd);
  return { start, end: Math.max(start, end) };
}

/** Shrink the window so it ends before its first non-finite (null) loss. */
export function cutAtFirstNonFinite(losses: readonly (number | null)[], w: Window): Window {
  for (let i = w.start; i < w.end; i++) {
    const v = losses[i];
    if (v === null || v === undefined || !Number.isFinite(v)) return { start: w.start, end: i };
  }
  return w;
}

export interface Skips {
  skip_start: number;
  skip_end: number;
}

/** fastai's effective trims: num_it//10 (num_it defaults to n) and 5, unless overridden. */
export function fastaiSkips(n: number, trim: TrimOptions = {}): Skips {
  const numIt = nonNeg(trim.num_it, n);
  return {
    skip_start: nonNeg(trim.fastai_skip_start, Math.floor(numIt / 10)),
    skip_end: nonNeg(trim.fastai_skip_end, FASTAI_SKIP_END),
  };
}

/** torch-lr-finder's effective trims: skip_start 10, skip_end 5, unless overridden. */
export function torchSkips(_n: number, trim: TrimOptions = {}): Skips {
  return {
    skip_start: nonNeg(trim.skip_start, TORCH_TRIM_DEFAULTS.skip_start),
    skip_end: nonNeg(trim.skip_end, TORCH_TRIM_DEFAULTS.skip_end),
  };
}

export function fastaiWindow(losses: readonly (number | null)[], trim: TrimOptions = {}): Window {
  const k = fastaiSkips(losses.length, trim);
  return cutAtFirstNonFinite(losses, sliceWindow(losses.length, k.skip_start, k.skip_end));
}

export function torchWindow(losses: readonly (number | null)[], trim: TrimOptions = {}): Window {
  const k = torchSkips(losses.length, trim);
  return cutAtFirstNonFinite(losses, sliceWindow(losses.length, k.skip_start, k.skip_end));
}
