/**
 * The numeric backend for one trainer: WebAssembly SIMD (fused kernels, sized exactly from the
 * spec with the core's own `trainerFloats`), or the scalar reference when LRF_BACKEND=scalar.
 */
import { createScalarBackend } from '../src/core/kernels/scalar.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import type { TrainSpec } from '../src/core/spec.js';
import { trainerFloats } from '../src/core/trainer.js';
import type { Backend } from '../src/core/types.js';

export interface BackendShape {
  features: number;
  outputs: number;
  task: 'classification' | 'regression';
  /** an upper bound of the training rows */
  rows: number;
}

export function chooseBackend(spec: TrainSpec, shape: BackendShape): Backend {
  if (process.env.LRF_BACKEND === 'scalar') return createScalarBackend();
  const { floats, allocations } = trainerFloats(spec, shape.features, shape.outputs, shape.task, shape.rows);
  // the SIMD backend pads every allocation to a multiple of 4 floats
  return createSimdBackend(floats + 4 * allocations + 1024);
}
