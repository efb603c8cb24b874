/**
 * Every library's defaults, in one place. The emulations (./emulate), the suggestion methods
 * (./suggest), the range test, the sweep session and the request contracts (src/contracts) read
 * them from here; nothing else writes these numbers down.
 *
 * Sources (read line by line in shared/reference/lrfinder.md):
 * - fastai: fastai/callback/schedule.py `Learner.lr_find`, `LRFinder`; fastai/learner.py `Recorder`, `AvgSmoothLoss`.
 * - torch-lr-finder: davidtvs/pytorch-lr-finder torch_lr_finder/lr_finder.py `LRFinder.range_test`, `LRFinder.plot`.
 * - Lightning: Lightning-AI/pytorch-lightning src/lightning/pytorch/tuner/lr_finder.py `_lr_find`,
 *   `_LRCallback`, `_LRFinder.suggestion`.
 * - keras_lr_finder: surmenok/keras_lr_finder keras_lr_finder/lr_finder.py `LRFinder.on_batch_end`, `get_best_lr`.
 * - ignite: pytorch/ignite ignite/handlers/lr_finder.py `FastaiLRFinder.attach`, `lr_suggestion`.
 */

/** fastai `Learner.lr_find(start_lr=1e-7, end_lr=10, num_it=100, stop_div=True)`, `Recorder(beta=0.98)`. */
export const FASTAI_DEFAULTS = Object.freeze({
  start_lr: 1e-7,
  end_lr: 10,
  num_it: 100,
  /** `LRFinder.__init__`: `if num_it < 6: num_it = 6` (the schedule only; lr_find's trimming keeps the requested
   * num_it) */
  min_num_it: 6,
  stop_div: true,
  /** `AvgSmoothLoss(beta=0.98)` */
  beta: 0.98,
  /** `LRFinder.after_batch`: `if self.smooth_loss > 4*self.best_loss and self.stop_div` (not configurable in fastai) */
  stop_factor: 4,
  /** `lr_find`: `recorder.lrs[num_it//10:-5]`: the front trim is num_it//10, the end trim is 5 (not configurable) */
  skip_end: 5,
  /** `slide(lr_diff=15, thresh=.005, adjust_value=1.)` */
  slide: Object.freeze({ lr_diff: 15, thresh: 0.005, adjust_value: 1 }),
});

/**
 * torch-lr-finder `range_test(start_lr=None, end_lr=10, num_iter=100, step_mode="exp", smooth_f=0.05,
 * diverge_th=5, accumulation_steps=1)` and `plot(skip_start=10, skip_end=5)`. `start_lr=None` means
 * "the optimizer's LR"; a service that has no optimizer uses fastai's 1e-7.
 */
export const TORCH_LR_FINDER_DEFAULTS = Object.freeze({
  start_lr: 1e-7,
  end_lr: 10,
  num_iter: 100,
  step_mode: 'exp' as const,
  smooth_f: 0.05,
  diverge_th: 5,
  accumulation_steps: 1,
  skip_start: 10,
  skip_end: 5,
});

/**
 * Lightning `Tuner.lr_find(min_lr=1e-8, max_lr=1, num_training=100, mode='exponential',
 * early_stop_threshold=4.0)`, `_LRCallback(beta=0.98)` (beta is not exposed), `suggestion(skip_begin=10, skip_end=1)`.
 */
export const LIGHTNING_DEFAULTS = Object.freeze({
  min_lr: 1e-8,
  max_lr: 1,
  num_training: 100,
  mode: 'exponential' as const,
  early_stop_threshold: 4,
  beta: 0.98,
  skip_begin: 10,
  skip_end: 1,
  /** `trainer.global_step` when lr_find starts (0 for a fresh Trainer; > 0 reproduces #4846) */
  global_step: 0,
});

/**
 * keras_lr_finder `get_best_lr(sma, n_skip_beginning=10, n_skip_end=5)` (sma has no default there;
 * 1 here, as `plot_loss_change(sma=1)`), and the stop rule of `on_batch_end`: from `batch > 5`,
 * NaN or `loss > best_loss * 4`, `best_loss` starting at 1e9.
 */
export const KERAS_LR_FINDER_DEFAULTS = Object.freeze({
  sma: 1,
  n_skip_beginning: 10,
  n_skip_end: 5,
  stop_factor: 4,
  /** the stop rule only runs once `batch > 5` (batch = the index within the epoch) */
  stop_after_batch: 5,
  best_loss_init: 1e9,
});

/**
 * ignite `FastaiLRFinder.attach(num_iter=None, start_lr=None, end_lr=10., step_mode="exp",
 * smooth_f=0.05, diverge_th=5.)`; `lr_suggestion()` takes no trimming (it keeps the descending
 * part, `loss[:argmin+1]`, and needs 3 points there).
 */
export const IGNITE_DEFAULTS = Object.freeze({
  start_lr: 1e-7,
  end_lr: 10,
  step_mode: 'exp' as const,
  smooth_f: 0.05,
  diverge_th: 5,
  skip_start: 0,
  skip_end: 0,
  min_descending_points: 3,
});

/** The service's own choices (not a library's). */
export const SERVICE_DEFAULTS = Object.freeze({
  /**
   * The method whose pick is `suggested_lr` when the request names none. Chosen by evidence
   * (bench/suggestion-quality.ts, bench/README.md): against a 13-point LR grid trained to the
   * horizon, fastai's `minimum` (the loss minimum's LR / 10) lands within 1.10× of the grid's best
   * in 44% of 148 runs and within 1.5× in 74%, fastai's own default `valley` in 31% and 59%.
   * `emulate: "fastai"` (or `suggestion: "valley"`) still gives fastai's default.
   */
  suggestion: 'minimum' as const,
  /** a sweep session stops as non_finite after more GradScaler-skipped steps in a row than this */
  max_skipped_steps: 20,
});
