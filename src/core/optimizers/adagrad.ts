/**
 * Adagrad as torch.optim.Adagrad (pytorch torch/optim/adagrad.py, _single_tensor_adagrad),
 * state_sum initialised to initial_accumulator_value, step t counted from 1:
 *   g ← g + weight_decay·p
 *   clr = lr / (1 + (t-1)·lr_decay)
 *   sum ← sum + g²
 *   p ← p - clr · g / (√sum + eps)
 */
import type { Backend, Param } from '../types.js';
import type { OptimizerArgs } from './arguments.js';
import { allocState, defineOptimizer, noCheck, type FactoryResult } from './module.js';

export interface AdagradOptions {
  lr_decay: number;
  eps: number;
  weight_decay: number;
}

export function adagradUpdate(
  p: Float32Array,
  g: Float32Array,
  sum: Float32Array,
  n: number,
  lr: number,
  step: number,
  o: AdagradOptions,
): void {
  const { lr_decay, eps, weight_decay: wd } = o;
  const clr = lr / (1 + (step - 1) * lr_decay);
  for (let i = 0; i < n; i++) {
    let gi = g[i];
    if (wd !== 0) gi += wd * p[i];
    sum[i] = sum[i] + gi * gi;
    p[i] = p[i] - clr * (gi / (Math.sqrt(sum[i]) + eps));
  }
}

function createAdagrad(a: OptimizerArgs, params: Param[], backend: Backend): FactoryResult {
  // state_sum, initialised to initial_accumulator_value
  const sum = allocState(backend, params, a.initial_accumulator_value);
  const o: AdagradOptions = { lr_decay: a.lr_decay, eps: a.eps, weight_decay: a.weight_decay };
  return {
    state: sum,
    update: (lr, step) => params.forEach((p, i) => adagradUpdate(p.value, p.grad, sum[i], p.value.length, lr, step, o)),
  };
}

export const ADAGRAD = defineOptimizer({
  name: 'adagrad',
  torchClass: 'Adagrad',
  defaults: { lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10 },
  // neither momentum nor betas: CyclicLR / OneCycleLR with cycle_momentum raise ValueError
  momentum: null,
  check: noCheck,
  stateBuffers: () => 1,
  create: createAdagrad,
});
