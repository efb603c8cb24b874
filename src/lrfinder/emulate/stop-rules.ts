/**
 * Each library's stop rule, applied after a point is recorded (every library records the point
 * that stops it). `best` starts at the library's initial value and is updated in the library's order.
 *
 * - fastai `LRFinder.after_batch` (after Recorder): `if smooth_loss < best_loss: best_loss = smooth_loss;
 *   if smooth_loss > 4*best_loss and stop_div: raise CancelFitException()`; best starts at inf;
 *   float32 tensors (4*best rounds to float32). Comparisons with NaN are false: a NaN never stops it.
 * - torch-lr-finder `range_test` / ignite `_log_lr_and_loss`: `if iteration == 0: best = loss`
 *   (even a NaN) `else: if loss < best: best = loss`; then `if loss > diverge_th * best: break`.
 * - Lightning `_LRCallback`: `if early_stop_threshold is not None and current_step > 1 and
 *   smoothed > early_stop_threshold * best: should_stop`; THEN `if smoothed < best or
 *   current_step == 1: best = smoothed`; best starts at 0.0, so with global_step > 0 at the start
 *   the first positive point stops the run (Lightning #4846).
 * - keras_lr_finder `on_batch_end`: `if batch > 5 and (math.isnan(loss) or loss > best_loss * 4):
 *   stop_training = True; return` then `if loss < best_loss: best_loss = loss`; best starts at 1e9;
 *   `batch` is the index within the epoch.
 */
import type { ResolvedEmulation } from './options.js';

export type EmulationStop = 'diverged' | 'non_finite' | null;

export interface StopRule {
  initialBest: number;
  /** point i (0-based) was recorded with value v: the new best and whether the run stops */
  step(best: number, v: number, i: number, o: ResolvedEmulation): { best: number; stop: EmulationStop };
}

const f32 = Math.fround;

export const STOP_RULES = Object.freeze({
  fastai: {
    initialBest: Infinity,
    step(best, v, _i, o) {
      const b = v < best ? v : best;
      const stop = o.diverge_th !== null && v > f32(f32(o.diverge_th) * b) ? 'diverged' : null;
      return { best: b, stop };
    },
  },
  torch: {
    initialBest: NaN,
    step(best, v, i, o) {
      const b = i === 0 ? v : v < best ? v : best;
      return { best: b, stop: v > (o.diverge_th as number) * b ? 'diverged' : null };
    },
  },
  lightning: {
    initialBest: 0,
    step(best, v, i, o) {
      const currentStep = o.global_step + i + 1;
      const stop = o.diverge_th !== null && currentStep > 1 && v > o.diverge_th * best ? 'diverged' : null;
      const b = v < best || currentStep === 1 ? v : best;
      return { best: b, stop };
    },
  },
  keras: {
    initialBest: 1e9,
    step(best, v, i, o) {
      const batch = o.steps_per_epoch === null ? i : i % o.steps_per_epoch;
      if (batch > 5 && (Number.isNaN(v) || v > best * (o.diverge_th as number))) {
        return { best, stop: Number.isNaN(v) ? 'non_finite' : 'diverged' };
      }
      return { best: v < best ? v : best, stop: null };
    },
  },
} satisfies Record<string, StopRule>);
