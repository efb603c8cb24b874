/**
 * The contracts between the parts of the numeric core. Every buffer is a Float32Array
 * obtained from a Backend (so the WebAssembly backend can keep all of them in its linear
 * memory and run kernels without copies); shapes are row-major, batch first.
 */
import type { RngPosition } from './rng.js';

import type { Conv2dGeometry } from './conv/geometry.js';
import type { FusedActivationName } from './kernels/contract.generated.js';

/** Activations a backend's fused dense kernels implement (biasAct / actBackward): the backend contract's. */
export type { FusedActivationName };

/**
 * Optional fused O(n) kernels a backend may offer (the SIMD backend does); the core uses them
 * when present and its plain JS loops otherwise. Same semantics as those loops up to float32
 * rounding. Arrays must come from the backend's `alloc`.
 */
export interface FusedKernels {
  /** torch Adam/AdamW step t (from 1) at lr over n floats, amsgrad=false */
  adam(
    p: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    n: number,
    lr: number,
    step: number,
    o: { beta1: number; beta2: number; eps: number; weight_decay: number; decoupled: boolean },
  ): void;
  /** Σ x[i]² (float64 accumulation) */
  sumSquares(x: Float32Array, n?: number): number;
  /** { diff: Σ(a-b)², ref: Σ b² } */
  diffSquares(a: Float32Array, b: Float32Array, n?: number): { diff: number; ref: number };
  allFinite(x: Float32Array, n?: number): boolean;
  /**
   * z[r,j] += bias[j] (bias null: none), then y = act(z) (y may be z). identity/relu are exact;
   * tanh/sigmoid may be float32 approximations (the SIMD backend's: ≤ 4e-7 from Math.tanh).
   */
  biasAct(
    z: Float32Array,
    y: Float32Array,
    bias: Float32Array | null,
    rows: number,
    cols: number,
    act: FusedActivationName,
  ): void;
  /**
   * dz = dy · act'(z) over n floats; tanh: 1 − y², sigmoid: y(1 − y), with y = act(z) as biasAct
   * computes it (the derivative at the forward's output, as activations.ts)
   */
  actBackward(dy: Float32Array, z: Float32Array, dz: Float32Array, n: number, act: FusedActivationName): void;
  /** db[j] = Σ_r dz[r, j] (writes) */
  sumRows(dz: Float32Array, db: Float32Array, rows: number, cols: number): void;
  /**
   * torch SGD step over n floats (optimizers/sgd.ts sgdUpdate, in float32 arithmetic); optional:
   * the core's JS loop runs when a backend does not offer it
   */
  sgd?(
    p: Float32Array,
    g: Float32Array,
    buf: Float32Array,
    n: number,
    lr: number,
    o: { momentum: number; dampening: number; nesterov: boolean; weight_decay: number },
    firstStep: boolean,
  ): void;
  /**
   * src/core/conv/im2col.ts's im2col (col = the unfold of x's rows [row0, row0+rows)), bit-identical;
   * optional: conv2d runs the TS loop when a backend does not offer it
   */
  im2col?(g: Conv2dGeometry, x: Float32Array, row0: number, rows: number, col: Float32Array): void;
  /** im2col.ts's col2imAdd (dx's rows += the fold of col), bit-identical; optional as im2col */
  col2imAdd?(g: Conv2dGeometry, col: Float32Array, row0: number, rows: number, dx: Float32Array): void;
}

/**
 * Numeric kernels. All arrays passed in must come from this backend's `alloc`. 'native' is the
 * AVX-512 / AVX2 addon that workers/ injects (the core never loads it).
 */
export interface Backend {
  readonly name: 'scalar' | 'simd' | 'native';
  /** fused elementwise kernels, when the backend has them */
  readonly fused?: FusedKernels;
  /** A zero-filled buffer of n floats. Never invalidates buffers allocated before. */
  alloc(n: number): Float32Array;
  /**
   * C[m×n] = op(A)·op(B) (+ C when accumulate), op(X) = X or Xᵀ.
   * op(A) is m×k, op(B) is k×n. A is stored m×k (or k×m when transA), B k×n (or n×k when transB).
   */
  gemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    accumulate: boolean,
  ): void;
}

