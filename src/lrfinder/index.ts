/** lr-finder's pure range-test library: the LR plan, the range test, suggestions, curve analysis. */
export * from './lr-plan.js';
export * from './smoothing.js';
export * from './range-test.js';
export * from './trim.js';
export * from './warnings.js';
export * from './analyze.js';
export * from './suggest/index.js';
export { SLIDE_DEFAULTS, type SlideOptions } from './suggest/slide.js';
export { valleyRawIndex } from './suggest/valley.js';
export { gradient, gradientF32, argmin } from './suggest/numeric.js';
export { localLinearLogLr, type LocalLinearFit, type ZeroLagOptions } from './suggest/zero-lag-steepest.js';
export {
  appendLayerStats,
  downsampleLayers,
  layerWarnings,
  sampleIndex,
  type LayerSeries,
} from './layer-diagnostics.js';
export * from './session.js';
export * from './defaults.js';
export * from './losses.js';
export * from './emulate/index.js';
