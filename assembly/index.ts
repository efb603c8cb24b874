// Entry point of the WebAssembly kernels module (built by scripts/build-wasm.mjs).
export { gemm, setScratch, scratchFloats, heapBase } from './gemm';
export { adam } from './adam';
export { sumSquares, diffSquares, secondResult, allFinite } from './reductions';
export { biasAct, actBackward, tanhArray } from './activation';
export { sumRows } from './sum-rows';
export { peak } from './peak';
export { im2col, col2imAdd } from './im2col';