/** A trainable tensor with its gradient (same length). */
export interface Param {
  name: string;
  shape: number[];
  value: Float32Array;
  grad: Float32Array;
  /** false for biases and norm affine parameters when weight decay should skip them (torch applies it to all by
   * default). */
  decay: boolean;
}

/** Statistics of one layer in one step, for diagnostics (vanishing/exploding gradients, dead ReLUs). */
export interface LayerStats {
  layer: string;
  grad_norm: number;
  weight_norm: number;
  /** ‖Δw‖ / ‖w‖ of the last optimizer step */
  update_ratio: number;
  act_mean: number;
  act_std: number;
  /** fraction of units whose output was exactly 0 over the batch (ReLU family), else 0 */
  dead_fraction: number;
}

export interface StepResult {
  /** mean loss of the minibatch *before* the update (what torch-lr-finder and fastai record) */
  loss: number;
  /** total gradient norm before clipping (torch's clip_grad_norm_ return value) */
  grad_norm: number;
  /** true when the loss or any gradient was NaN/±Inf (the update is then skipped) */
  non_finite: boolean;
}

export interface EvalResult {
  loss: number;
  /** classification accuracy in [0, 1], null for regression */
  accuracy: number | null;
}

/** Per-step settings besides the learning rate. */
export interface StepOptions {
  /**
   * The optimizer's momentum from this step on, as torch's CyclicLR / OneCycleLR write it before
   * the step: SGD / RMSprop `momentum`, Adam / AdamW `beta1`. Throws for Adagrad (it has neither).
   */
  momentum?: number;
}

/** A model bound to its data, loss and optimizer: one call = one optimizer step. */
export interface Trainer {
  readonly numParams: number;
  /** one optimizer step at learning rate lr on the next minibatch */
  step(lr: number, opts?: StepOptions): StepResult;
  /** loss (and accuracy) on a split without updating, in eval mode */
  evaluate(split: 'train' | 'val', maxRows?: number): EvalResult;
  /** per-layer statistics of the last step */
  layerStats(): LayerStats[];
}

/** Re-exported for callers that import all core shapes from here. */
export type { Dataset } from './spec.js';

/** Everything a trainer restores to go back to an earlier point (weights, norm statistics, optimizer state). */
export interface TrainerSnapshot {
  params: Float32Array[];
  buffers: Float32Array[];
  optimizer: Float32Array[];
  optimizer_steps: number;
  /** the optimizer's momentum and momentum-buffer bookkeeping (absent in snapshots from before it existed) */
  optimizer_scalars?: OptimizerScalars;
}

/**
 * A trainer's whole state: its snapshot plus the minibatch order's position (the permutation, the
 * cursor, the shuffle stream) and the dropout stream, so a trainer of the same spec built elsewhere
 * continues where this one stopped, bit for bit.
 */
export interface TrainerPosition extends TrainerSnapshot {
  batches: { epoch: number; cursor: number; perm: Uint32Array };
  shuffle: RngPosition;
  dropout: RngPosition;
}

/** An optimizer's scalar state besides its step count. */
export interface OptimizerScalars {
  /** SGD / RMSprop momentum, Adam / AdamW beta1 at the time; null for Adagrad */
  momentum: number | null;
  /** SGD: the step whose update created the momentum buffer (torch: the first with momentum ≠ 0), 0 = none yet; else 0
   * */
  momentum_buffer_from: number;
}

/** Optional Trainer extensions (the core's createTrainer implements all of them). */
export interface TrainerExtras {
  /** copy of the weights, BatchNorm running statistics and optimizer state */
  snapshot(): TrainerSnapshot;
  /** put back a snapshot taken from this trainer (the data order is not rewound) */
  restore(s: TrainerSnapshot): void;
}
