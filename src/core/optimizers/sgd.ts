/**
 * SGD as torch.optim.SGD (pytorch torch/optim/sgd.py, _single_tensor_sgd):
 *   g ← g + weight_decay·p
 *   if momentum ≠ 0:  buf ← g when there is no buffer yet (torch: momentum_buffer is None, i.e. the first
 *                     step with momentum ≠ 0), else buf ← momentum·buf + (1 - dampening)·g
 *                     g ← g + momentum·buf (nesterov)  or  g ← buf
 *   p ← p - lr·g
 */
import type { Backend, Param } from '../types.js';
import type { OptimizerArgs } from './arguments.js';
import { allocState, defineOptimizer, type ArgumentProblem, type FactoryResult } from './module.js';

export interface SgdOptions {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weight_decay: number;
}

/** `firstStep`: the buffer does not exist yet (torch's `buf is None`); momentum is read at each call (schedulers change
 * it) */
export function sgdUpdate(
  p: Float32Array,
  g: Float32Array,
  buf: Float32Array,
  n: number,
  lr: number,
  o: SgdOptions,
  firstStep: boolean,
): void {
  const { momentum, dampening, nesterov, weight_decay: wd } = o;
  for (let i = 0; i < n; i++) {
    let d = g[i];
    if (wd !== 0) d += wd * p[i];
    if (momentum !== 0) {
      const b = firstStep ? d : momentum * buf[i] + (1 - dampening) * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    p[i] = p[i] - lr * d;
  }
}

/** torch/optim/sgd.py (SGD.__init__): "Nesterov momentum requires a momentum and zero dampening" */
function checkSgd(a: OptimizerArgs): ArgumentProblem | null {
  if (a.nesterov && (!(a.momentum > 0) || a.dampening !== 0)) {
    return { arg: 'nesterov', message: 'Nesterov momentum requires a momentum and zero dampening' };
  }
  return null;
}

function createSgd(a: OptimizerArgs, params: Param[], backend: Backend): FactoryResult {
  const problem = checkSgd(a);
  if (problem) throw new Error(problem.message);
  // momentum_buffer (allocated up front; torch creates it at the first step with momentum ≠ 0)
  const buf = allocState(backend, params);
  const o: SgdOptions = {
    momentum: a.momentum,
    dampening: a.dampening,
    nesterov: a.nesterov,
    weight_decay: a.weight_decay,
  };
  // torch creates the momentum buffer (= the gradient) at the first step whose momentum is non-zero
  let from = 0;
  // the backend's fused SGD (float32) when it has one, else sgdUpdate
  const fused = backend.fused?.sgd?.bind(backend.fused) ?? null;
  return {
    state: buf,
    update: (lr, step) => {
      if (fused) params.forEach((p, i) => fused(p.value, p.grad, buf[i], p.value.length, lr, o, from === 0));
      else params.forEach((p, i) => sgdUpdate(p.value, p.grad, buf[i], p.value.length, lr, o, from === 0));
      if (o.momentum !== 0 && from === 0) from = step;
    },
    momentum: {
      get: () => o.momentum,
      set: (m) => {
        o.momentum = m;
      },
    },
    bufferFrom: {
      get: () => from,
      set: (s) => {
        from = s;
      },
    },
  };
}

export const SGD = defineOptimizer({
  name: 'sgd',
  torchClass: 'SGD',
  defaults: { momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 },
  momentum: { param: 'momentum', bufferFromFirstMomentum: false },
  check: checkSgd,
  stateBuffers: () => 1,
  create: createSgd,
});
