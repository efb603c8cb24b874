/**
 * Each library's loss smoothing, one reported loss at a time. State is a few floats (kept exactly,
 * NaN and ±Infinity included).
 *
 * - fastai `AvgSmoothLoss(beta=0.98)` (fastai/learner.py): `count += 1;
 *   val = torch.lerp(to_detach(learn.loss.mean()), val, beta)`; `value = val / (1 - beta**count)`.
 *   float32 tensors: torch.lerp(start, end, w) with w >= 0.5 computes `end - (end - start) * (1 - w)`
 *   (aten/src/ATen/native/Lerp.h) in float32, w = float32(beta), the multiply-subtract fused (one
 *   rounding: FMA, as torch's CPU build does — verified against python3-torch); the
 *   division by the Python float `1 - beta**count` rounds it to float32 first (CPU kernels). A +inf
 *   loss gives inf, and the next finite loss inf - inf = NaN. fastai's recorded loss is this value.
 * - torch-lr-finder `range_test` (and ignite `_log_lr_and_loss`): the first loss as is; then
 *   `smooth_f * loss + (1 - smooth_f) * history[-1]` when smooth_f > 0. Python floats, no bias correction.
 * - Lightning `_LRCallback.on_train_batch_end`: `avg_loss = beta * avg_loss + (1 - beta) * loss;
 *   smoothed = avg_loss / (1 - beta ** (current_step + 1))` with current_step = trainer.global_step
 *   ALREADY incremented (1 on the first batch): an off-by-one bias correction, so the curve starts
 *   near half the first loss and ramps up. Python floats.
 * - keras_lr_finder: none (`logs['loss']` as is).
 */
import { fmaF32 } from '../suggest/numeric.js';
import type { ResolvedEmulation } from './options.js';

export interface SmoothState {
  /** points smoothed so far */
  count: number;
  /** fastai: the float32 EMA `val`; Lightning: `avg_loss`; torch-lr-finder / ignite: the previous smoothed loss */
  acc: number;
}

export interface Smoother {
  /** the smoothed (recorded) value of point state.count, and the next state */
  step(s: SmoothState, loss: number, o: ResolvedEmulation): { state: SmoothState; value: number };
}

const f32 = Math.fround;

export const SMOOTHERS = Object.freeze({
  fastai: {
    step(s, loss, o) {
      const w = f32(o.beta);
      const start = f32(loss);
      const end = s.acc;
      const val = fmaF32(-f32(1 - w), f32(end - start), end);
      const count = s.count + 1;
      return { state: { count, acc: val }, value: f32(val / f32(1 - o.beta ** count)) };
    },
  },
  ema: {
    step(s, loss, o) {
      const value = s.count === 0 || !(o.smooth_f > 0) ? loss : o.smooth_f * loss + (1 - o.smooth_f) * s.acc;
      return { state: { count: s.count + 1, acc: value }, value };
    },
  },
  lightning: {
    step(s, loss, o) {
      const acc = o.beta * s.acc + (1 - o.beta) * loss;
      const currentStep = o.global_step + s.count + 1;
      return { state: { count: s.count + 1, acc }, value: acc / (1 - o.beta ** (currentStep + 1)) };
    },
  },
  none: {
    step(s, loss) {
      return { state: { count: s.count + 1, acc: loss }, value: loss };
    },
  },
} satisfies Record<string, Smoother>);
