/**
 * torch-lr-finder's suggestion (davidtvs/pytorch-lr-finder, torch_lr_finder/lr_finder.py,
 * `LRFinder.plot(skip_start=10, skip_end=5, suggest_lr=True)`):
 *   lrs = lrs[skip_start:-skip_end]   (lrs[skip_start:] when skip_end == 0)
 *   min_grad_idx = (np.gradient(np.array(losses))).argmin(); return ax, lrs[min_grad_idx]
 * The steepest INDEX-based central difference (first-order one-sided at the two edges, numpy's
 * default edge_order=1), in float64, first minimum wins; it can pick either edge of the window.
 * This function takes the already-trimmed window (the trimming lives in ./index.ts) and returns
 * an index into it. np.gradient needs >= 2 points (torch-lr-finder: "Need at least ... points").
 */
import { argmin, gradient } from './numeric.js';
import { pick, tooFewPoints, type Suggestion } from './types.js';

export function steepest(lrs: readonly number[], losses: readonly number[]): Suggestion {
  const n = Math.min(lrs.length, losses.length);
  if (n < 2) return tooFewPoints('steepest', 2, n, 'in the analysed window');
  const idx = argmin(gradient(losses.slice(0, n)));
  return pick(lrs[idx], idx, 'steepest');
}
