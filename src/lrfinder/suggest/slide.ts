/**
 * fastai `slide` (fastai/callback/schedule.py; credited to Andrew Chang, Novetta):
 *   losses = to_np(losses); loss_grad = np.gradient(losses)
 *   r_idx = -1; l_idx = r_idx - lr_diff; local_min_lr = lrs[l_idx]
 *   while (l_idx >= -len(losses)) and (abs(loss_grad[r_idx] - loss_grad[l_idx]) > thresh):
 *       local_min_lr = lrs[l_idx]; r_idx -= 1; l_idx -= 1
 *   suggestion = float(local_min_lr) * adjust_value
 *
 * A window of lr_diff points slides left from the right end while the index-gradients at its two
 * ends differ by more than `thresh` (absolute, in loss units — scale dependent). The result is
 * lrs[min(l_fail + 1, -(lr_diff+1))] in Python indexing, lrs[0] if it runs off the left end.
 * Semantics reproduced: losses are a float32 numpy array, so np.gradient and the difference are
 * float32, and `> thresh` compares in float32 (numpy casts the Python float to the array scalar's
 * dtype: NEP 50 in numpy 2; numpy 1.x compares in float64, which gives the same answer for the
 * default 0.005 because no float32 lies between float32(0.005) and 0.005). fastai returns the
 * float32 LR times adjust_value; here the caller's own lrs[index]·adjust_value in float64.
 * Needs >= lr_diff + 1 points (16 by default; lrs[-16] is an IndexError below that).
 */
import { FASTAI_DEFAULTS } from '../defaults.js';
import { f32, gradientF32 } from './numeric.js';
import { pick, tooFewPoints, type Suggestion } from './types.js';

export interface SlideOptions {
  lr_diff?: number;
  thresh?: number;
  adjust_value?: number;
}

export const SLIDE_DEFAULTS = FASTAI_DEFAULTS.slide;

export function slide(lrs: readonly number[], losses: readonly number[], opts: SlideOptions = {}): Suggestion {
  const lrDiff = opts.lr_diff ?? SLIDE_DEFAULTS.lr_diff;
  const thresh = opts.thresh ?? SLIDE_DEFAULTS.thresh;
  const adjust = opts.adjust_value ?? SLIDE_DEFAULTS.adjust_value;
  const n = Math.min(lrs.length, losses.length);
  if (!Number.isInteger(lrDiff) || lrDiff < 0)
    return { lr: null, index: null, reason: `slide: lr_diff must be an integer >= 0, got ${lrDiff}` };
  const need = Math.max(lrDiff + 1, 2); // lrs[-(lr_diff+1)], and np.gradient needs 2
  if (n < need) return tooFewPoints('slide', need, n, 'in the analysed window');
  const grad = gradientF32(losses.slice(0, n).map(f32));
  const t32 = f32(thresh);
  let r = n - 1;
  let l = r - lrDiff;
  let local = l;
  while (l >= 0 && Math.abs(f32(grad[r] - grad[l])) > t32) {
    local = l;
    r -= 1;
    l -= 1;
  }
  return pick(lrs[local] * adjust, local, 'slide');
}
