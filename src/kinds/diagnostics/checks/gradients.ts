/**
 * The `gradients` check: per-layer gradient norms of one backward pass at initialisation.
 *
 * - any NaN/Inf gradient: fail (clip gradients, check the data);
 * - a layer with parameters whose gradient is exactly zero: fail — it cannot learn (constant
 *   init, or every ReLU unit dead);
 * - the ratio of the gradient norms of the first and the last dense layer (Glorot & Bengio 2010
 *   §4.2.2, He et al. 2015 §2.2: with a good init back-propagated gradients keep their scale):
 *   beyond 1e3 either way a warning (the range test's layer-warning limit), beyond 1e6 a failure;
 * - a total gradient norm above 1e3 at init: warning (with standardised inputs and a diffuse
 *   output, mean-reduced losses give O(1) gradients; far above means the first steps jump far).
 */
import { GRADIENT_RATIO_LIMIT } from '../../../lrfinder/layer-diagnostics.js';
import { findLayer } from '../../../core/layers/registry.js';
import { fin, fmt, type CheckResult, type CheckStatus, type InitLayerStats } from './types.js';

export const GRADIENT_RATIO_FAIL = GRADIENT_RATIO_LIMIT ** 2;
export const GRAD_NORM_LIMIT = 1e3;

/** What the layer's module says it reports (src/core/layers/registry.ts); nothing for a kind no module has. */
const reports = (l: InitLayerStats) => findLayer(l.kind)?.stats;
const hasParams = (l: InitLayerStats) => reports(l)?.params ?? false;
/** the weight layers (dense; convolutions) whose first/last gradient ratio is checked */
const isWeightLayer = (l: InitLayerStats) => reports(l)?.weights ?? false;

export function checkGradients(layers: readonly InitLayerStats[], totalGradNorm: number): CheckResult {
  const found: { status: CheckStatus; text: string; hint: string }[] = [];
  const weighted = layers.filter(hasParams);
  const dense = layers.filter(isWeightLayer);
  const details: Record<string, unknown> = {
    total_grad_norm: fin(totalGradNorm),
    grad_norms: Object.fromEntries(weighted.map((l) => [l.layer, fin(l.grad_norm)])),
    first_layer: dense[0]?.layer ?? null,
    last_layer: dense[dense.length - 1]?.layer ?? null,
    first_last_ratio: null,
    zero_gradient_layers: [] as string[],
  };

  const nonFinite = weighted.filter((l) => !Number.isFinite(l.grad_norm));
  if (!Number.isFinite(totalGradNorm) || nonFinite.length) {
    const where = nonFinite.length ? ` in ${nonFinite.map((l) => l.layer).join(', ')}` : '';
    found.push({
      status: 'fail',
      text: `NaN/Inf gradients at init${where}`,
      hint: 'clip gradients (clip_grad_norm), check the data for NaN or huge values, and lower the init scale',
    });
  }
  const zero = weighted.filter((l) => l.grad_norm === 0);
  details.zero_gradient_layers = zero.map((l) => l.layer);
  if (zero.length) {
    found.push({
      status: 'fail',
      text: `exactly zero gradient in ${zero.map((l) => l.layer).join(', ')}`,
      hint: 'those parameters cannot learn: a zeros/constant init makes every unit identical, all-dead ReLUs pass no gradient (use kaiming init, leaky_relu), or the output does not depend on them',
    });
  }
  if (dense.length >= 2) {
    const a = dense[0],
      b = dense[dense.length - 1];
    if (Number.isFinite(a.grad_norm) && Number.isFinite(b.grad_norm) && a.grad_norm > 0 && b.grad_norm > 0) {
      const ratio = a.grad_norm / b.grad_norm;
      details.first_last_ratio = fin(ratio);
      const span = `the gradient norm of ${a.layer} is ${fmt(ratio)}× that of ${b.layer}`;
      if (ratio < 1 / GRADIENT_RATIO_LIMIT) {
        found.push({
          status: ratio < 1 / GRADIENT_RATIO_FAIL ? 'fail' : 'warn',
          text: `vanishing gradients: ${span}`,
          hint: 'the first layers barely learn: use kaiming init for ReLU nets and xavier for tanh, add batchnorm/layernorm or residual connections',
        });
      } else if (ratio > GRADIENT_RATIO_LIMIT) {
        found.push({
          status: ratio > GRADIENT_RATIO_FAIL ? 'fail' : 'warn',
          text: `exploding gradients: ${span}`,
          hint: 'lower the init scale, clip gradients (clip_grad_norm), or add batchnorm/layernorm',
        });
      }
    }
  }
  if (Number.isFinite(totalGradNorm) && totalGradNorm > GRAD_NORM_LIMIT) {
    found.push({
      status: 'warn',
      text: `the total gradient norm at init is ${fmt(totalGradNorm)}`,
      hint: 'such large gradients make the first steps jump far: clip gradients (clip_grad_norm), lower the init scale, standardise inputs and targets',
    });
  }

  const status: CheckStatus = found.some((f) => f.status === 'fail') ? 'fail' : found.length ? 'warn' : 'pass';
  const ratioText =
    details.first_last_ratio !== null
      ? `, first/last dense layer ratio ${fmt(details.first_last_ratio as number)}`
      : '';
  const summary = found.length
    ? found.map((f) => f.text).join('; ')
    : `gradient norm at init ${fmt(totalGradNorm)}${ratioText}`;
  return { name: 'gradients', status, summary, details, hints: [...new Set(found.map((f) => f.hint))] };
}
