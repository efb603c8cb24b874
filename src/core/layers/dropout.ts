/**
 * Inverted dropout (torch nn.Dropout): in training each element is zeroed with probability p
 * and the survivors are scaled by 1/(1-p); identity in eval. Masks come from the dropout
 * RNG stream only, so dropout never shifts init or data draws.
 */
import type { BuildContext, Layer } from './layer.js';

export function createDropout(ctx: BuildContext, name: string, dim: number, p: number): Layer {
  if (!(p >= 0 && p <= 1)) throw new Error(`${name}: dropout probability has to be between 0 and 1, but got ${p}`);
  const { backend, capacity } = ctx;
  const rng = ctx.dropoutRng;
  const mask = backend.alloc(capacity * dim);
  const y = backend.alloc(capacity * dim);
  const dx = backend.alloc(capacity * dim);
  const scale = p < 1 ? 1 / (1 - p) : 0;
  let active = false;

  return {
    kind: 'dropout', name, inDim: dim, outDim: dim, params: [], buffers: [], children: [],
    activation: null, output: y,
    forward(x, rows, train) {
      const n = rows * dim;
      active = train && p > 0;
      if (!active) {
        for (let i = 0; i < n; i++) y[i] = x[i];
        return y;
      }
      for (let i = 0; i < n; i++) {
        const m = rng.next() < p ? 0 : scale;
        mask[i] = m;
        y[i] = x[i] * m;
      }
      return y;
    },
    backward(dy, rows) {
      const n = rows * dim;
      if (!active) for (let i = 0; i < n; i++) dx[i] = dy[i];
      else for (let i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
      return dx;
    },
  };
}
