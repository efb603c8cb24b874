/**
 * The backend contract, written once: every numeric kernel a backend offers, with its raw argument
 * list, and the constants the backends share. Everything else follows from it:
 *  - `npm run gen:backend` (scripts/gen-backend.ts) writes the TypeScript, AssemblyScript and C
 *    versions: src/core/kernels/contract.generated.ts, assembly/contract.generated.ts and
 *    native/src/contract.generated.h (test/backends/generated.test.ts fails when one is stale);
 *  - test/backends/conformance.test.ts runs the kernel's conformance cases (test/backends/cases/)
 *    against every backend that offers it (scalar, WebAssembly SIMD, native at each instruction set
 *    the CPU has).
 *
 * The backends: `scalar` is the core's own JS loops (src/core/kernels/scalar.ts for GEMM; for the
 * fused kernels the loops of elementwise.ts, activations.ts and optimizers/ that run when a backend
 * has no fused kernel), `simd` the AssemblyScript of assembly/ (src/core/kernels/simd.ts), `native`
 * the C of native/src/ (workers/native-backend.ts), one kernel table per instruction set.
 *
 * Pure data: no imports, so the generator, the core and the tests can all read it.
 */

/** The backends of the contract. */
export const BACKENDS = ['scalar', 'simd', 'native'] as const;
export type BackendKind = (typeof BACKENDS)[number];

/**
 * A raw argument's type, as each language spells it:
 *   in      a float32 array read       C `const float *`, AssemblyScript `usize` (byte offset), addon `Float32Array`
 *   in?     the same, may be absent    C NULL, AssemblyScript 0, addon `null`
 *   out     a float32 array written    C `float *` (may alias an `in` of the same kernel where the doc says so)
 *   i32     a count or a dimension     C `int`, AssemblyScript `i32`
 *   f32     a float32 scalar           C `float`, AssemblyScript `f32` (JS passes a double, rounded on entry)
 *   flag    a boolean                  C `int` (0/1), AssemblyScript `bool`, addon `boolean`
 *   act     an activation code         C `int`, AssemblyScript `i32` (ACTIVATIONS below)
 */
export type ArgType = 'in' | 'in?' | 'out' | 'i32' | 'f32' | 'flag' | 'act';

/**
 * What a kernel returns: nothing, a float64, a flag, or two float64s (C: through a trailing
 * `double *out` of 2; the addon: a trailing `Float64Array(2)`; AssemblyScript: the first as the
 * result, the second from `secondResult()`).
 */
export type ReturnType = 'void' | 'f64' | 'flag' | 'f64x2';

export interface KernelSpec {
  /** the JS name (FusedKernels / Backend method, addon export) */
  readonly name: string;
  /** the C name: the `lrf_kernels` member, implemented by `<c>_impl` (native/src/ops/) */
  readonly c: string;
  /** the WebAssembly export, when it differs from `name` */
  readonly wasm?: string;
  /** one line: what it computes */
  readonly doc: string;
  readonly args: readonly (readonly [name: string, type: ArgType])[];
  readonly returns: ReturnType;
  /** the backends that implement it (the core runs its JS loop on the others) */
  readonly backends: readonly BackendKind[];
}

/**
 * The activations the fused dense kernels implement, in code order: the code is the index
 * (identity 0, relu 1, tanh 2, sigmoid 3). Append only: the codes are part of the C and
 * WebAssembly ABIs.
 */
export const ACTIVATIONS = ['identity', 'relu', 'tanh', 'sigmoid'] as const;

const ALL: readonly BackendKind[] = ['scalar', 'simd', 'native'];

/**
 * The batch rows and geometry of the conv data-movement kernels (Geometry2d of src/core/conv/geometry.ts,
 * outH and outW recomputed by the kernel with PyTorch's formula): rows [row0, row0+rows) of an NCHW batch.
 */
const CONV_WINDOW = [
  ['row0', 'i32'],
  ['rows', 'i32'],
  ['inC', 'i32'],
  ['inH', 'i32'],
  ['inW', 'i32'],
  ['kH', 'i32'],
  ['kW', 'i32'],
  ['strideH', 'i32'],
  ['strideW', 'i32'],
  ['padH', 'i32'],
  ['padW', 'i32'],
  ['dilH', 'i32'],
  ['dilW', 'i32'],
] as const;

