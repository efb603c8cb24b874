/**
 * Losses with torch.nn semantics (reduction='mean'), each with its gradient w.r.t. the
 * logits/predictions written beside the forward. Accumulation in float64.
 *
 *   cross_entropy   (torch nn.CrossEntropyLoss, label_smoothing ε): targets are class indices;
 *                   q = (1-ε)·onehot + ε/C, loss = mean_r Σ_c -q_c·log softmax(z)_c, grad = (softmax(z) - q)/n
 *   bce_with_logits (nn.BCEWithLogitsLoss): loss = max(z,0) - z·y + log1p(e^{-|z|}), grad = (σ(z) - y)/N
 *   mse             (nn.MSELoss): mean over all N elements of (z-y)², grad = 2(z-y)/N
 *   huber           (nn.HuberLoss, delta δ=1): ½r² if |r|≤δ else δ(|r|-½δ), grad = r or δ·sign(r), /N
 *   smooth_l1       (nn.SmoothL1Loss, beta β=1): ½r²/β if |r|<β else |r|-½β, grad = r/β or sign(r), /N
 *
 * `target` layout: cross_entropy → rows class indices; others → rows × cols values
 * (for classification with mse/huber/smooth_l1, the trainer passes one-hot rows).
 */
import type { LossName, LossSpec } from './spec.js';
import { own } from './own.js';

export interface Loss {
  readonly name: LossName;
  /** mean loss over the batch; writes dL/dz into grad (rows × cols) */
  forward(z: Float32Array, target: Float32Array, rows: number, cols: number, grad: Float32Array): number;
}

type LossFn = (
  spec: LossSpec,
  z: Float32Array,
  t: Float32Array,
  rows: number,
  cols: number,
  grad: Float32Array,
) => number;

function crossEntropy(
  spec: LossSpec,
  z: Float32Array,
  t: Float32Array,
  rows: number,
  cols: number,
  grad: Float32Array,
): number {
  const eps = spec.label_smoothing ?? 0;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) if (z[o + c] > m) m = z[o + c];
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(z[o + c] - m);
    const logZ = m + Math.log(s);
    const y = t[r];
    let sumLogp = 0;
    for (let c = 0; c < cols; c++) {
      const logp = z[o + c] - logZ;
      sumLogp += logp;
      const q = (c === y ? 1 - eps : 0) + eps / cols;
      grad[o + c] = (Math.exp(logp) - q) / rows;
    }
    total += -(1 - eps) * (z[o + y] - logZ) - (eps / cols) * sumLogp;
  }
  return total / rows;
}

function bceWithLogits(
  _spec: LossSpec,
  z: Float32Array,
  t: Float32Array,
  rows: number,
  cols: number,
  grad: Float32Array,
): number {
  const n = rows * cols;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const x = z[i],
      y = t[i];
    total += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
    const s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    grad[i] = (s - y) / n;
  }
  return total / n;
}

function mse(
  _spec: LossSpec,
  z: Float32Array,
  t: Float32Array,
  rows: number,
  cols: number,
  grad: Float32Array,
): number {
  const n = rows * cols;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = z[i] - t[i];
    total += r * r;
    grad[i] = (2 * r) / n;
  }
  return total / n;
}

function huber(
  spec: LossSpec,
  z: Float32Array,
  t: Float32Array,
  rows: number,
  cols: number,
  grad: Float32Array,
): number {
  const d = spec.delta ?? 1;
  const n = rows * cols;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = z[i] - t[i];
    const a = Math.abs(r);
    if (a <= d) {
      total += 0.5 * r * r;
      grad[i] = r / n;
    } else {
      total += d * (a - 0.5 * d);
      grad[i] = (r > 0 ? d : -d) / n;
    }
  }
  return total / n;
}

function smoothL1(
  spec: LossSpec,
  z: Float32Array,
  t: Float32Array,
  rows: number,
  cols: number,
  grad: Float32Array,
): number {
  const b = spec.beta ?? 1;
  const n = rows * cols;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = z[i] - t[i];
    const a = Math.abs(r);
    if (a < b) {
      total += (0.5 * r * r) / b;
      grad[i] = r / b / n;
    } else {
      total += a - 0.5 * b;
      grad[i] = (r > 0 ? 1 : r < 0 ? -1 : 0) / n;
    }
  }
  return total / n;
}

export const LOSSES: Record<LossName, LossFn> = {
  cross_entropy: crossEntropy,
  bce_with_logits: bceWithLogits,
  mse,
  huber,
  smooth_l1: smoothL1,
};

export function createLoss(spec: LossSpec): Loss {
  const fn = own(LOSSES, spec.name);
  if (!fn) throw new Error(`unknown loss '${spec.name}'`);
  if (spec.name === 'cross_entropy') {
    const e = spec.label_smoothing ?? 0;
    if (!(e >= 0 && e <= 1)) throw new Error(`label_smoothing must be in [0, 1], got ${e}`);
  }
  return { name: spec.name, forward: (z, t, rows, cols, grad) => fn(spec, z, t, rows, cols, grad) };
}
