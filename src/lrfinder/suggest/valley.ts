/**
 * fastai `valley` (fastai/callback/schedule.py; credited to ESRI):
 *   n = len(losses); max_start, max_end = 0,0
 *   lds = [1]*n
 *   for i in range(1,n):
 *       for j in range(0,i):
 *           if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1): lds[i] = lds[j] + 1
 *           if lds[max_end] < lds[i]: max_end = i; max_start = max_end - lds[max_end]
 *   sections = (max_end - max_start) / 3
 *   idx = max_start + int(sections) + int(sections/2)
 *   return float(lrs[idx]), ...
 *
 * Ported statement by statement, because the details change the answer:
 * - it is the longest strictly decreasing SUBSEQUENCE (O(n²)), not a contiguous run;
 * - the max test sits inside the j loop (kept there; it is equivalent to testing after the loop,
 *   since lds[j] <= lds[max_end] for every j < i, so lds[i] can pass lds[max_end] only once);
 * - with no decrease at all, max_start = max_end = 0 stay at their initial values → idx 0;
 * - ties keep the earliest max_end (strict `<`);
 * - max_start = max_end - length can be -1, and idx = -1 is Python's LAST element
 *   (e.g. losses [3, 2, 5, 6]: lds = [1,2,1,1], max_end = 1, max_start = -1, sections = 2/3,
 *   idx = -1 → lrs[3]);
 * - int() truncates toward zero; idx ≈ start + ⌊L/3⌋ + ⌊L/6⌋, about halfway, not "2/3".
 * Losses are compared as float32 (fastai's tensors), and the returned LR is float(lrs[idx]) of a
 * float32 tensor, i.e. Math.fround(lr). Needs >= 1 point (n = 0 is an IndexError in fastai).
 */
import { f32 } from './numeric.js';
import { pick, tooFewPoints, type Suggestion } from './types.js';

/** The raw fastai index (may be -1), exported for tests. */
export function valleyRawIndex(losses: readonly number[]): number {
  const n = losses.length;
  const l = losses.map(f32);
  let maxStart = 0;
  let maxEnd = 0;
  const lds = new Array<number>(n).fill(1);
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) {
      if (l[i] < l[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
      if (lds[maxEnd] < lds[i]) {
        maxEnd = i;
        maxStart = maxEnd - lds[maxEnd];
      }
    }
  }
  const sections = (maxEnd - maxStart) / 3;
  return maxStart + Math.trunc(sections) + Math.trunc(sections / 2);
}

export function valley(lrs: readonly number[], losses: readonly number[]): Suggestion {
  const n = Math.min(lrs.length, losses.length);
  if (n < 1) return tooFewPoints('valley', 1, n, 'in the analysed window');
  const raw = valleyRawIndex(losses.slice(0, n));
  const idx = raw < 0 ? n + raw : raw; // Python negative indexing
  return pick(f32(lrs[idx]), idx, 'valley');
}
