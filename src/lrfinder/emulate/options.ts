/**
 * The options of an emulated library run, in one vocabulary (torch-lr-finder's names, the
 * service's wire convention), each library's defaults filled from ../defaults.ts.
 *
 * | option          | fastai `lr_find`       | torch-lr-finder        | Lightning `lr_find`          | keras_lr_finder            | ignite `attach`      |
 * |-----------------|------------------------|------------------------|------------------------------|----------------------------|----------------------|
 * | start_lr        | start_lr (1e-7)        | start_lr (1e-7¹)       | min_lr (1e-8)                | start_lr (1e-7²)           | start_lr (1e-7¹)     |
 * | end_lr          | end_lr (10)            | end_lr (10)            | max_lr (1)                   | end_lr (10²)               | end_lr (10)          |
 * | num_iter        | num_it (100)           | num_iter (100)         | num_training (100)           | batches (100²)             | num_iter (None³)     |
 * | step_mode       | exp only               | step_mode (exp)        | mode (exponential)           | exp only                   | step_mode (exp)      |
 * | smooth_f        | —                      | smooth_f (0.05)        | —                            | —                          | smooth_f (0.05)      |
 * | beta            | Recorder beta (0.98)   | —                      | _LRCallback beta (0.98)      | —                          | —                    |
 * | diverge_th      | 4 (null: stop_div=False) | diverge_th (5)       | early_stop_threshold (4; null) | 4 (fixed)                | diverge_th (5)       |
 * | global_step     | —                      | —                      | trainer.global_step (0)      | —                          | —                    |
 * | steps_per_epoch | —                      | —                      | —                            | batches per epoch (all)    | —                    |
 *
 * ¹ None there means "the optimizer's LR"; the emulation needs a number. ² keras_lr_finder has no
 * defaults (`find(x, y, start_lr, end_lr)`, batches = epochs·N/batch_size); ³ None means "the
 * whole data loader": here, every loss given. `lrs` replaces the library's plan with the caller's
 * recorded LRs (the picks are then the caller's numbers).
 */
import {
  FASTAI_DEFAULTS,
  IGNITE_DEFAULTS,
  KERAS_LR_FINDER_DEFAULTS,
  LIGHTNING_DEFAULTS,
  TORCH_LR_FINDER_DEFAULTS,
} from '../defaults.js';
import type { StepMode } from '../lr-plan.js';
import type { LibraryName } from '../suggest/registry.js';

export interface EmulationOptions {
  start_lr?: number;
  end_lr?: number;
  num_iter?: number | null;
  step_mode?: StepMode;
  smooth_f?: number;
  beta?: number;
  diverge_th?: number | null;
  global_step?: number;
  steps_per_epoch?: number | null;
  /** the LR of each recorded point, instead of the library's plan */
  lrs?: readonly number[];
}

export interface ResolvedEmulation {
  library: LibraryName;
  start_lr: number;
  end_lr: number;
  /** null: as many points as losses are given (ignite's num_iter=None, keras's data length) */
  num_iter: number | null;
  step_mode: StepMode;
  smooth_f: number;
  beta: number;
  diverge_th: number | null;
  global_step: number;
  steps_per_epoch: number | null;
  lrs: readonly number[] | null;
  /** the number of losses given, for libraries whose run length is the data's (ignite num_iter=None, keras) */
  data_length: number | null;
}

const DEFAULTS: Readonly<Record<LibraryName, Omit<ResolvedEmulation, 'library' | 'lrs' | 'data_length'>>> =
  Object.freeze({
    fastai: {
      start_lr: FASTAI_DEFAULTS.start_lr,
      end_lr: FASTAI_DEFAULTS.end_lr,
      num_iter: FASTAI_DEFAULTS.num_it,
      step_mode: 'exp',
      smooth_f: 0,
      beta: FASTAI_DEFAULTS.beta,
      diverge_th: FASTAI_DEFAULTS.stop_factor,
      global_step: 0,
      steps_per_epoch: null,
    },
    'torch-lr-finder': {
      start_lr: TORCH_LR_FINDER_DEFAULTS.start_lr,
      end_lr: TORCH_LR_FINDER_DEFAULTS.end_lr,
      num_iter: TORCH_LR_FINDER_DEFAULTS.num_iter,
      step_mode: TORCH_LR_FINDER_DEFAULTS.step_mode,
      smooth_f: TORCH_LR_FINDER_DEFAULTS.smooth_f,
      beta: 0,
      diverge_th: TORCH_LR_FINDER_DEFAULTS.diverge_th,
      global_step: 0,
      steps_per_epoch: null,
    },
    lightning: {
      start_lr: LIGHTNING_DEFAULTS.min_lr,
      end_lr: LIGHTNING_DEFAULTS.max_lr,
      num_iter: LIGHTNING_DEFAULTS.num_training,
      step_mode: 'exp',
      smooth_f: 0,
      beta: LIGHTNING_DEFAULTS.beta,
      diverge_th: LIGHTNING_DEFAULTS.early_stop_threshold,
      global_step: LIGHTNING_DEFAULTS.global_step,
      steps_per_epoch: null,
    },
    'keras-lr-finder': {
      start_lr: FASTAI_DEFAULTS.start_lr,
      end_lr: FASTAI_DEFAULTS.end_lr,
      num_iter: null,
      step_mode: 'exp',
      smooth_f: 0,
      beta: 0,
      diverge_th: KERAS_LR_FINDER_DEFAULTS.stop_factor,
      global_step: 0,
      steps_per_epoch: null,
    },
    ignite: {
      start_lr: IGNITE_DEFAULTS.start_lr,
      end_lr: IGNITE_DEFAULTS.end_lr,
      num_iter: null,
      step_mode: IGNITE_DEFAULTS.step_mode,
      smooth_f: IGNITE_DEFAULTS.smooth_f,
      beta: 0,
      diverge_th: IGNITE_DEFAULTS.diverge_th,
      global_step: 0,
      steps_per_epoch: null,
    },
  });

