/**
 * BatchNorm1d over (rows × features), as torch nn.BatchNorm1d(affine=True, track_running_stats=True):
 *   train: μ = mean over the batch, σ² = biased variance (÷n) for normalising;
 *          running_mean ← (1-m)·running_mean + m·μ,  running_var ← (1-m)·running_var + m·σ²·n/(n-1)
 *   eval:  normalise with the running statistics.
 *   y = γ·(x-μ)/√(σ²+ε) + β
 * Backward (train mode): x̂ = (x-μ)·inv, dx = inv/n · (n·dx̂ - Σdx̂ - x̂·Σ(dx̂·x̂)), dx̂ = dy·γ.
 * Running statistics are only updated when the batch statistics are finite.
 */
import { makeParam, type BuildContext, type Layer } from './layer.js';
import { isNum, needFlat, sizeOf, type LayerModule } from './module.js';

export function createBatchNorm(ctx: BuildContext, name: string, dim: number, momentum: number, eps: number): Layer {
  const { backend, capacity } = ctx;
  const gamma = makeParam(backend, `${name}.weight`, [dim], false);
  const beta = makeParam(backend, `${name}.bias`, [dim], false);
  gamma.value.fill(1);
  const runningMean = backend.alloc(dim);
  const runningVar = backend.alloc(dim);
  runningVar.fill(1);
  const mean = backend.alloc(dim);
  const inv = backend.alloc(dim);
  const xhat = backend.alloc(capacity * dim);
  const y = backend.alloc(capacity * dim);
  const dx = backend.alloc(capacity * dim);
  const sumD = backend.alloc(dim);
  const sumDX = backend.alloc(dim);

  return {
    kind: 'batchnorm',
    name,
    inDim: dim,
    outDim: dim,
    params: [gamma, beta],
    buffers: [runningMean, runningVar],
    children: [],
    activation: null,
    output: y,
    forward(x, rows, train) {
      const g = gamma.value,
        bt = beta.value;
      if (train) {
        if (rows < 2)
          throw new Error(
            `${name}: BatchNorm1d expects more than 1 value per channel when training (batch of ${rows})`,
          );
        let finite = true;
        for (let j = 0; j < dim; j++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += x[r * dim + j];
          const mu = s / rows;
          let v = 0;
          for (let r = 0; r < rows; r++) {
            const d = x[r * dim + j] - mu;
            v += d * d;
          }
          const varB = v / rows;
          mean[j] = mu;
          inv[j] = 1 / Math.sqrt(varB + eps);
          if (!Number.isFinite(mu) || !Number.isFinite(varB)) finite = false;
          sumD[j] = (varB * rows) / (rows - 1); // stash unbiased var until we know all are finite
        }
        if (finite) {
          for (let j = 0; j < dim; j++) {
            runningMean[j] = (1 - momentum) * runningMean[j] + momentum * mean[j];
            runningVar[j] = (1 - momentum) * runningVar[j] + momentum * sumD[j];
          }
        }
      } else {
        for (let j = 0; j < dim; j++) {
          mean[j] = runningMean[j];
          inv[j] = 1 / Math.sqrt(runningVar[j] + eps);
        }
      }
      for (let r = 0; r < rows; r++) {
        const o = r * dim;
        for (let j = 0; j < dim; j++) {
          const h = (x[o + j] - mean[j]) * inv[j];
          xhat[o + j] = h;
          y[o + j] = g[j] * h + bt[j];
        }
      }
      return y;
    },
    backward(dy, rows) {
      const g = gamma.value;
      for (let j = 0; j < dim; j++) {
        sumD[j] = 0;
        sumDX[j] = 0;
        gamma.grad[j] = 0;
        beta.grad[j] = 0;
      }
      for (let r = 0; r < rows; r++) {
        const o = r * dim;
        for (let j = 0; j < dim; j++) {
          const d = dy[o + j];
          gamma.grad[j] += d * xhat[o + j];
          beta.grad[j] += d;
          const dh = d * g[j];
          sumD[j] += dh;
          sumDX[j] += dh * xhat[o + j];
        }
      }
      for (let r = 0; r < rows; r++) {
        const o = r * dim;
        for (let j = 0; j < dim; j++) {
          const dh = dy[o + j] * g[j];
          dx[o + j] = (inv[j] / rows) * (rows * dh - sumD[j] - xhat[o + j] * sumDX[j]);
        }
      }
      return dx;
    },
  };
}

export interface BatchNormSpec {
  type: 'batchnorm';
  momentum: number;
  eps: number;
}

/** torch.nn.BatchNorm1d's defaults (momentum=0.1, eps=1e-05) */
const FIELDS = {
  momentum: { kind: 'number', optional: true, minimum: 0, maximum: 1, default: 0.1 },
  eps: { kind: 'number', optional: true, exclusiveMinimum: 0, maximum: 1, default: 1e-5 },
} as const;

/** nn.BatchNorm1d(features): γ and β (2·features parameters) on flat input; running mean and var as buffers. */
export const batchnorm: LayerModule<BatchNormSpec> = {
  type: 'batchnorm',
  fields: FIELDS,
  resolve: (raw) => ({
    type: 'batchnorm',
    momentum: (raw.momentum as number | undefined) ?? FIELDS.momentum.default,
    eps: (raw.eps as number | undefined) ?? FIELDS.eps.default,
  }),
  validate(s, input, { path: p, out }) {
    needFlat('batchnorm', input, { path: p, out });
    if (!(isNum(s.momentum) && s.momentum >= 0 && s.momentum <= 1))
      out.push({
        path: `${p}/momentum`,
        message: `momentum must be in [0, 1], got ${s.momentum}`,
      });
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
        [d, 6],
        [rows * d, 3],
      ],
    };
  },
  build: (ctx, s, input, o) => createBatchNorm(ctx, o.name, sizeOf(input), s.momentum, s.eps),
  stats: { params: true, stats: true, weights: false },
  // the batch variance needs two rows (torch: "Expected more than 1 value per channel when training")
  minRows: 2,
};
