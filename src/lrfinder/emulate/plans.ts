/**
 * Each library's LR plan: the LR it RECORDS for point i (0-based), the LR the step that produced
 * that point's loss was trained at (what a client loop must use), and how many points it records
 * at most. Python float arithmetic is reproduced operation by operation (JS numbers are IEEE
 * doubles; `**` may differ from C's pow in the last ulp).
 *
 * - fastai `LRFinder.before_batch`: `_update_val(train_iter/num_it)` → SchedExp: `start * (end/start) ** pos`
 *   with num_it raised to 6 when smaller; num_it points (`if self.train_iter >= self.num_it: raise
 *   CancelFitException()` after recording); `end_lr` itself is never reached.
 * - torch-lr-finder `ExponentialLR.get_lr` / `LinearLR.get_lr` (torch >= 1.1):
 *   r = last_epoch / (num_iter - 1); `base_lr * (end_lr / base_lr) ** r`, `base_lr + r * (end_lr - base_lr)`;
 *   recorded before `lr_schedule.step()`; num_iter points.
 * - Lightning `_ExponentialLR.get_lr` / `_LinearLR.get_lr`: r = (last_epoch + 1) / num_iter, but
 *   `if self.last_epoch > 0` else the base LR: lr_0 = min_lr, lr_i = min·(max/min)^((i+1)/N) — the
 *   exponent 1/N is skipped; num_training points.
 * - ignite `FastaiLRFinder`: the ITERATION_COMPLETED handlers run in the order `_reached_num_iterations`,
 *   `_log_lr_and_loss`, `_lr_schedule`, so point i records `get_param()` = `get_lr()` at
 *   last_epoch = i: exp `base·(end/base)^((i+1)/N)` (`_ExponentialLR`); linear `PiecewiseLinear`
 *   milestones [(0, start), (N, end)]: `start + (end - start) * i / N`, `end` from i = N. That value
 *   is then set on the optimizer, so the loss of point i was trained at the LR recorded for i-1
 *   (point 0 at the optimizer's LR after the scheduler's initial step: exp `start·(end/start)^(1/N)`,
 *   linear `start`, when the optimizer starts at start_lr). `trainer.terminate()` at iteration
 *   N+1 still lets that iteration be logged: N+1 points when the data lasts (ignite's own test
 *   `test_num_iter_is_enough`), N when num_iter is None.
 * - keras_lr_finder `on_batch_end`: records `K.get_value(optimizer.lr)` (float32), then
 *   `lr *= self.lr_mult` and stores it back (float32), lr_mult = (end/start)^(1/batches): lr_0 =
 *   float32(start), lr_{i+1} = float32(lr_i · lr_mult) (numpy 1.x, which tf.keras 2 needs, multiplies
 *   in float64); as many points as batches.
 */
import type { ResolvedEmulation } from './options.js';

export interface Plan {
  /** the LR the library records for point i */
  recorded(i: number, o: ResolvedEmulation): number;
  /** the LR point i's loss was trained at */
  applied(i: number, o: ResolvedEmulation): number;
  /** the most points the library records (null: as many as losses are given) */
  maxPoints(o: ResolvedEmulation): number | null;
  /** when the losses run out, the run counts as `completed` from this many points (default: maxPoints) */
  completeAt?(o: ResolvedEmulation): number | null;
}

const expLr = (s: number, e: number, r: number): number => s * (e / s) ** r;
const linLr = (s: number, e: number, r: number): number => s + r * (e - s);

function same(recorded: Plan['recorded'], maxPoints: Plan['maxPoints']): Plan {
  return { recorded, applied: recorded, maxPoints };
}

export const fastaiNumIt = (o: ResolvedEmulation): number => Math.max(o.num_iter ?? 100, 6);

export const PLANS = Object.freeze({
  fastai: same(
    (i, o) => expLr(o.start_lr, o.end_lr, i / fastaiNumIt(o)),
    (o) => fastaiNumIt(o),
  ),
  'torch-lr-finder': same(
    (i, o) => {
      const r = i / ((o.num_iter as number) - 1);
      return o.step_mode === 'exp' ? expLr(o.start_lr, o.end_lr, r) : o.start_lr + r * (o.end_lr - o.start_lr);
    },
    (o) => o.num_iter,
  ),
  lightning: same(
    (i, o) => {
      if (i === 0) return o.start_lr;
      const r = (i + 1) / (o.num_iter as number);
      return o.step_mode === 'exp' ? expLr(o.start_lr, o.end_lr, r) : linLr(o.start_lr, o.end_lr, r);
    },
    (o) => o.num_iter,
  ),
  ignite: {
    recorded(i: number, o: ResolvedEmulation): number {
      const n = igniteN(o, i);
      if (o.step_mode === 'exp') return expLr(o.start_lr, o.end_lr, (i + 1) / n);
      return i >= n ? o.end_lr : o.start_lr + ((o.end_lr - o.start_lr) * i) / n;
    },
    applied(i: number, o: ResolvedEmulation): number {
      return PLANS.ignite.recorded(Math.max(i - 1, 0), o);
    },
    maxPoints: (o: ResolvedEmulation) => (o.num_iter === null ? null : o.num_iter + 1),
    /** a data loader of exactly num_iter batches ends the run normally after num_iter points */
    completeAt: (o: ResolvedEmulation) => o.num_iter,
  } satisfies Plan,
  'keras-lr-finder': same(
    (i, o) => {
      const f32 = Math.fround;
      const batches = o.num_iter ?? o.data_length;
      if (batches === null)
        throw new RangeError('keras-lr-finder: the number of batches (num_iter) is needed to plan the LRs');
      const mult = (o.end_lr / o.start_lr) ** (1 / batches);
      let lr = f32(o.start_lr);
      for (let k = 0; k < i; k++) lr = f32(lr * mult);
      return lr;
    },
    (o) => o.num_iter,
  ),
} satisfies Record<string, Plan>);

/** ignite's N: num_iter, or (None) the number of points, which the caller must know: i + 1 at least. */
function igniteN(o: ResolvedEmulation, i: number): number {
  if (o.num_iter !== null) return o.num_iter;
  if (o.data_length !== null) return o.data_length;
  throw new RangeError(
    `ignite: num_iter=None needs the number of iterations (the data loader's length) to plan point ${i}; give num_iter`,
  );
}

/**
 * The LRs points 0 … n-1 are trained at (`applied`), in one pass: keras_lr_finder's plan compounds
 * (lr_{i+1} = float32(lr_i · lr_mult)), so its `recorded(i)` costs i steps; here it costs one.
 */
export function appliedLrs(o: ResolvedEmulation, n: number): number[] {
  if (o.lrs !== null) return o.lrs.slice(0, n);
  if (o.library !== 'keras-lr-finder') return Array.from({ length: n }, (_, i) => PLANS[o.library].applied(i, o));
  const out: number[] = [];
  const batches = o.num_iter ?? o.data_length;
  if (batches === null)
    throw new RangeError('keras-lr-finder: the number of batches (num_iter) is needed to plan the LRs');
  const mult = (o.end_lr / o.start_lr) ** (1 / batches);
  for (let i = 0, lr = Math.fround(o.start_lr); i < n; i++, lr = Math.fround(lr * mult)) out.push(lr);
  return out;
}
