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
    kind: 'batchnorm', name, inDim: dim, outDim: dim, params: [gamma, beta], buffers: [runningMean, runningVar],
    children: [], activation: null, output: y,
    forward(x, rows, train) {
      const g = gamma.value, bt = beta.value;
      if (train) {
        if (rows < 2) throw new Error(`${name}: BatchNorm1d expects more than 1 value per channel when training (batch of ${rows})`);
        let finite = true;
        for (let j = 0; j < dim; j++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += x[r * dim + j];
          const mu = s / rows;
          let v = 0;
          for (let r = 0; r < rows; r++) { const d = x[r * dim + j] - mu; v += d * d; }
          const varB = v / rows;
          mean[j] = mu;
          inv[j] = 1 / Math.sqrt(varB + eps);
          if (!Number.isFinite(mu) || !Number.isFinite(varB)) finite = false;
          sumD[j] = varB * rows / (rows - 1); // stash unbiased var until we know all are finite
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
      for (let j = 0; j < dim; j++) { sumD[j] = 0; sumDX[j] = 0; gamma.grad[j] = 0; beta.grad[j] = 0; }
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
