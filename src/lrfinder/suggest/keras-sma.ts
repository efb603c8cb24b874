/**
 * keras_lr_finder `LRFinder.get_best_lr(sma, n_skip_beginning=10, n_skip_end=5)`
 * (surmenok/keras_lr_finder, keras_lr_finder/lr_finder.py):
 *   def get_derivatives(self, sma):
 *       assert sma >= 1
 *       derivatives = [0] * sma
 *       for i in range(sma, len(self.lrs)): derivatives.append((self.losses[i] - self.losses[i - sma]) / sma)
 *       return derivatives
 *   best_der_idx = np.argmin(derivatives[n_skip_beginning:-n_skip_end])
 *   return self.lrs[n_skip_beginning:-n_skip_end][best_der_idx]
 * A backward difference over `sma` points on the RAW recorded losses (keras_lr_finder does not
 * smooth), in float64 (Python floats; np.argmin on a float64 array: the first NaN wins). The
 * derivatives are computed on the whole curve, then sliced, so a window start < sma sees the zero
 * padding. Python slicing: n_skip_end = 0 is [10:-0], empty, a ValueError in numpy.
 */
import { argmin } from './numeric.js';
import { noSuggestion, pick, type Suggestion } from './types.js';

export function kerasDerivatives(losses: readonly number[], sma: number): number[] {
  const d = new Array<number>(sma).fill(0);
  for (let i = sma; i < losses.length; i++) d.push((losses[i] - losses[i - sma]) / sma);
  return d;
}

/** get_best_lr on the window [start, end) (the Python slice already resolved). */
export function kerasSma(
  lrs: readonly number[],
  losses: readonly number[],
  start: number,
  end: number,
  sma: number,
): Suggestion {
  if (!Number.isInteger(sma) || sma < 1)
    return noSuggestion(`keras_sma: sma must be an integer >= 1 (keras_lr_finder asserts sma >= 1), got ${sma}`);
  const d = kerasDerivatives(losses, sma);
  // derivatives has max(sma, n) entries; its slice [start, end) uses the same bounds as lrs only when sma <= n
  const dEnd = Math.min(end, d.length);
  if (dEnd - start <= 0)
    return noSuggestion('keras_lr_finder: np.argmin of an empty window ("attempt to get argmin of an empty sequence")');
  const k = argmin(d.slice(start, dEnd));
  if (start + k >= end)
    return noSuggestion(`keras_lr_finder: IndexError (sma ${sma} exceeds the curve length ${losses.length})`);
  return pick(lrs[start + k], start + k, 'keras_sma');
}
