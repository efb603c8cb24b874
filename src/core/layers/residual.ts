/** Residual block: y = x + f(x), f a sequence of layers whose output dim equals its input dim. */
import { addInto } from '../kernels/elementwise.js';
import type { BuildContext, Layer } from './layer.js';
import type { LayerSpec } from './registry.js';
import { addMemory, isFlat, sameShape, showWidth, sizeOf, type LayerMemory, type LayerModule } from './module.js';

export function createResidual(ctx: BuildContext, name: string, dim: number, inner: Layer[]): Layer {
  const outDim = inner.length ? inner[inner.length - 1].outDim : dim;
  if (outDim !== dim)
    throw new Error(
      `${name}: residual block maps ${dim} features to ${outDim}; y = x + f(x) needs f to keep the dimension ${dim}`,
    );
  const y = ctx.backend.alloc(ctx.capacity * dim);
  const dx = ctx.backend.alloc(ctx.capacity * dim);
  return {
    kind: 'residual',
    name,
    inDim: dim,
    outDim: dim,
    params: [],
    buffers: [],
    children: inner,
    activation: null,
    output: y,
    forward(x, rows, train) {
      let h = x;
      for (const l of inner) h = l.forward(h, rows, train);
      addInto(y, x, h, rows * dim);
      return y;
    },
    backward(dy, rows) {
      let g: Float32Array = dy;
      for (let i = inner.length - 1; i >= 0; i--) {
        const r = inner[i].backward(g, rows);
        if (!r) throw new Error(`${name}: inner layer ${inner[i].name} did not return an input gradient`);
        g = r;
      }
      addInto(dx, dy, g, rows * dim);
      return dx;
    },
  };
}

export interface ResidualSpec {
  type: 'residual';
  layers: LayerSpec[];
}

/** y = x + f(x) (He et al. 2016, "Deep Residual Learning"): f's layers must give back the input shape. */
export const residual: LayerModule<ResidualSpec> = {
  type: 'residual',
  fields: { layers: { kind: 'layers', minItems: 1, maxItems: 16, description: 'y = x + f(x); f must keep the width' } },
  resolve: (raw, child) => ({
    type: 'residual',
    layers: (raw.layers as unknown[]).map((l, i) => child(l, i) as LayerSpec),
  }),
  validate(s, input, { path: p, out, children, widthPointer }) {
    if (!Array.isArray(s.layers)) {
      out.push({ path: `${p}/layers`, message: 'layers must be an array' });
      return input;
    }
    const inner = children(s.layers, input, `${p}/layers`);
    if (!sameShape(inner, input)) {
      const unit = isFlat(input) ? ' features' : '';
      out.push({
        path: widthPointer(s.layers, `${p}/layers`),
        message:
          `residual block maps ${showWidth(input)}${unit} to ${showWidth(inner)}; ` +
          `y = x + f(x) needs f to output ${showWidth(input)}`,
      });
    }
    return input;
  },
  output: (_s, input) => input,
  params: (s, input, children) => children(s.layers, input),
  flops: (s, input, children) => children(s.layers, input),
  memory(s, input, { rows }, children): LayerMemory {
    return addMemory(children(s.layers, input), { params: [], buffers: [[rows * sizeOf(input), 2]] });
  },
  build: (ctx, s, input, o) =>
    createResidual(ctx, o.name, sizeOf(input), o.children(s.layers, input, `${o.name}.layers`)),
  stats: { params: false, stats: false, weights: false },
};
