/**
 * Global average pooling [C, H, W] → [C]: torch.nn.AdaptiveAvgPool2d(1) followed by nn.Flatten()
 * (the head of ResNet-style nets, torchvision resnet.py: avgpool then torch.flatten(x, 1)).
 * The arithmetic is ../conv/pool.ts createGlobalAvgPool.
 */
import { createGlobalAvgPool, globalAvgPoolFlopsPerRow } from '../conv/index.js';
import type { BuildContext, Layer } from './layer.js';
import { needImage, type LayerModule, type Shape } from './module.js';

export interface GlobalAvgPoolSpec {
  type: 'global_avg_pool';
}

const image = (input: Shape) => ({ channels: input[0], height: input[1], width: input[2] });

export function createGlobalAvgPoolLayer(
  ctx: BuildContext,
  name: string,
  input: Shape,
  needsInputGrad: boolean,
): Layer {
  const k = createGlobalAvgPool(ctx.backend, image(input), ctx.capacity, { needsInputGrad });
  return {
    kind: 'global_avg_pool',
    name,
    inDim: k.geometry.inSize,
    outDim: k.geometry.outSize,
    params: [],
    buffers: [],
    children: [],
    activation: null,
    output: k.output,
    forward: (x, rows) => k.forward(x, rows),
    backward: (dy, rows) => k.backward(dy, rows),
  };
}

/** No parameters, no fields; [C, H, W] → [C]. */
export const globalAvgPool: LayerModule<GlobalAvgPoolSpec> = {
  type: 'global_avg_pool',
  fields: {},
  input: 'image',
  resolve: () => ({ type: 'global_avg_pool' }),
  validate(_s, input, { path, out }) {
    const img = needImage('global_avg_pool', input, { path, out });
    return img ? [img.channels] : input;
  },
  output: (_s, input) => [input[0]],
  params: () => 0,
  flops(_s, input) {
    const f = globalAvgPoolFlopsPerRow(input[0], input[1], input[2], true);
    return f.forward + f.backward;
  },
  memory(_s, input, { rows, needsInputGrad }) {
    const buffers: [number, number][] = [[rows * input[0], 1]];
    if (needsInputGrad) buffers.push([rows * input[0] * input[1] * input[2], 1]);
    return { params: [], buffers };
  },
  build: (ctx, _s, input, o) => createGlobalAvgPoolLayer(ctx, o.name, input, o.needsInputGrad),
  stats: { params: false, stats: false, weights: false },
};
