/**
 * torch.nn.Flatten() (start_dim=1): [C, H, W] → [C·H·W] per row. A row is stored row-major (NCHW), so
 * flattening is a view: forward passes x on, backward passes dy back, nothing is copied or allocated.
 * On flat input it is the identity (as torch's flatten of an [N, F] tensor).
 */
import type { Layer } from './layer.js';
import { sizeOf, type LayerModule } from './module.js';

export interface FlattenSpec {
  type: 'flatten';
}

export function createFlatten(name: string, dim: number, needsInputGrad: boolean): Layer {
  let last: Float32Array = new Float32Array(0);
  return {
    kind: 'flatten',
    name,
    inDim: dim,
    outDim: dim,
    params: [],
    buffers: [],
    children: [],
    activation: null,
    get output() {
      return last;
    },
    forward(x) {
      last = x;
      return x;
    },
    backward: (dy) => (needsInputGrad ? dy : null),
  };
}

/** No parameters, no fields; any shape → [its size]. */
export const flatten: LayerModule<FlattenSpec> = {
  type: 'flatten',
  fields: {},
  input: 'image',
  resolve: () => ({ type: 'flatten' }),
  validate: (_s, input) => [sizeOf(input)],
  output: (_s, input) => [sizeOf(input)],
  params: () => 0,
  flops: () => 0,
  memory: () => ({ params: [], buffers: [] }),
  build: (_ctx, _s, input, o) => createFlatten(o.name, sizeOf(input), o.needsInputGrad),
  stats: { params: false, stats: false, weights: false },
};