/** The library's defaults for every option the caller left out. */
export function emulationDefaults(library: LibraryName): Omit<ResolvedEmulation, 'library' | 'lrs' | 'data_length'> {
  return { ...DEFAULTS[library] };
}

/** Fills the defaults and checks what the library itself would reject; throws RangeError. */
export function resolveEmulation(library: LibraryName, o: EmulationOptions = {}): ResolvedEmulation {
  const d = DEFAULTS[library];
  if (d === undefined) throw new RangeError(`unknown library "${String(library)}"`);
  const r: ResolvedEmulation = {
    library,
    start_lr: o.start_lr ?? d.start_lr,
    end_lr: o.end_lr ?? d.end_lr,
    num_iter: o.num_iter === undefined ? d.num_iter : o.num_iter,
    step_mode: o.step_mode ?? d.step_mode,
    smooth_f: o.smooth_f ?? d.smooth_f,
    beta: o.beta ?? d.beta,
    diverge_th: o.diverge_th === undefined ? d.diverge_th : o.diverge_th,
    global_step: o.global_step ?? d.global_step,
    steps_per_epoch: o.steps_per_epoch === undefined ? d.steps_per_epoch : o.steps_per_epoch,
    lrs: o.lrs ?? null,
    data_length: null,
  };
  checkEmulation(r);
  return r;
}

function checkEmulation(r: ResolvedEmulation): void {
  const fail = (m: string): never => {
    throw new RangeError(`${r.library}: ${m}`);
  };
  if (!(r.start_lr > 0) || !Number.isFinite(r.start_lr))
    fail(`start_lr must be a finite number > 0, got ${r.start_lr}`);
  if (!Number.isFinite(r.end_lr) || !(r.end_lr > 0)) fail(`end_lr must be a finite number > 0, got ${r.end_lr}`);
  if (r.num_iter !== null && (!Number.isInteger(r.num_iter) || r.num_iter < 1))
    fail(`num_iter must be an integer >= 1, got ${r.num_iter}`);
  if (r.step_mode !== 'exp' && r.step_mode !== 'linear')
    fail(`step_mode must be "exp" or "linear", got ${String(r.step_mode)}`);
  if ((r.library === 'fastai' || r.library === 'keras-lr-finder') && r.step_mode !== 'exp')
    fail('has an exponential schedule only (step_mode "exp")');
  if (r.library === 'torch-lr-finder' && r.num_iter !== null && r.num_iter < 2)
    fail('"`num_iter` must be larger than 1" (torch-lr-finder ValueError)');
  if (r.library === 'torch-lr-finder' && r.num_iter === null) fail('num_iter is required');
  if ((r.library === 'torch-lr-finder' || r.library === 'ignite') && !(r.smooth_f >= 0 && r.smooth_f < 1))
    fail(`smooth_f must be in [0, 1), got ${r.smooth_f}`);
  if ((r.library === 'fastai' || r.library === 'lightning') && !(r.beta >= 0 && r.beta < 1))
    fail(`beta must be in [0, 1), got ${r.beta}`);
  if (r.library === 'ignite' && r.diverge_th !== null && r.diverge_th < 1)
    fail('"diverge_th should be larger than 1" (ignite ValueError)');
  if (
    r.diverge_th === null &&
    (r.library === 'torch-lr-finder' || r.library === 'ignite' || r.library === 'keras-lr-finder')
  )
    fail('diverge_th cannot be null (the library always applies its stop rule)');
  if (r.library === 'ignite' && r.start_lr >= r.end_lr) fail('"start_lr must be less than end_lr" (ignite ValueError)');
  if (!Number.isInteger(r.global_step) || r.global_step < 0)
    fail(`global_step must be an integer >= 0, got ${r.global_step}`);
  if (r.steps_per_epoch !== null && (!Number.isInteger(r.steps_per_epoch) || r.steps_per_epoch < 1))
    fail(`steps_per_epoch must be an integer >= 1, got ${r.steps_per_epoch}`);
  if (r.lrs !== null) {
    for (let i = 0; i < r.lrs.length; i++)
      if (!(r.lrs[i] > 0) || !Number.isFinite(r.lrs[i])) fail(`lrs[${i}] must be a finite number > 0, got ${r.lrs[i]}`);
  }
}
