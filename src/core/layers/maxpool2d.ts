/**
 * torch.nn.MaxPool2d(kernel_size, stride=None (= kernel_size), padding=0, dilation=1), ceil_mode=False
 * (torch/nn/modules/pooling.py); the arithmetic is torch 1.13's CPU kernel (../conv/pool.ts).
 */
import {
  createMaxPool2d,
  pool2dBufferFloats,
  pool2dFlopsPerRow,
  pool2dGeometry,
  type Geometry2d,
  type Pair,
} from '../conv/index.js';
import type { BuildContext, Layer } from './layer.js';
import { needImage, type LayerModule, type Shape } from './module.js';

export interface MaxPool2dSpec {
  type: 'maxpool2d';
  kernel_size: Pair;
  /** null: the kernel size (torch's stride=None) */
  stride: Pair | null;
  padding: Pair;
  dilation: Pair;
}

const FIELDS = {
  kernel_size: { kind: 'pair', minimum: 1, maximum: 64 },
  stride: { kind: 'pair', optional: true, minimum: 1, maximum: 64, description: 'default: kernel_size' },
  padding: { kind: 'pair', optional: true, default: 0, minimum: 0, maximum: 32 },
  dilation: { kind: 'pair', optional: true, default: 1, minimum: 1, maximum: 64 },
} as const;

const image = (input: Shape) => ({ channels: input[0], height: input[1], width: input[2] });
const options = (s: MaxPool2dSpec) => ({
  kernel_size: s.kernel_size,
  stride: s.stride ?? s.kernel_size,
  padding: s.padding,
  dilation: s.dilation,
});

function geometry(s: MaxPool2dSpec, input: Shape): Geometry2d {
  const g = pool2dGeometry({ in: image(input), ...options(s) });
  if (!g.ok) throw new Error(`maxpool2d: ${g.problem}`);
  return g.geometry;
}

export function createMaxPool2dLayer(ctx: BuildContext, name: string, g: Geometry2d, needsInputGrad: boolean): Layer {
  const k = createMaxPool2d(ctx.backend, g, ctx.capacity, { needsInputGrad });
  return {
    kind: 'maxpool2d',
    name,
    inDim: g.inSize,
    outDim: g.outSize,
    params: [],
    buffers: [],
    children: [],
    activation: null,
    output: k.output,
    forward: (x, rows) => k.forward(x, rows),
    backward: (dy, rows) => k.backward(dy, rows),
  };
}

/** No parameters; [C, H, W] → [C, outH, outW]. */
export const maxpool2d: LayerModule<MaxPool2dSpec> = {
  type: 'maxpool2d',
  fields: FIELDS,
  input: 'image',
  resolve: (raw) => ({
    type: 'maxpool2d',
    kernel_size: raw.kernel_size as Pair,
    stride: (raw.stride as Pair | undefined) ?? null,
    padding: (raw.padding as Pair | undefined) ?? FIELDS.padding.default,
    dilation: (raw.dilation as Pair | undefined) ?? FIELDS.dilation.default,
  }),
  validate(s, input, { path, out }) {
    const img = needImage('maxpool2d', input, { path, out });
    if (!img) return input;
    const g = pool2dGeometry({ in: img, ...options(s) });
    if (!g.ok) {
      out.push({ path, message: `maxpool2d on input ${input.join('×')}: ${g.problem}` });
      return input;
    }
    return [g.geometry.outC, g.geometry.outH, g.geometry.outW];
  },
  output(s, input) {
    const g = geometry(s, input);
    return [g.outC, g.outH, g.outW];
  },
  params: () => 0,
  flops(s, input) {
    const f = pool2dFlopsPerRow('max', geometry(s, input), true);
    return f.forward + f.backward;
  },
  memory(s, input, { rows, needsInputGrad }) {
    // the argmax indices are an Int32Array outside the backend (not counted: not backend.alloc)
    const m = pool2dBufferFloats('max', geometry(s, input), rows, needsInputGrad);
    return {
      params: [],
      buffers: needsInputGrad
        ? [
            [m.output, 1],
            [m.inputGrad, 1],
          ]
        : [[m.output, 1]],
    };
  },
  build: (ctx, s, input, o) => createMaxPool2dLayer(ctx, o.name, geometry(s, input), o.needsInputGrad),
  stats: { params: false, stats: false, weights: false },
};
