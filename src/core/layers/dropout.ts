/**
 * Inverted dropout (torch nn.Dropout): in training each element is zeroed with probability p
 * and the survivors are scaled by 1/(1-p); identity in eval. Masks come from the dropout
 * RNG stream only, so dropout never shifts init or data draws.
 */
import type { BuildContext, Layer } from './layer.js';
import { isNum, sizeOf, type LayerModule } from './module.js';

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
    kind: 'dropout',
    name,
    inDim: dim,
    outDim: dim,
    params: [],
    buffers: [],
    children: [],
    activation: null,
    output: y,
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

export interface DropoutSpec {
  type: 'dropout';
  p: number;
}

/** nn.Dropout(p): elementwise on any shape, no parameters. */
export const dropout: LayerModule<DropoutSpec> = {
  type: 'dropout',
  input: 'any',
  fields: { p: { kind: 'number', minimum: 0, exclusiveMaximum: 1 } },
  resolve: (raw) => ({ type: 'dropout', p: raw.p as number }),
  validate(s, input, { path, out }) {
    if (!(isNum(s.p) && s.p >= 0 && s.p <= 1))
      out.push({
        path: `${path}/p`,
        message: `dropout probability has to be between 0 and 1, got ${s.p}`,
      });
    return input;
  },
  output: (_s, input) => input,
  params: () => 0,
  flops: () => 0,
  memory: (_s, input, { rows }) => ({ params: [], buffers: [[rows * sizeOf(input), 3]] }),
  build: (ctx, s, input, o) => createDropout(ctx, o.name, sizeOf(input), s.p),
  stats: { params: false, stats: false, weights: false },
};
