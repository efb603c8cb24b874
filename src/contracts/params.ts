/** Parameter count of a layer stack, from the core's own counting (used to enforce LIMIT_MODEL_PARAMS before queueing).
 * */
import { countParams, type InputShape } from '../core/model.js';
import type { LayerSpec } from '../core/spec.js';

export function countLayerParams(layers: LayerSpec[], input: InputShape): number {
  return countParams({ layers }, input);
}
