// Entry point of the WebAssembly kernels module (built by scripts/build-wasm.mjs).
export { gemm, setScratch, scratchFloats, heapBase } from './gemm';
export { adam, sumSquares, diffSquares, secondResult, allFinite, biasAct, actBackward, sumRows, tanhArray } from './fused';
export { peak } from './peak';
