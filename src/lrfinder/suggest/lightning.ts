/**
 * Lightning's `_LRFinder.suggestion(skip_begin=10, skip_end=1)`
 * (Lightning-AI/pytorch-lightning, src/lightning/pytorch/tuner/lr_finder.py), both versions.
 *
 * Current (>= 2.5.3, PR #21055):
 *   losses = torch.tensor(self.results["loss"][skip_begin:-skip_end])
 *   lrs = torch.tensor(self.results["lr"][skip_begin:-skip_end])
 *   is_finite = torch.isfinite(losses); losses = losses[is_finite]; lrs = lrs[is_finite]
 *   if len(losses) < 2: return None
 *   gradients = torch.gradient(losses, spacing=[lrs])[0]
 *   min_grad = torch.argmin(gradients).item()
 *   idx_finite = torch.arange(len(results["loss"]))[skip_begin:-skip_end][is_finite]
 *   self._optimal_idx = idx_finite[min_grad].item(); return self.results["lr"][self._optimal_idx]
 * The gradient is d loss / d lr in LINEAR lr coordinates: on an exponential sweep it is
 * (dL/d ln lr) / lr, which amplifies the small-LR end, so the pick collapses toward skip_begin
 * (issue #21141, open). Reproduced as is, with a warning.
 *
 * Legacy (<= 2.5.2):
 *   losses = torch.tensor(self.results["loss"][skip_begin:-skip_end]); losses = losses[torch.isfinite(losses)]
 *   if len(losses) < 2: return None
 *   gradients = torch.gradient(losses)[0]; min_grad = torch.argmin(gradients).item()
 *   self._optimal_idx = min_grad + skip_begin; return self.results["lr"][self._optimal_idx]
 * An index-based gradient; the index is off when non-finite points were removed before the pick
 * (issue #14248) — reproduced, with a warning.
 *
 * Both run on float32 tensors (torch.tensor of Python floats), so `isfinite` is float32's (a float64
 * beyond float32's range is an inf there) and the gradients are float32 (./numeric.ts). The
 * returned LR is `results["lr"][idx]`, the caller's own number. The slicing is Python's:
 * skip_end = 0 reads [10:-0], which is empty, so no suggestion (PR #21923, open).
 */
import { argmin, f32, gradientF32, torchGradientCoordsF32 } from './numeric.js';
import { noSuggestion, pick, type Suggestion } from './types.js';

export interface LightningPick {
  suggestion: Suggestion;
  /** non-finite positions of the window dropped before the gradient (legacy: those before the picked point, i.e. the
   * shift) */
  dropped: number;
}

function finiteIndices(losses: readonly number[], start: number, end: number): number[] {
  const idx: number[] = [];
  for (let i = start; i < end; i++) if (Number.isFinite(f32(losses[i]))) idx.push(i);
  return idx;
}

const TOO_FEW =
  'Lightning: "Failed to compute suggestion for learning rate because there are not enough points" (fewer than 2 finite losses in the window)';

/** Lightning >= 2.5.3 `suggestion()` on the window [start, end) of the full arrays. */
export function lightningSuggestion(
  lrs: readonly number[],
  losses: readonly number[],
  start: number,
  end: number,
): LightningPick {
  const idx = finiteIndices(losses, start, end);
  const dropped = end - start - idx.length;
  if (idx.length < 2) return { suggestion: noSuggestion(TOO_FEW), dropped };
  const g = torchGradientCoordsF32(
    idx.map((i) => f32(losses[i])),
    idx.map((i) => f32(lrs[i])),
  );
  const k = argmin(g);
  return { suggestion: pick(lrs[idx[k]], idx[k], 'lightning'), dropped };
}

/** Lightning <= 2.5.2 `suggestion()`: `skip_begin` is the window start as Lightning adds it back. */
export function lightningLegacySuggestion(
  lrs: readonly number[],
  losses: readonly number[],
  start: number,
  end: number,
): LightningPick {
  const idx = finiteIndices(losses, start, end);
  const dropped = end - start - idx.length;
  if (idx.length < 2) return { suggestion: noSuggestion(TOO_FEW), dropped };
  const k = argmin(gradientF32(idx.map((i) => f32(losses[i]))));
  const at = k + start;
  // the pick is shifted when non-finite points before the picked finite one were dropped (idx[k] != k + start)
  return { suggestion: pick(lrs[at], at, 'lightning_legacy'), dropped: idx[k] - at };
}
