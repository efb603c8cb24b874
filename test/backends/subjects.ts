/**
 * The backends the conformance suite runs against, each behind one face (`Subject`), as BullMQ runs
 * one suite against every Redis connection: scalar (the core's own JS loops: scalar.ts's GEMM and the
 * loops the core runs when a backend has no fused kernel), WebAssembly SIMD, and native at each
 * instruction set (AVX-512, AVX2). One that this host cannot run is skipped with the reason: a CPU/OS
 * without the ISA (or LRF_NATIVE_MAX_ISA hiding it), or no C compiler to build the addon. A compiler
 * without a working addon is no reason: the native subjects then fail.
 */
import { ACTIVATIONS, activationBackward, activationForward } from '../../src/core/activations.js';
import type { BackendKind, KernelName } from '../../src/core/kernels/manifest.js';
import { KERNELS } from '../../src/core/kernels/manifest.js';
import { addBiasRows, allFinite, diffSquares, sumRows, sumSquares } from '../../src/core/kernels/elementwise.js';
import { col2imAdd, im2col } from '../../src/core/conv/im2col.js';
import { createScalarBackend } from '../../src/core/kernels/scalar.js';
import { createSimdBackend } from '../../src/core/kernels/simd.js';
import { adamUpdate } from '../../src/core/optimizers/adam.js';
import { sgdUpdate } from '../../src/core/optimizers/sgd.js';
import type { Backend, FusedKernels } from '../../src/core/types.js';
import { createNativeBackend, type NativeIsa } from '../../workers/native-backend.js';
import { hasCompiler, nativeSkipReason, nativeWithIsa } from '../workers/native/addon.js';

/** Every kernel of the contract on Float32Arrays from `alloc` (sgd absent where the backend has none). */
export interface ContractKernels extends Required<Omit<FusedKernels, 'sgd'>> {
  readonly label: string;
  alloc(n: number): Float32Array;
  gemm: Backend['gemm'];
  sgd?: FusedKernels['sgd'];
  /** y = tanh(x) over n floats, as biasAct applies it */
  tanh(x: Float32Array, y: Float32Array, n?: number): void;
  /** the names under which the backend's raw module exports each kernel it offers (checked by the suite) */
  readonly exported: (name: KernelName) => boolean;
}

export interface Subject {
  readonly label: string;
  readonly kind: BackendKind;
  /** why this host cannot run it, or null */
  readonly skip: string | null;
  /** the backend, ready to use (native: its ISA selected in the addon, which has one table at a time) */
  open(): ContractKernels;
}

/** The fused kernels as the core computes them without a fused backend (layers/dense.ts, trainer.ts, optimizers/). */
function coreLoops(): Omit<ContractKernels, 'label' | 'alloc' | 'gemm' | 'exported'> {
  return {
    adam: (p, g, m, v, n, lr, step, o) => adamUpdate(p, g, m, v, null, n, lr, step, { ...o, amsgrad: false }),
    sgd: sgdUpdate,
    sumSquares: (x, n = x.length) => sumSquares(x, n),
    diffSquares: (a, b, n = a.length) => diffSquares(a, b, n),
    allFinite: (x, n = x.length) => allFinite(x, n),
    biasAct(z, y, bias, rows, cols, act) {
      if (bias) addBiasRows(z, bias, rows, cols);
      if (act !== 'identity' || y !== z) activationForward(ACTIVATIONS[act], 0, z, y, rows * cols);
    },
    actBackward(dy, z, dz, n, act) {
      const y = new Float32Array(n);
      activationForward(ACTIVATIONS[act], 0, z, y, n);
      activationBackward(ACTIVATIONS[act], 0, z, y, dy, dz, n);
    },
    sumRows,
    tanh: (x, y, n = x.length) => activationForward(ACTIVATIONS.tanh, 0, x, y, n),
    im2col: (g, x, row0, rows, col) => im2col(g, x, row0, rows, col),
    col2imAdd: (g, col, row0, rows, dx) => col2imAdd(g, col, row0, rows, dx),
  };
}

const scalar: Subject = {
  label: 'scalar',
  kind: 'scalar',
  skip: null,
  open() {
    const be = createScalarBackend();
    return { label: 'scalar', alloc: be.alloc, gemm: be.gemm, ...coreLoops(), exported: () => true };
  },
};

const simd: Subject = {
  label: 'simd',
  kind: 'simd',
  skip: null,
  open() {
    const be = createSimdBackend(1 << 22);
    const raw = be.raw.exports as unknown as Record<string, unknown>;
    const wasmName = (name: KernelName) => KERNELS.find((k) => k.name === name)!;
    return {
      label: 'simd',
      alloc: be.alloc,
      gemm: be.gemm,
      ...be.fused,
      exported(name) {
        const k = wasmName(name);
        const f = raw['wasm' in k ? k.wasm : k.name];
        return typeof f === 'function' && f.length === k.args.length;
      },
    };
  },
};

function native(isa: NativeIsa): Subject {
  const skip =
    nativeSkipReason(isa) ??
    (hasCompiler ? null : 'no C compiler on this host: the native addon is not built (the fallback tests cover it)');
  return {
    label: `native ${isa}`,
    kind: 'native',
    skip,
    open() {
      const be = createNativeBackend(nativeWithIsa(isa));
      const raw = be.raw as unknown as Record<string, unknown>;
      return {
        label: `native ${isa}`,
        alloc: be.alloc,
        gemm: be.gemm,
        ...be.fused,
        tanh: (x, y, n = x.length) => be.raw.tanh(x, y, n),
        exported: (name) => typeof raw[name] === 'function',
      };
    },
  };
}

/** Every backend of the contract, the native one at each instruction set it has tables for. */
export const SUBJECTS: readonly Subject[] = [scalar, simd, native('avx512'), native('avx2')];
