/**
 * Plain TypeScript shapes of what the numeric core trains: a model, the data, the loss,
 * the optimizer and the training options. These are the *resolved* forms (every default
 * filled in by the API layer from src/contracts); the core never sees optional fields it
 * has to guess about. Names follow torch.nn / torch.optim so a PyTorch user reads them as-is.
 */
import type { OptimizerArgs } from './optimizers/arguments.js';
import type { OptimizerName } from './optimizers/registry.js';

/** Activation names follow torch.nn (lower-case function names). */
export type ActivationName =
  'identity' | 'relu' | 'leaky_relu' | 'elu' | 'gelu' | 'silu' | 'tanh' | 'sigmoid' | 'softplus';

/** Initializer names follow torch.nn.init (without the trailing underscore). */
export type InitName =
  | 'uniform'
  | 'normal'
  | 'constant'
  | 'zeros'
  | 'ones'
  | 'xavier_uniform'
  | 'xavier_normal'
  | 'kaiming_uniform'
  | 'kaiming_normal'
  | 'orthogonal'
  | 'trunc_normal'
  | 'default';

export interface InitSpec {
  name: InitName;
  /** kaiming: negative slope of the rectifier after this layer (torch's `a`). */
  a?: number;
  mode?: 'fan_in' | 'fan_out';
  nonlinearity?: string;
  gain?: number;
  /** uniform / trunc_normal bounds under torch's names: uniform_(a, b), trunc_normal_(a, b) (for kaiming, `a` is the
   * slope) */
  b?: number;
  /** uniform / trunc_normal bounds under explicit names (win over a/b); normal / trunc_normal: mean, std; constant:
   * val. */
  low?: number;
  high?: number;
  mean?: number;
  std?: number;
  val?: number;
}

/** A resolved layer: the union of the layer modules' specs (src/core/layers/registry.ts). */
export type { LayerSpec } from './layers/registry.js';
import type { LayerSpec } from './layers/registry.js';

export interface ModelSpec {
  layers: LayerSpec[];
}

export type Task = 'classification' | 'regression';

/** A dataset in memory: row-major features, one label (class index or target) per row. */
export interface Dataset {
  name: string;
  task: Task;
  /** rows × features, row-major */
  x: Float32Array;
  /** classification: class index per row; regression: targets, rows × outputs */
  y: Float32Array;
  rows: number;
  features: number;
  /**
   * the shape of one row when the data has one, e.g. [channels, height, width] = [1, 28, 28] for
   * mnist (its product is `features`); absent = flat, [features]. The
   * model reads it so when it starts with an image layer (modelInput in ./model.ts).
   */
  shape?: number[];
  /** classification: number of classes; regression: number of outputs */
  outputs: number;
}

export type BuiltinDatasetName = 'spirals' | 'moons' | 'circles' | 'blobs' | 'xor' | 'sine' | 'iris' | 'mnist';

/** Where the rows come from, set by resolution (src/contracts/train-spec.ts): what a DataSpec is told apart by. */
export type DataSource = 'builtin' | 'inline' | 'upload';

export type DataSpec =
  | {
      source: 'builtin';
      name: BuiltinDatasetName;
      n_samples: number;
      noise: number;
      seed: number;
      val_fraction: number;
      standardize: boolean;
      classes?: number;
      features?: number;
    }
  | { source: 'inline'; inline: { x: number[][]; y: number[]; task: Task }; val_fraction: number; standardize: boolean }
  /** an uploaded dataset: its rows come from the caller as createTrainer(spec, { dataset }); split by the training
   * seed, as inline data */
  | { source: 'upload'; dataset_id: string; task: Task; val_fraction: number; standardize: boolean };

export type LossName = 'cross_entropy' | 'bce_with_logits' | 'mse' | 'huber' | 'smooth_l1';

export interface LossSpec {
  name: LossName;
  label_smoothing?: number;
  /** huber: delta; smooth_l1: beta */
  delta?: number;
  beta?: number;
}

export type { OptimizerName } from './optimizers/registry.js';

/** torch.optim keyword arguments, verbatim (./optimizers/arguments.ts). Unused ones are ignored by an optimizer. */
export interface OptimizerSpec extends OptimizerArgs {
  type: OptimizerName;
  lr: number;
}

export interface ClipSpec {
  /** clip_grad_norm_(max_norm, norm_type) when set */
  max_norm: number | null;
  norm_type: number;
  error_if_nonfinite: boolean;
  /** clip_grad_value_(clip_value) when set */
  clip_value: number | null;
}

export interface TrainSpec {
  model: ModelSpec;
  data: DataSpec;
  loss: LossSpec;
  optimizer: OptimizerSpec;
  batch_size: number;
  clip: ClipSpec;
  seed: number;
}
