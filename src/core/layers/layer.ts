/**
 * The layer contract inside the core. A layer owns its buffers (all from backend.alloc, sized
 * for `capacity` rows at build time); forward/backward take the number of rows actually used
 * (≤ capacity) and never allocate.
 */
import type { Backend, Param } from '../types.js';
import type { ActivationName } from '../spec.js';
import type { Rng } from '../rng.js';
import type { LayerType } from './registry.js';

export interface Layer {
  /** its type: the module of that name in ./registry.ts */
  readonly kind: LayerType;
  /** torch-style module path, e.g. "layers.0" or "layers.2.layers.1" */
  readonly name: string;
  readonly inDim: number;
  readonly outDim: number;
  /** trainable parameters of this layer (not of children) */
  readonly params: Param[];
  /** non-trainable state that snapshot/restore must carry (e.g. BatchNorm running stats) */
  readonly buffers: Float32Array[];
  /** nested layers (residual) */
  readonly children: Layer[];
  /** activation applied at this layer's output (dense/activation), for dead-unit stats */
  readonly activation: ActivationName | null;
  /** the output of the last forward (capacity × outDim) */
  readonly output: Float32Array;
  forward(x: Float32Array, rows: number, train: boolean): Float32Array;
  /** given dL/dy, accumulate nothing: *write* param grads and return dL/dx (or null if not needed) */
  backward(dy: Float32Array, rows: number): Float32Array | null;
}

export interface BuildContext {
  backend: Backend;
  /** maximum rows per forward */
  capacity: number;
  /** weight-init stream */
  initRng: Rng;
  /** dropout-mask stream */
  dropoutRng: Rng;
}

export function makeParam(backend: Backend, name: string, shape: number[], decay: boolean): Param {
  const n = shape.reduce((a, b) => a * b, 1);
  return { name, shape, value: backend.alloc(n), grad: backend.alloc(n), decay };
}
