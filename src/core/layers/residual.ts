/** Residual block: y = x + f(x), f a sequence of layers whose output dim equals its input dim. */
import { addInto } from '../kernels/elementwise.js';
import type { BuildContext, Layer } from './layer.js';

export function createResidual(ctx: BuildContext, name: string, dim: number, inner: Layer[]): Layer {
  const outDim = inner.length ? inner[inner.length - 1].outDim : dim;
  if (outDim !== dim) throw new Error(`${name}: residual block maps ${dim} features to ${outDim}; y = x + f(x) needs f to keep the dimension ${dim}`);
  const y = ctx.backend.alloc(ctx.capacity * dim);
  const dx = ctx.backend.alloc(ctx.capacity * dim);
  return {
    kind: 'residual', name, inDim: dim, outDim: dim, params: [], buffers: [], children: inner,
    activation: null, output: y,
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
