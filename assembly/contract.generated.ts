// Generated from src/core/kernels/manifest.ts by scripts/gen-backend.ts (npm run gen:backend); do not edit.

// The activation codes of biasAct / actBackward (the manifest's ACTIVATIONS, code = index).
export const ACT_IDENTITY: i32 = 0;
export const ACT_RELU: i32 = 1;
export const ACT_TANH: i32 = 2;
export const ACT_SIGMOID: i32 = 3;

// The kernels assembly/index.ts exports (arrays as byte offsets into the imported memory):
//   gemm(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, accumulate: bool): void
//   biasAct(z: usize, y: usize, bias: usize, rows: i32, cols: i32, act: i32): void
//   actBackward(dy: usize, z: usize, dz: usize, n: i32, act: i32): void
//   sumRows(dz: usize, db: usize, rows: i32, cols: i32): void
//   adam(p: usize, g: usize, m: usize, v: usize, n: i32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
//       stepSize: f32, bc2Sqrt: f32, eps: f32, wd: f32, shrink: f32): void
//   sumSquares(x: usize, n: i32): f64
//   diffSquares(a: usize, b: usize, n: i32): f64 (the second result: secondResult())
//   allFinite(x: usize, n: i32): i32
//   tanhArray(x: usize, y: usize, n: i32): void
//   im2col(x: usize, col: usize, row0: i32, rows: i32, inC: i32, inH: i32, inW: i32, kH: i32, kW: i32, strideH: i32,
//       strideW: i32, padH: i32, padW: i32, dilH: i32, dilW: i32): void
//   col2imAdd(col: usize, dx: usize, row0: i32, rows: i32, inC: i32, inH: i32, inW: i32, kH: i32, kW: i32,
//       strideH: i32, strideW: i32, padH: i32, padW: i32, dilH: i32, dilW: i32): void
