/**
 * LayerNorm over the feature dimension of each row, as torch nn.LayerNorm(features, eps,
 * elementwise_affine=True): biased variance, y = γ·(x-μ)/√(σ²+ε) + β.
 * Backward per row (D features): dx = inv/D · (D·dx̂ - Σdx̂ - x̂·Σ(dx̂·x̂)), dx̂ = dy·γ.
 */
import { makeParam, type BuildContext, type Layer } from './layer.js';
import { isNum, needFlat, sizeOf, type LayerModule } from './module.js';

export function createLayerNorm(ctx: BuildContext, name: string, dim: number, eps: number): Layer {
  const { backend, capacity } = ctx;
  const gamma = makeParam(backend, `${name}.weight`, [dim], false);
  const beta = makeParam(backend, `${name}.bias`, [dim], false);
  gamma.value.fill(1);
  const inv = backend.alloc(capacity);
  const xhat = backend.alloc(capacity * dim);
  const y = backend.alloc(capacity * dim);
  const dx = backend.alloc(capacity * dim);

  return {
    kind: 'layernorm',
    name,
    inDim: dim,
    outDim: dim,
    params: [gamma, beta],
    buffers: [],
    children: [],
    activation: null,
    output: y,
    forward(x, rows) {
      const g = gamma.value,
        bt = beta.value;
      for (let r = 0; r < rows; r++) {
        const o = r * dim;
        let s = 0;
        for (let j = 0; j < dim; j++) s += x[o + j];
        const mu = s / dim;
        let v = 0;
        for (let j = 0; j < dim; j++) {
          const d = x[o + j] - mu;
          v += d * d;
        }
        const iv = 1 / Math.sqrt(v / dim + eps);
        inv[r] = iv;
        for (let j = 0; j < dim; j++) {
          const h = (x[o + j] - mu) * iv;
          xhat[o + j] = h;
          y[o + j] = g[j] * h + bt[j];
        }
      }
      return y;
    },
    backward(dy, rows) {
      const g = gamma.value;
      gamma.grad.fill(0);
      beta.grad.fill(0);
      for (let r = 0; r < rows; r++) {
        const o = r * dim;
        let sd = 0,
          sdx = 0;
        for (let j = 0; j < dim; j++) {
          const d = dy[o + j];
          gamma.grad[j] += d * xhat[o + j];
          beta.grad[j] += d;
          const dh = d * g[j];
          sd += dh;
          sdx += dh * xhat[o + j];
        }
        const iv = inv[r];
        for (let j = 0; j < dim; j++) {
          const dh = dy[o + j] * g[j];
          dx[o + j] = (iv / dim) * (dim * dh - sd - xhat[o + j] * sdx);
        }
      }
      return dx;
    },
  };
}

export interface LayerNormSpec {
  type: 'layernorm';
  eps: number;
}

/** torch.nn.LayerNorm's default eps=1e-05 */
const FIELDS = {
  eps: { kind: 'number', optional: true, exclusiveMinimum: 0, maximum: 1, default: 1e-5 },
} as const;

/** nn.LayerNorm(features): γ and β (2·features parameters) on flat input. */
export const layernorm: LayerModule<LayerNormSpec> = {
  type: 'layernorm',
  fields: FIELDS,
  resolve: (raw) => ({ type: 'layernorm', eps: (raw.eps as number | undefined) ?? FIELDS.eps.default }),
  validate(s, input, { path: p, out }) {
    needFlat('layernorm', input, { path: p, out });
    if (!(isNum(s.eps) && s.eps > 0)) out.push({ path: `${p}/eps`, message: `eps must be > 0, got ${s.eps}` });
    return input;
  },
  output: (_s, input) => input,
  params: (_s, input) => 2 * sizeOf(input),
  flops: (_s, input) => 6 * 2 * sizeOf(input),
  memory(_s, input, { rows }) {
    const d = sizeOf(input);
    return {
      params: [d, d],
      buffers: [
        [rows, 1],
        [rows * d, 3],
      ],
    };
  },
  build: (ctx, s, input, o) => createLayerNorm(ctx, o.name, sizeOf(input), s.eps),
  stats: { params: true, stats: true, weights: false },
};
