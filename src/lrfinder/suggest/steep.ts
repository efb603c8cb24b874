/**
 * fastai `steep` (fastai/callback/schedule.py):
 *   grads = (losses[1:]-losses[:-1]) / (lrs[1:].log()-lrs[:-1].log())
 *   lr_steep = lrs[grads.argmin()].item()
 * A forward difference in ln(lr); the pick is the LEFT end of the steepest segment. On a
 * geometric schedule this equals an index-based difference; on a linear one the shrinking log
 * increments over-weight high LRs.
 *
 * float32 emulation: fastai runs this on float32 tensors, so every input and every intermediate
 * (difference, log, log difference, quotient) is rounded with Math.fround here. Rounding matters:
 * two losses that differ below float32 resolution give a zero gradient, and two LRs that share a
 * float32 value give a zero log step (±inf / NaN gradient, which torch.argmin then picks —
 * reproduced: the first NaN wins, then the first minimum). Math.log is correctly rounded in
 * practice; torch's float32 log may differ by 1 ulp (SLEEF), which can only matter for
 * near-exact ties. Needs >= 2 points (fastai errors on an empty argmin). The index is fastai's;
 * the returned LR is the caller's own value (fastai returns its float32 copy).
 */
import { argmin, f32 } from './numeric.js';
import { pick, tooFewPoints, type Suggestion } from './types.js';

export function steep(lrs: readonly number[], losses: readonly number[]): Suggestion {
  const n = Math.min(lrs.length, losses.length);
  if (n < 2) return tooFewPoints('steep', 2, n, 'in the analysed window');
  const l = losses.slice(0, n).map(f32);
  const logLr = lrs.slice(0, n).map((x) => f32(Math.log(f32(x))));
  const grads = new Array<number>(n - 1);
  for (let i = 0; i < n - 1; i++) {
    grads[i] = f32(f32(l[i + 1] - l[i]) / f32(logLr[i + 1] - logLr[i]));
  }
  const idx = argmin(grads);
  return pick(lrs[idx], idx, 'steep');
}
