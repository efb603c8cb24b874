/**
 * fastai `minimum` (fastai/callback/schedule.py):
 *   lr_min = lrs[losses.argmin()].item(); return lr_min/10, ...
 * One tenth of the LR at the lowest loss. The inputs are float32 torch tensors in fastai, so the
 * argmin runs on float32-rounded losses (ties created by the rounding go to the first index; a NaN
 * would win, but fastai's lr_find cuts before the first NaN; -inf wins over every finite value).
 * fastai returns the float32 value of the LR / 10; here the caller's own LR / 10 in float64, so
 * the INDEX is fastai's and the value is the caller's number. `index` is the argmin point (whose LR
 * is ten times the returned one).
 */
import { argmin, f32 } from './numeric.js';
import { pick, tooFewPoints, type Suggestion } from './types.js';

export function minimum(lrs: readonly number[], losses: readonly number[]): Suggestion {
  const n = Math.min(lrs.length, losses.length);
  if (n < 1) return tooFewPoints('minimum', 1, n, 'in the analysed window');
  const idx = argmin(losses.slice(0, n).map(f32));
  return pick(lrs[idx] / 10, idx, 'minimum');
}
