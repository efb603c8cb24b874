/**
 * ignite `FastaiLRFinder.lr_suggestion()` (pytorch/ignite, ignite/handlers/lr_finder.py):
 *   loss = self._history["loss"]
 *   min_loss_idx = torch.tensor(loss).argmin()
 *   decreasing_losses = self._history["loss"][: int(min_loss_idx.item()) + 1]   # the descending part
 *   if len(decreasing_losses) < 3: raise RuntimeError("... the curve should be somehow U-shaped ...")
 *   losses = torch.tensor(decreasing_losses)
 *   grads = torch.tensor([0.5 * (losses[i + 1] - losses[i - 1]) for i in range(1, len(losses) - 1)])
 *   min_grad_idx = grads.argmin() + 1
 *   return self._history["lr"][int(min_grad_idx)]
 * A central difference on the part before the minimum, no trimming; float32 tensors (the argmin of
 * the whole curve and the differences are float32; a NaN wins the argmin, so a NaN ends the
 * "descending part" there). The returned LR is the caller's own number.
 */
import { argmin, f32 } from './numeric.js';
import { noSuggestion, pick, type Suggestion } from './types.js';

export function igniteSuggestion(lrs: readonly number[], losses: readonly number[]): Suggestion {
  const n = Math.min(lrs.length, losses.length);
  if (n === 0) return noSuggestion('ignite: argmin of an empty curve (RuntimeError)');
  const l = losses.slice(0, n).map(f32);
  const m = argmin(l) + 1;
  if (m < 3) {
    return noSuggestion(
      `ignite: "FastaiLRFinder got unexpected curve shape, the curve should be somehow U-shaped" (the loss is lowest at index ${m - 1}: fewer than 3 points before the minimum)`,
    );
  }
  const grads = new Array<number>(m - 2);
  for (let i = 1; i < m - 1; i++) grads[i - 1] = f32(0.5 * f32(l[i + 1] - l[i - 1]));
  const k = argmin(grads) + 1;
  return pick(lrs[k], k, 'ignite');
}
