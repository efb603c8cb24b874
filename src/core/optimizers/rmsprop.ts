/**
 * RMSprop as torch.optim.RMSprop (pytorch torch/optim/rmsprop.py, _single_tensor_rmsprop):
 *   g ← g + weight_decay·p
 *   sq ← α·sq + (1-α)·g²
 *   centered: ga ← ga + (1-α)(g - ga);  avg = √(sq - ga²) + eps     else avg = √sq + eps
 *   momentum > 0: buf ← momentum·buf + g/avg;  p ← p - lr·buf         else p ← p - lr·g/avg
 */
import type { Backend, Param } from '../types.js';
import type { OptimizerArgs } from './arguments.js';
import { allocState, defineOptimizer, noCheck, type FactoryResult } from './module.js';

export interface RmspropOptions {
  alpha: number;
  eps: number;
  weight_decay: number;
  momentum: number;
  centered: boolean;
}

export function rmspropUpdate(
  p: Float32Array,
  g: Float32Array,
  sq: Float32Array,
  ga: Float32Array | null,
  buf: Float32Array | null,
  n: number,
  lr: number,
  o: RmspropOptions,
): void {
  const { alpha, eps, weight_decay: wd, momentum, centered } = o;
  for (let i = 0; i < n; i++) {
    let gi = g[i];
    if (wd !== 0) gi += wd * p[i];
    sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
    let avg: number;
    if (centered && ga) {
      ga[i] = ga[i] + (1 - alpha) * (gi - ga[i]);
      avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
    } else {
      avg = Math.sqrt(sq[i]) + eps;
    }
    if (momentum > 0 && buf) {
      buf[i] = momentum * buf[i] + gi / avg;
      p[i] = p[i] - lr * buf[i];
    } else {
      p[i] = p[i] - lr * (gi / avg);
    }
  }
}

function createRmsprop(a: OptimizerArgs, params: Param[], backend: Backend): FactoryResult {
  const sq = allocState(backend, params);
  const ga = a.centered ? allocState(backend, params) : null;
  const buf = a.momentum > 0 ? allocState(backend, params) : null;
  const o: RmspropOptions = {
    alpha: a.alpha,
    eps: a.eps,
    weight_decay: a.weight_decay,
    momentum: a.momentum,
    centered: a.centered,
  };
  return {
    state: [...sq, ...(ga ?? []), ...(buf ?? [])],
    update: (lr) =>
      params.forEach((p, i) =>
        rmspropUpdate(p.value, p.grad, sq[i], ga ? ga[i] : null, buf ? buf[i] : null, p.value.length, lr, o),
      ),
    momentum: {
      get: () => o.momentum,
      set: (m) => {
        // torch allocates momentum_buffer with the rest of the state, only when momentum > 0 then
        // (_init_group); a later momentum > 0 without it is torch's KeyError 'momentum_buffer'
        if (m > 0 && !buf) {
          throw new Error(
            'RMSprop was created with momentum 0, so it has no momentum buffer; ' +
              'create it with the momentum of its first step',
          );
        }
        o.momentum = m;
      },
    },
  };
}

export const RMSPROP = defineOptimizer({
  name: 'rmsprop',
  torchClass: 'RMSprop',
  defaults: { alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false },
  momentum: { param: 'momentum', bufferFromFirstMomentum: true },
  check: noCheck,
  // square_avg (+ grad_avg when centered, + momentum_buffer when momentum > 0 at construction)
  stateBuffers: (a) => 1 + (a.centered ? 1 : 0) + (a.momentum > 0 ? 1 : 0),
  create: createRmsprop,
});
