/**
 * Gradient clipping as torch.nn.utils (pytorch torch/nn/utils/clip_grad.py):
 *   clip_grad_norm_(params, max_norm, norm_type=2, error_if_nonfinite=False):
 *     total = ‖(‖g₁‖, ‖g₂‖, …)‖ (norm_type 2, 1 or inf = max |g|); throws when total is
 *     non-finite and error_if_nonfinite; coef = max_norm / (total + 1e-6) clamped to ≤ 1;
 *     every grad *= coef; returns total (the pre-clip norm).
 *   clip_grad_value_(params, clip_value): every grad clamped to [-clip_value, clip_value].
 */
import type { Param } from './types.js';

/** torch.linalg.vector_norm of all grads together (float64). */
export function gradNorm(params: Param[], normType = 2): number {
  if (normType === Infinity) {
    let m = 0;
    for (const p of params) {
      const g = p.grad;
      for (let i = 0; i < g.length; i++) {
        const a = Math.abs(g[i]);
        if (a > m || a !== a) m = a; // NaN propagates
      }
    }
    return m;
  }
  let s = 0;
  for (const p of params) {
    const g = p.grad;
    if (normType === 2) for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    else if (normType === 1) for (let i = 0; i < g.length; i++) s += Math.abs(g[i]);
    else for (let i = 0; i < g.length; i++) s += Math.abs(g[i]) ** normType;
  }
  return normType === 2 ? Math.sqrt(s) : normType === 1 ? s : s ** (1 / normType);
}

export function clipGradNorm(params: Param[], maxNorm: number, normType = 2, errorIfNonfinite = false): number {
  const total = gradNorm(params, normType);
  clipGradNormGivenTotal(params, maxNorm, total, normType, errorIfNonfinite);
  return total;
}

/** The second half of clip_grad_norm_, for a caller that already has the total norm. */
export function clipGradNormGivenTotal(
  params: Param[],
  maxNorm: number,
  total: number,
  normType = 2,
  errorIfNonfinite = false,
): void {
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new Error(
      `The total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`error_if_nonfinite=False\``,
    );
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1); // NaN total → NaN coef, as torch
  if (coef === 1) return;
  for (const p of params) {
    const g = p.grad;
    for (let i = 0; i < g.length; i++) g[i] *= coef;
  }
}

export function clipGradValue(params: Param[], clipValue: number): void {
  const lo = -clipValue,
    hi = clipValue;
  for (const p of params) {
    const g = p.grad;
    for (let i = 0; i < g.length; i++) {
      const v = g[i];
      if (v > hi) g[i] = hi;
      else if (v < lo) g[i] = lo;
    }
  }
}
