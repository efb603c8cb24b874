/** Parameter count of a layer stack, from the core's own counting (used to enforce LIMIT_MODEL_PARAMS before queueing). */
import { countParams } from '../core/model.js';
import type { LayerSpec } from '../core/spec.js';

export function countLayerParams(layers: LayerSpec[], inputDim: number): number {
  return countParams({ layers }, inputDim);
}
