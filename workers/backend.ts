/**
 * The numeric backend for one trainer, chosen by LRF_BACKEND:
 *   unset   native (AVX-512 / AVX2 addon) when it loads, else WebAssembly SIMD (the fallback)
 *   native  the addon; an error when it cannot be loaded
 *   simd | wasm  WebAssembly SIMD (fused kernels, sized exactly from the spec with `trainerFloats`)
 *   scalar  the readable reference kernels
 * Results are deterministic per backend (same request, same backend → same bits); different
 * backends agree to float32 rounding.
 */
import { createScalarBackend } from '../src/core/kernels/scalar.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import type { TrainSpec } from '../src/core/spec.js';
import { trainerFloats } from '../src/core/trainer.js';
import type { Backend } from '../src/core/types.js';
import { createNativeBackend, loadNative } from './native-backend.js';

export interface BackendShape {
  features: number;
  outputs: number;
  task: 'classification' | 'regression';
  /** an upper bound of the training rows */
  rows: number;
  /** one row's [channels, height, width] for image data (the model may read it so: modelInput) */
  shape?: readonly number[];
}

export type BackendName = 'native' | 'simd' | 'scalar';

/** What this process trains on, and why (logged at worker start, shown on /readyz and in job results). */
export interface BackendInfo {
  backend: BackendName;
  /** native: the instruction set (avx512 | avx2) */
  isa: string | null;
  /** why the native backend is not used (null when it is, or when another one was asked for) */
  fallback_reason: string | null;
}

const NAMES = ['native', 'simd', 'wasm', 'scalar'];

/** The backend LRF_BACKEND (and the addon's availability) selects; throws for an unknown name or an unavailable native.
 * */
export function backendInfo(env: Record<string, string | undefined> = process.env): BackendInfo {
  const want = env.LRF_BACKEND || '';
  if (want !== '' && !NAMES.includes(want))
    throw new Error(`LRF_BACKEND must be one of ${NAMES.join(', ')}, got '${want}'`);
  if (want === 'scalar') return { backend: 'scalar', isa: null, fallback_reason: null };
  if (want === 'simd' || want === 'wasm') return { backend: 'simd', isa: null, fallback_reason: null };
  const load = loadNative(env);
  if (load.ok) return { backend: 'native', isa: load.isa, fallback_reason: null };
  if (want === 'native') throw new Error(`LRF_BACKEND=native but the native backend is not available: ${load.reason}`);
  return { backend: 'simd', isa: null, fallback_reason: load.reason };
}

export function chooseBackend(spec: TrainSpec, shape: BackendShape): Backend {
  const info = backendInfo();
  if (info.backend === 'scalar') return createScalarBackend();
  if (info.backend === 'native') {
    const load = loadNative();
    if (load.ok) return createNativeBackend(load);
  }
  const { floats, allocations } = trainerFloats(spec, shape, shape.outputs, shape.task, shape.rows);
  // the SIMD backend pads every allocation to a multiple of 4 floats
  return createSimdBackend(floats + 4 * allocations + 1024);
}
