/**
 * torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, bias=True)
 * with padding_mode 'zeros' and groups 1 (torch/nn/modules/conv.py); in_channels is the input's.
 * The arithmetic (im2col + the backend's GEMM + col2im) is ../conv/conv2d.ts; the default init is
 * _ConvNd.reset_parameters (../conv/init.ts).
 * No `activation` field, unlike dense: torch's Conv2d has none, and a request reads as the nn.Sequential
 * it mirrors (conv2d, activation relu, maxpool2d, ...). Dense carries one for the `{hidden}` shorthand and
 * its fused bias+activation kernels; the conv output already takes a copy pass per row, so fusing would
 * save little.
 */
import type { InitSpec } from '../spec.js';
import {
  conv2dBufferFloats,
  conv2dFlopsPerRow,
  conv2dGeometry,
  conv2dParamCount,
  createConv2d,
  initConv2d,
  type Conv2dGeometry,
  type Pair,
} from '../conv/index.js';
import { makeParam, type BuildContext, type Layer } from './layer.js';
import { checkInit, resolveInit } from './init-check.js';
import { fieldDefault, needImage, type LayerModule, type Shape } from './module.js';

export interface Conv2dSpec {
  type: 'conv2d';
  out_channels: number;
  kernel_size: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  bias: boolean;
  init: InitSpec;
}

const FIELDS = {
  out_channels: { kind: 'integer', minimum: 1, maximum: 1024 },
  kernel_size: { kind: 'pair', minimum: 1, maximum: 64 },
  stride: { kind: 'pair', optional: true, default: 1, minimum: 1, maximum: 64 },
  padding: { kind: 'pair', optional: true, default: 0, minimum: 0, maximum: 64 },
  dilation: { kind: 'pair', optional: true, default: 1, minimum: 1, maximum: 64 },
  bias: { kind: 'boolean', optional: true, default: true },
  init: { kind: 'init', optional: true, default: 'default' },
} as const;

const image = (input: Shape) => ({ channels: input[0], height: input[1], width: input[2] });

/** The geometry of a spec on an input known to fit (validate passed). */
function geometry(s: Conv2dSpec, input: Shape): Conv2dGeometry {
  const g = conv2dGeometry({ in: image(input), ...s });
  if (!g.ok) throw new Error(`conv2d: ${g.problem}`);
  return g.geometry;
}

export function createConv2dLayer(
  ctx: BuildContext,
  name: string,
  s: Conv2dSpec,
  input: Shape,
  needsInputGrad: boolean,
): Layer {
  const g = geometry(s, input);
  const W = makeParam(ctx.backend, `${name}.weight`, [g.outC, g.inC, g.kH, g.kW], true);
  const b = s.bias ? makeParam(ctx.backend, `${name}.bias`, [g.outC], false) : null;
  initConv2d(s.init, W.value, b ? b.value : null, g.outC, g.inC, g.kH, g.kW, ctx.initRng);
  const k = createConv2d(ctx.backend, g, ctx.capacity, { needsInputGrad });
  return {
    kind: 'conv2d',
    name,
    inDim: g.inSize,
    outDim: g.outSize,
    params: b ? [W, b] : [W],
    buffers: [],
    children: [],
    activation: null,
    output: k.output,
    forward: (x, rows) => k.forward(x, rows, W.value, b ? b.value : null),
    backward: (dy, rows) => k.backward(dy, rows, W.value, W.grad, b ? b.grad : null),
  };
}

/** Conv2d: P = out·in·kH·kW (+ out); [C, H, W] → [out_channels, outH, outW]. */
export const conv2d: LayerModule<Conv2dSpec> = {
  type: 'conv2d',
  fields: FIELDS,
  widthField: 'out_channels',
  input: 'image',
  resolve: (raw) => ({
    type: 'conv2d',
    out_channels: raw.out_channels as number,
    kernel_size: raw.kernel_size as Pair,
    stride: (raw.stride as Pair | undefined) ?? FIELDS.stride.default,
    padding: (raw.padding as Pair | undefined) ?? FIELDS.padding.default,
    dilation: (raw.dilation as Pair | undefined) ?? FIELDS.dilation.default,
    bias: (raw.bias as boolean | undefined) ?? FIELDS.bias.default,
    init: resolveInit(raw.init, { name: fieldDefault(FIELDS, 'init') }),
  }),
  validate(s, input, { path, out }) {
    checkInit(s.init, `${path}/init`, out);
    const img = needImage('conv2d', input, { path, out });
    if (!img) return input;
    const g = conv2dGeometry({ in: img, ...s });
    if (!g.ok) {
      out.push({ path, message: `conv2d on input ${input.join('×')}: ${g.problem}` });
      return input;
    }
    return [g.geometry.outC, g.geometry.outH, g.geometry.outW];
  },
  output(s, input) {
    const g = geometry(s, input);
    return [g.outC, g.outH, g.outW];
  },
  params: (s, input) => conv2dParamCount(geometry(s, input), s.bias),
  flops(s, input) {
    const f = conv2dFlopsPerRow(geometry(s, input), s.bias, true);
    return f.forward + f.backward;
  },
  memory(s, input, { rows, needsInputGrad }) {
    const g = geometry(s, input);
    const m = conv2dBufferFloats(g, rows, needsInputGrad);
    const buffers: [number, number][] = [
      [m.output, 1],
      [m.col, 1],
      [m.gemmOut, 1],
    ];
    if (needsInputGrad) buffers.splice(1, 0, [m.inputGrad, 1]);
    return { params: s.bias ? [g.outC * g.K, g.outC] : [g.outC * g.K], buffers };
  },
  build: (ctx, s, input, o) => createConv2dLayer(ctx, o.name, s, input, o.needsInputGrad),
  stats: { params: true, stats: true, weights: true },
};