/** The kernels, in the order of native/src's `lrf_kernels` table. */
export const KERNELS = [
  {
    name: 'gemm',
    c: 'gemm',
    backends: ALL,
    returns: 'void',
    doc: 'C[m×n] (+)= op(A)·op(B); op(A)[i,p] = ta ? A[p*m+i] : A[i*k+p]; op(B)[p,j] = tb ? B[j*k+p] : B[p*n+j]',
    args: [
      ['transA', 'flag'],
      ['transB', 'flag'],
      ['m', 'i32'],
      ['n', 'i32'],
      ['k', 'i32'],
      ['a', 'in'],
      ['b', 'in'],
      ['c', 'out'],
      ['accumulate', 'flag'],
    ],
  },
  {
    name: 'biasAct',
    c: 'bias_act',
    backends: ALL,
    returns: 'void',
    doc: 'z[r,j] += bias[j] (bias absent: none), then y = act(z) (y may be z)',
    args: [
      ['z', 'out'],
      ['y', 'out'],
      ['bias', 'in?'],
      ['rows', 'i32'],
      ['cols', 'i32'],
      ['act', 'act'],
    ],
  },
  {
    name: 'actBackward',
    c: 'act_backward',
    backends: ALL,
    returns: 'void',
    doc: "dz = dy · act'(z) over n floats, the derivative at the forward's output (dz may be dy)",
    args: [
      ['dy', 'in'],
      ['z', 'in'],
      ['dz', 'out'],
      ['n', 'i32'],
      ['act', 'act'],
    ],
  },
  {
    name: 'sumRows',
    c: 'sum_rows',
    backends: ALL,
    returns: 'void',
    doc: 'db[j] = Σ_r dz[r, j] (float32, r ascending; writes, does not accumulate)',
    args: [
      ['dz', 'in'],
      ['db', 'out'],
      ['rows', 'i32'],
      ['cols', 'i32'],
    ],
  },
  {
    name: 'adam',
    c: 'adam',
    backends: ALL,
    returns: 'void',
    doc: 'torch Adam/AdamW step over n floats (amsgrad=False), bias corrections folded into stepSize and bc2Sqrt',
    args: [
      ['p', 'out'],
      ['g', 'in'],
      ['m', 'out'],
      ['v', 'out'],
      ['n', 'i32'],
      ['oneMinusBeta1', 'f32'],
      ['beta2', 'f32'],
      ['oneMinusBeta2', 'f32'],
      ['stepSize', 'f32'],
      ['bc2Sqrt', 'f32'],
      ['eps', 'f32'],
      ['wd', 'f32'],
      ['shrink', 'f32'],
    ],
  },
  {
    name: 'sgd',
    c: 'sgd',
    backends: ['scalar', 'native'],
    returns: 'void',
    doc: 'torch SGD step over n floats (momentum, dampening, nesterov, L2 weight decay), float32 arithmetic',
    args: [
      ['p', 'out'],
      ['g', 'in'],
      ['buf', 'out'],
      ['n', 'i32'],
      ['lr', 'f32'],
      ['momentum', 'f32'],
      ['oneMinusDampening', 'f32'],
      ['nesterov', 'flag'],
      ['wd', 'f32'],
      ['first', 'flag'],
    ],
  },
  {
    name: 'sumSquares',
    c: 'sum_squares',
    backends: ALL,
    returns: 'f64',
    doc: 'Σ x[i]² over n floats, float64 accumulation',
    args: [
      ['x', 'in'],
      ['n', 'i32'],
    ],
  },
  {
    name: 'diffSquares',
    c: 'diff_squares',
    backends: ALL,
    returns: 'f64x2',
    doc: '[Σ (a[i]-b[i])², Σ b[i]²] over n floats, float64 accumulation',
    args: [
      ['a', 'in'],
      ['b', 'in'],
      ['n', 'i32'],
    ],
  },
  {
    name: 'allFinite',
    c: 'all_finite',
    backends: ALL,
    returns: 'flag',
    doc: 'true when none of the n floats is NaN or ±Inf',
    args: [
      ['x', 'in'],
      ['n', 'i32'],
    ],
  },
  {
    name: 'tanh',
    c: 'tanh_array',
    wasm: 'tanhArray',
    backends: ALL,
    returns: 'void',
    doc: 'y = tanh(x) over n floats, the function biasAct applies for act = tanh',
    args: [
      ['x', 'in'],
      ['y', 'out'],
      ['n', 'i32'],
    ],
  },
  {
    name: 'im2col',
    c: 'im2col',
    backends: ALL,
    returns: 'void',
    doc: 'col[K × rows·P] = unfold of x rows [row0, row0+rows) (src/core/conv/im2col.ts; 0 outside the input)',
    args: [['x', 'in'], ['col', 'out'], ...CONV_WINDOW],
  },
  {
    name: 'col2imAdd',
    c: 'col2im_add',
    backends: ALL,
    returns: 'void',
    doc: "dx rows [row0, row0+rows) += fold of col (im2col's adjoint; per element in (ki, kj) order, as im2col.ts)",
    args: [['col', 'in'], ['dx', 'out'], ...CONV_WINDOW],
  },
] as const satisfies readonly KernelSpec[];

export type KernelName = (typeof KERNELS)[number]['name'];
