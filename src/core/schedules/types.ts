/**
 * TypeScript shapes of schedule specs: `{type, lr, ...keyword arguments verbatim}`.
 * Children of SequentialLR / ChainedScheduler are the same specs without `lr` (they share the
 * optimizer's). optax specs carry their own values and have no `lr`. Runtime validation lives in
 * the builders; these types document the accepted names and their Python defaults.
 */

type WithLr<T> = T & { lr: number };

/** PyTorch scheduler kwargs (torch.optim.lr_scheduler), defaults in comments. */
export type TorchChildSpec =
  | { type: 'StepLR'; step_size: number; gamma?: number /* 0.1 */ }
  | { type: 'MultiStepLR'; milestones: number[]; gamma?: number /* 0.1 */ }
  | { type: 'ConstantLR'; factor?: number /* 1/3 */; total_iters?: number /* 5 */ }
  | { type: 'LinearLR'; start_factor?: number /* 1/3 */; end_factor?: number /* 1 */; total_iters?: number /* 5 */ }
  | { type: 'ExponentialLR'; gamma: number }
  | { type: 'PolynomialLR'; total_iters?: number /* 5 */; power?: number /* 1 */ }
  | { type: 'CosineAnnealingLR'; T_max: number; eta_min?: number /* 0 */ }
  | { type: 'CosineAnnealingWarmRestarts'; T_0: number; T_mult?: number /* 1 */; eta_min?: number /* 0 */ }
  | { type: 'MultiplicativeLR'; factor: number }
  | {
      type: 'CyclicLR';
      base_lr: number;
      max_lr: number;
      step_size_up?: number /* 2000 */;
      step_size_down?: number | null;
      mode?: 'triangular' | 'triangular2' | 'exp_range';
      gamma?: number /* 1 */;
      scale_mode?: 'cycle' | 'iterations';
      cycle_momentum?: boolean /* true */;
      base_momentum?: number /* 0.8 */;
      max_momentum?: number /* 0.9 */;
    }
  | {
      type: 'OneCycleLR';
      max_lr: number;
      total_steps?: number | null;
      epochs?: number | null;
      steps_per_epoch?: number | null;
      pct_start?: number /* 0.3 */;
      anneal_strategy?: 'cos' | 'linear';
      cycle_momentum?: boolean /* true */;
      base_momentum?: number /* 0.85 */;
      max_momentum?: number /* 0.95 */;
      div_factor?: number /* 25 */;
      final_div_factor?: number /* 1e4 */;
      three_phase?: boolean /* false */;
    }
  | { type: 'SequentialLR'; schedulers: ChildSpec[]; milestones: number[] }
  | { type: 'ChainedScheduler'; schedulers: ChildSpec[] };

export interface PlateauKwargs {
  mode?: 'min' | 'max';
  factor?: number /* 0.1 */;
  patience?: number /* 10 */;
  threshold?: number /* 1e-4 */;
  threshold_mode?: 'rel' | 'abs';
  cooldown?: number /* 0 */;
  min_lr?: number | [number] /* 0 */;
  eps?: number /* 1e-8 */;
}

export type TorchScheduleSpec =
  | WithLr<TorchChildSpec>
  | Omit<Extract<TorchChildSpec, { type: 'CyclicLR' | 'OneCycleLR' }>, never> // lr optional: they set it
  | ({ type: 'ReduceLROnPlateau'; lr: number } & PlateauKwargs);

interface Warmup {
  num_warmup_steps: number;
}
interface Training {
  num_training_steps: number;
}
interface MinLr {
  min_lr?: number | null;
  min_lr_rate?: number | null;
}

