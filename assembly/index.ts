// Entry point of the WebAssembly kernels module (built by scripts/build-wasm.mjs).
export { gemm, setScratch, scratchFloats, heapBase } from './gemm';
export { peak } from './peak';
