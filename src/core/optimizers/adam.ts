/**
 * Adam and AdamW as torch.optim.Adam / torch.optim.AdamW (pytorch torch/optim/adam.py and
 * adamw.py, _single_tensor_adam(w), non-capturable path), step t counted from 1:
 *   Adam:  g ← g + weight_decay·p            AdamW: p ← p·(1 - lr·weight_decay)
 *   m ← m + (1-β1)(g - m)                    (exp_avg.lerp_(grad, 1-β1))
 *   v ← β2·v + (1-β2)·g²
 *   step_size = lr / (1 - β1^t)
 *   v̂ = amsgrad ? (vmax ← max(vmax, v)) : v
 *   denom = √v̂ / √(1 - β2^t) + eps
 *   p ← p - step_size · m / denom
 * β1 is the value at this step: a cycling scheduler (CyclicLR / OneCycleLR) sets group["betas"] =
 * (m, β2) before each step, and torch's bias correction 1 - β1^t uses that current β1 with the
 * full step count t (no correction for earlier steps' β1), which is what this does too.
 */
import type { Backend, Param } from '../types.js';
import type { OptimizerArgs } from './arguments.js';
import { allocState, defineOptimizer, noCheck, type FactoryResult } from './module.js';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  decoupled: boolean;
}

/** One step for one tensor; intermediates in float64, state stored as float32. `vmax` non-null = amsgrad. */
export function adamUpdate(
  p: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  vmax: Float32Array | null,
  n: number,
  lr: number,
  step: number,
  o: AdamOptions,
): void {
  const { beta1, beta2, eps, weight_decay: wd, decoupled } = o;
  const bc1 = 1 - beta1 ** step;
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const stepSize = lr / bc1;
  const shrink = decoupled ? 1 - lr * wd : 1;
  for (let i = 0; i < n; i++) {
    let pi = p[i];
    let gi = g[i];
    if (decoupled) pi *= shrink;
    else if (wd !== 0) gi += wd * pi;
    const mi = m[i] + (1 - beta1) * (gi - m[i]);
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    let vh = vi;
    if (vmax !== null) {
      if (vi > vmax[i]) vmax[i] = vi;
      vh = vmax[i];
    }
    p[i] = pi - stepSize * (mi / (Math.sqrt(vh) / bc2Sqrt + eps));
  }
}

/** exp_avg, exp_avg_sq (+ max_exp_avg_sq with amsgrad) */
export const adamStateBuffers = (a: OptimizerArgs): number => (a.amsgrad ? 3 : 2);

/** Adam's factory; `decoupled` is AdamW's weight decay (./adamw.ts). */
export function createAdam(decoupled: boolean) {
  return (a: OptimizerArgs, params: Param[], backend: Backend): FactoryResult => {
    const m = allocState(backend, params),
      v = allocState(backend, params);
    const vmax = a.amsgrad ? allocState(backend, params) : null;
    // one options object read by both paths at every call: setting beta1 is torch's group["betas"] = (m, β2)
    const o: AdamOptions = {
      beta1: a.betas[0],
      beta2: a.betas[1],
      eps: a.eps,
      weight_decay: a.weight_decay,
      amsgrad: a.amsgrad,
      decoupled,
    };
    // the backend's fused Adam (no amsgrad) when it has one, else adamUpdate
    const fused = backend.fused && !a.amsgrad ? backend.fused : null;
    return {
      state: [...m, ...v, ...(vmax ?? [])],
      momentum: {
        get: () => o.beta1,
        set: (b1) => {
          o.beta1 = b1;
        },
      },
      update: fused
        ? (lr, step) => params.forEach((p, i) => fused.adam(p.value, p.grad, m[i], v[i], p.value.length, lr, step, o))
        : (lr, step) =>
            params.forEach((p, i) =>
              adamUpdate(p.value, p.grad, m[i], v[i], vmax ? vmax[i] : null, p.value.length, lr, step, o),
            ),
    };
  };
}

export const ADAM = defineOptimizer({
  name: 'adam',
  torchClass: 'Adam',
  defaults: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
  momentum: { param: 'betas', bufferFromFirstMomentum: false },
  check: noCheck,
  stateBuffers: adamStateBuffers,
  create: createAdam(false),
});