/** transformers schedules by `lr_scheduler_type` name or function name (without lr when a child). */
export type TransformersChildSpec =
  | { type: 'constant' | 'get_constant_schedule'; num_warmup_steps?: 0 | null; num_training_steps?: number | null }
  | ({
      type: 'constant_with_warmup' | 'get_constant_schedule_with_warmup';
      num_training_steps?: number | null;
    } & Warmup)
  | ({ type: 'linear' | 'get_linear_schedule_with_warmup' } & Warmup & Training)
  | ({ type: 'cosine' | 'get_cosine_schedule_with_warmup'; num_cycles?: number /* 0.5 */ } & Warmup & Training)
  | ({
      type: 'cosine_with_restarts' | 'get_cosine_with_hard_restarts_schedule_with_warmup';
      num_cycles?: number; /* 1 */
    } & Warmup &
      Training)
  | ({
      type: 'polynomial' | 'get_polynomial_decay_schedule_with_warmup';
      lr_end?: number /* 1e-7 */;
      power?: number; /* 1 */
    } & Warmup &
      Training)
  | ({ type: 'inverse_sqrt'; num_training_steps?: number | null } & Warmup)
  | ({ type: 'get_inverse_sqrt_schedule'; timescale?: number | null /* num_warmup_steps or 10_000 */ } & Warmup)
  | ({ type: 'cosine_with_min_lr' | 'get_cosine_with_min_lr_schedule_with_warmup'; num_cycles?: number } & Warmup &
      Training &
      MinLr)
  | ({
      type: 'cosine_warmup_with_min_lr' | 'get_cosine_with_min_lr_schedule_with_warmup_lr_rate';
      num_cycles?: number;
      warmup_lr_rate?: number | null;
    } & Warmup &
      Training &
      MinLr)
  | ({
      type: 'warmup_stable_decay' | 'get_wsd_schedule';
      num_decay_steps: number;
      num_training_steps?: number | null;
      num_stable_steps?: number | null;
      warmup_type?: 'linear' | 'cosine' | '1-sqrt';
      decay_type?: 'linear' | 'cosine' | '1-sqrt';
      min_lr_ratio?: number /* 0 */;
      num_cycles?: number /* 0.5 */;
    } & Warmup)
  | ({
      type: 'reduce_lr_on_plateau' | 'get_reduce_on_plateau_schedule';
      num_warmup_steps?: number;
      num_training_steps?: number;
    } & PlateauKwargs);

export type TransformersScheduleSpec = WithLr<TransformersChildSpec>;

/** A child of SequentialLR / ChainedScheduler: a PyTorch or transformers spec without `lr`. */
export type ChildSpec = TorchChildSpec | TransformersChildSpec;

/** optax schedule functions (optax.schedules), float32 values. */
export type OptaxScheduleSpec =
  | { type: 'constant_schedule'; value: number }
  | {
      type: 'polynomial_schedule';
      init_value: number;
      end_value: number;
      power: number;
      transition_steps: number;
      transition_begin?: number;
    }
  | {
      type: 'linear_schedule';
      init_value: number;
      end_value: number;
      transition_steps: number;
      transition_begin?: number;
    }
  | { type: 'piecewise_constant_schedule'; init_value: number; boundaries_and_scales?: Record<string, number> | null }
  | {
      type: 'exponential_decay';
      init_value: number;
      transition_steps: number;
      decay_rate: number;
      transition_begin?: number;
      staircase?: boolean;
      end_value?: number | null;
    }
  | { type: 'cosine_decay_schedule'; init_value: number; decay_steps: number; alpha?: number; exponent?: number }
  | {
      type: 'piecewise_interpolate_schedule';
      interpolate_type: 'linear' | 'cosine';
      init_value: number;
      boundaries_and_scales?: Record<string, number> | null;
    }
  | {
      type: 'linear_onecycle_schedule';
      transition_steps: number;
      peak_value: number;
      pct_start?: number;
      pct_final?: number;
      div_factor?: number;
      final_div_factor?: number;
    }
  | {
      type: 'cosine_onecycle_schedule';
      transition_steps: number;
      peak_value: number;
      pct_start?: number;
      div_factor?: number;
      final_div_factor?: number;
    }
  | { type: 'warmup_constant_schedule'; init_value: number; peak_value: number; warmup_steps: number }
  | (WarmupCosineDecayKwargs & { type: 'warmup_cosine_decay_schedule' })
  | {
      type: 'warmup_exponential_decay_schedule';
      init_value: number;
      peak_value: number;
      warmup_steps: number;
      transition_steps: number;
      decay_rate: number;
      transition_begin?: number;
      staircase?: boolean;
      end_value?: number | null;
    }
  | { type: 'sgdr_schedule'; cosine_kwargs: WarmupCosineDecayKwargs[] }
  | { type: 'join_schedules'; schedules: OptaxScheduleSpec[]; boundaries: number[] };

export interface WarmupCosineDecayKwargs {
  init_value: number;
  peak_value: number;
  warmup_steps: number;
  decay_steps: number;
  end_value?: number;
  exponent?: number;
}

export type ScheduleSpec = TorchScheduleSpec | TransformersScheduleSpec | OptaxScheduleSpec;
