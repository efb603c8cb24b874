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
 * Losses are compared as float32 (fastai's tensors). fastai returns float(lrs[idx]) of a float32
 * tensor; here the caller's own lrs[idx] (same index). Needs >= 1 point (n = 0 is an IndexError in fastai).
 */
import { f32 } from './numeric.js';
import { pick, tooFewPoints, type Suggestion } from './types.js';

/**
 * fastai's loop verbatim — O(n²). Kept as the reference the fast version is tested against.
 * Returns the raw fastai index (may be -1).
 */
export function valleyRawIndexReference(losses: readonly number[]): number {
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

/**
 * The same result in O(n log n): lds[i] = 1 + max{lds[j] : j < i, l[j] > l[i]} (a Fenwick tree of
 * prefix maxima over the float32 values ranked in descending order), max_end = the first i with
 * the largest lds, max_start = max_end - lds[max_end] (valid because lds[i] can only pass
 * lds[max_end] at its final value, see above). NaN (never `<` anything) keeps lds 1 and is
 * never a predecessor, as in the loop. Equality with the loop is tested on random inputs.
 */
export function valleyRawIndex(losses: readonly number[]): number {
  const n = losses.length;
  const l = losses.map(f32);
  // rank by descending value: rank 1 = largest; equal values share a rank
  const distinct = Array.from(new Set(l.filter((v) => !Number.isNaN(v)))).sort((a, b) => b - a);
  const rank = new Map<number, number>();
  distinct.forEach((v, k) => rank.set(v, k + 1));
  const m = distinct.length;
  const tree = new Array<number>(m + 1).fill(0); // prefix max over ranks 1..r
  const query = (r: number): number => {
    let best = 0;
    for (; r > 0; r -= r & -r) if (tree[r] > best) best = tree[r];
    return best;
  };
  const update = (r: number, v: number): void => {
    for (; r <= m; r += r & -r) if (tree[r] < v) tree[r] = v;
  };
  let maxStart = 0;
  let maxEnd = 0;
  let maxLds = 1;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(l[i])) continue;
    const r = rank.get(l[i]) as number;
    const lds = 1 + query(r - 1); // predecessors strictly larger: ranks 1..r-1
    update(r, lds);
    if (i > 0 && maxLds < lds) {
      maxLds = lds;
      maxEnd = i;
      maxStart = i - lds;
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
  return pick(lrs[idx], idx, 'valley');
}
