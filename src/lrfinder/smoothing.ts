/**
 * Loss smoothing and the divergence rule of the range test.
 *
 * Source: davidtvs/pytorch-lr-finder, torch_lr_finder/lr_finder.py, `LRFinder.range_test`:
 *   if iteration == 0: best_loss = loss
 *   else:
 *       if smooth_f > 0: loss = smooth_f * loss + (1 - smooth_f) * history["loss"][-1]
 *       if loss < best_loss: best_loss = loss
 *   history["loss"].append(loss)
 *   if loss > diverge_th * best_loss: break        # the diverged point IS recorded
 * An EMA that weights the new sample by smooth_f, seeded with the first raw loss, no bias
 * correction; smooth_f = 0 means "no smoothing" (not "constant").
 */

/** One EMA step exactly as torch-lr-finder writes it (same operation order, so same doubles). */
export function emaStep(prevSmoothed: number, loss: number, smooth_f: number): number {
  if (!(smooth_f > 0)) return loss;
  return smooth_f * loss + (1 - smooth_f) * prevSmoothed;
}

/**
 * The loss above which the run counts as diverged, given the best smoothed loss so far.
 *
 * torch-lr-finder (and fastai, Lightning, keras_lr_finder) test `loss > diverge_th * best`, which
 * misfires once best <= 0: with best = -1 and diverge_th = 5 the threshold is -5, below the best,
 * so the run stops at the first negative point (fastai#962). We use
 *
 *   threshold = best + (diverge_th - 1) * |best|
 *
 * - best > 0: this IS diverge_th * best, and we compute it as `diverge_th * best` so the decision
 *   is bit-identical to torch-lr-finder for every positive loss curve.
 * - best < 0: "the smoothed loss has risen (diverge_th - 1)·|best| above the best", e.g. best = -1,
 *   diverge_th = 5 → stop above 3.
 * - best = 0: threshold 0, any positive smoothed loss stops the run (torch-lr-finder does the same).
 * The threshold is continuous in best through 0, and always >= best for diverge_th >= 1.
 */
export function divergenceThreshold(best: number, diverge_th: number): number {
  if (best > 0) return diverge_th * best;
  return best + (diverge_th - 1) * Math.abs(best);
}

export function hasDiverged(smoothed: number, best: number, diverge_th: number): boolean {
  return smoothed > divergenceThreshold(best, diverge_th);
}
