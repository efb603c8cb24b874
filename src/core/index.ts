/**
 * The numeric core's public API (everything pure: no I/O, no Date, no Math.random).
 * Schedules (./schedules) and the WebAssembly backend (./kernels/simd) are exported by their own modules.
 */
export type * from './spec.js';
export type * from './types.js';
export { createRng, type Rng } from './rng.js';
export { createScalarBackend } from './kernels/scalar.js';
export { ACTIVATIONS, activationNames, type Activation } from './activations.js';
export { INITIALIZERS, calculateGain, initDense, initNames, varianceScaling } from './init.js';
export { LOSSES, createLoss, type Loss } from './losses.js';
export { OPTIMIZERS, createOptimizer, type Optimizer } from './optimizers/index.js';
export { clipGradNorm, clipGradValue, gradNorm } from './clip.js';
export { buildModel, countParams, expectedOutputs, mlpSpec, validateModel, type Model, type ModelProblem } from './model.js';
export { createTrainer, trainerFloats, type CoreTrainer, type TrainerOptions } from './trainer.js';
export {
  CATALOG, GENERATORS, datasetCatalog, loadDataset, fromArrays, fromFlat, mnistFromRaw,
  splitDataset, fitStandardizer, applyStandardizer, createBatcher, type CatalogEntry, type Batcher,
} from './datasets/index.js';
