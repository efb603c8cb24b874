// Generated from src/core/kernels/manifest.ts by scripts/gen-backend.ts (npm run gen:backend); do not edit.

/** The activations the fused dense kernels implement (biasAct, actBackward), in code order. */
export const FUSED_ACTIVATIONS = ['identity', 'relu', 'tanh', 'sigmoid'] as const;
export type FusedActivationName = (typeof FUSED_ACTIVATIONS)[number];

/** An activation's code in the C and WebAssembly kernels' `act` argument. */
export const ACTIVATION_CODE: Readonly<Record<FusedActivationName, number>> = Object.freeze({
  identity: 0,
  relu: 1,
  tanh: 2,
  sigmoid: 3,
});

/** The kernels of the contract. */
export const KERNEL_NAMES = ['gemm', 'biasAct', 'actBackward', 'sumRows', 'adam', 'sgd', 'sumSquares', 'diffSquares',
  'allFinite', 'tanh', 'im2col', 'col2imAdd'] as const;

/** The WebAssembly kernels' exports (assembly/index.ts): arrays are byte offsets into the backend's memory. */
export interface SimdRawKernels {
  /** C[m×n] (+)= op(A)·op(B); op(A)[i,p] = ta ? A[p*m+i] : A[i*k+p]; op(B)[p,j] = tb ? B[j*k+p] : B[p*n+j] */
  gemm(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, c: number,
    accumulate: number): void;
  /** z[r,j] += bias[j] (bias absent: none), then y = act(z) (y may be z) */
  biasAct(z: number, y: number, bias: number, rows: number, cols: number, act: number): void;
  /** dz = dy · act'(z) over n floats, the derivative at the forward's output (dz may be dy) */
  actBackward(dy: number, z: number, dz: number, n: number, act: number): void;
  /** db[j] = Σ_r dz[r, j] (float32, r ascending; writes, does not accumulate) */
  sumRows(dz: number, db: number, rows: number, cols: number): void;
  /** torch Adam/AdamW step over n floats (amsgrad=False), bias corrections folded into stepSize and bc2Sqrt */
  adam(p: number, g: number, m: number, v: number, n: number, oneMinusBeta1: number, beta2: number,
    oneMinusBeta2: number, stepSize: number, bc2Sqrt: number, eps: number, wd: number, shrink: number): void;
  /** Σ x[i]² over n floats, float64 accumulation */
  sumSquares(x: number, n: number): number;
  /** [Σ (a[i]-b[i])², Σ b[i]²] over n floats, float64 accumulation */
  diffSquares(a: number, b: number, n: number): number;
  /** true when none of the n floats is NaN or ±Inf */
  allFinite(x: number, n: number): number;
  /** y = tanh(x) over n floats, the function biasAct applies for act = tanh */
  tanhArray(x: number, y: number, n: number): void;
  /** col[K × rows·P] = unfold of x rows [row0, row0+rows) (src/core/conv/im2col.ts; 0 outside the input) */
  im2col(x: number, col: number, row0: number, rows: number, inC: number, inH: number, inW: number, kH: number,
    kW: number, strideH: number, strideW: number, padH: number, padW: number, dilH: number, dilW: number): void;
  /** dx rows [row0, row0+rows) += fold of col (im2col's adjoint; per element in (ki, kj) order, as im2col.ts) */
  col2imAdd(col: number, dx: number, row0: number, rows: number, inC: number, inH: number, inW: number, kH: number,
    kW: number, strideH: number, strideW: number, padH: number, padW: number, dilH: number, dilW: number): void;
  /** the second float64 of the last kernel that returns two (diffSquares: Σ b²) */
  secondResult(): number;
}

/** The native addon's kernel exports (native/src/addon.c): arrays are Float32Arrays, checked against the sizes. */
export interface NativeRawKernels {
  /** C[m×n] (+)= op(A)·op(B); op(A)[i,p] = ta ? A[p*m+i] : A[i*k+p]; op(B)[p,j] = tb ? B[j*k+p] : B[p*n+j] */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array,
    c: Float32Array, accumulate: boolean): void;
  /** z[r,j] += bias[j] (bias absent: none), then y = act(z) (y may be z) */
  biasAct(z: Float32Array, y: Float32Array, bias: Float32Array | null, rows: number, cols: number, act: number): void;
  /** dz = dy · act'(z) over n floats, the derivative at the forward's output (dz may be dy) */
  actBackward(dy: Float32Array, z: Float32Array, dz: Float32Array, n: number, act: number): void;
  /** db[j] = Σ_r dz[r, j] (float32, r ascending; writes, does not accumulate) */
  sumRows(dz: Float32Array, db: Float32Array, rows: number, cols: number): void;
  /** torch Adam/AdamW step over n floats (amsgrad=False), bias corrections folded into stepSize and bc2Sqrt */
  adam(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, n: number, oneMinusBeta1: number,
    beta2: number, oneMinusBeta2: number, stepSize: number, bc2Sqrt: number, eps: number, wd: number,
    shrink: number): void;
  /** torch SGD step over n floats (momentum, dampening, nesterov, L2 weight decay), float32 arithmetic */
  sgd(p: Float32Array, g: Float32Array, buf: Float32Array, n: number, lr: number, momentum: number,
    oneMinusDampening: number, nesterov: boolean, wd: number, first: boolean): void;
  /** Σ x[i]² over n floats, float64 accumulation */
  sumSquares(x: Float32Array, n: number): number;
  /** [Σ (a[i]-b[i])², Σ b[i]²] over n floats, float64 accumulation */
  diffSquares(a: Float32Array, b: Float32Array, n: number, out: Float64Array): void;
  /** true when none of the n floats is NaN or ±Inf */
  allFinite(x: Float32Array, n: number): boolean;
  /** y = tanh(x) over n floats, the function biasAct applies for act = tanh */
  tanh(x: Float32Array, y: Float32Array, n: number): void;
  /** col[K × rows·P] = unfold of x rows [row0, row0+rows) (src/core/conv/im2col.ts; 0 outside the input) */
  im2col(x: Float32Array, col: Float32Array, row0: number, rows: number, inC: number, inH: number, inW: number,
    kH: number, kW: number, strideH: number, strideW: number, padH: number, padW: number, dilH: number,
    dilW: number): void;
  /** dx rows [row0, row0+rows) += fold of col (im2col's adjoint; per element in (ki, kj) order, as im2col.ts) */
  col2imAdd(col: Float32Array, dx: Float32Array, row0: number, rows: number, inC: number, inH: number, inW: number,
    kH: number, kW: number, strideH: number, strideW: number, padH: number, padW: number, dilH: number,
    dilW: number): void;
}
