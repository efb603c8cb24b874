/**
 * Optimizers by torch.optim name: one update function per family (./sgd, ./adam, ./rmsprop,
 * ./adagrad) with the variants as parameters, and this table binding a name to its state
 * buffers. The learning rate is an argument of every step (the range test changes it each step).
 */
import type { Backend, Param } from '../types.js';
import type { OptimizerName, OptimizerSpec } from '../spec.js';
import { sgdUpdate } from './sgd.js';
import { adamUpdate } from './adam.js';
import { rmspropUpdate } from './rmsprop.js';
import { adagradUpdate } from './adagrad.js';

export interface Optimizer {
  readonly name: OptimizerName;
  /** one update of every param with its current grad at learning rate lr */
  step(lr: number): void;
  /** number of steps taken (torch's state['step']) */
  readonly steps: number;
  /** all state buffers, in a fixed order (for snapshot/restore) */
  readonly state: Float32Array[];
  /** restore the step counter (with the buffers copied back by the caller) */
  setSteps(n: number): void;
}

type Factory = (spec: OptimizerSpec, params: Param[], backend: Backend) => { state: Float32Array[]; update: (lr: number, step: number) => void };

const alloc = (b: Backend, params: Param[], fill = 0): Float32Array[] => params.map((p) => {
  const a = b.alloc(p.value.length);
  if (fill !== 0) a.fill(fill);
  return a;
});

const adamFactory = (decoupled: boolean): Factory => (spec, params, backend) => {
  const m = alloc(backend, params), v = alloc(backend, params);
  const vmax = spec.amsgrad ? alloc(backend, params) : null;
  const o = { beta1: spec.betas[0], beta2: spec.betas[1], eps: spec.eps, weight_decay: spec.weight_decay, amsgrad: spec.amsgrad, decoupled };
  // the backend's fused Adam (no amsgrad) when it has one, else ./adam.ts
  const fused = backend.fused && !spec.amsgrad ? backend.fused : null;
  return {
    state: [...m, ...v, ...(vmax ?? [])],
    update: fused
      ? (lr, step) => params.forEach((p, i) => fused.adam(p.value, p.grad, m[i], v[i], p.value.length, lr, step, o))
      : (lr, step) => params.forEach((p, i) => adamUpdate(p.value, p.grad, m[i], v[i], vmax ? vmax[i] : null, p.value.length, lr, step, o)),
  };
};

export const OPTIMIZERS: Record<OptimizerName, Factory> = {
  sgd: (spec, params, backend) => {
    if (spec.nesterov && (spec.momentum <= 0 || spec.dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening');
    const buf = alloc(backend, params);
    const o = { momentum: spec.momentum, dampening: spec.dampening, nesterov: spec.nesterov, weight_decay: spec.weight_decay };
    return { state: buf, update: (lr, step) => params.forEach((p, i) => sgdUpdate(p.value, p.grad, buf[i], p.value.length, lr, o, step === 1)) };
  },
  adam: adamFactory(false),
  adamw: adamFactory(true),
  rmsprop: (spec, params, backend) => {
    const sq = alloc(backend, params);
    const ga = spec.centered ? alloc(backend, params) : null;
    const buf = spec.momentum > 0 ? alloc(backend, params) : null;
    const o = { alpha: spec.alpha, eps: spec.eps, weight_decay: spec.weight_decay, momentum: spec.momentum, centered: spec.centered };
    return {
      state: [...sq, ...(ga ?? []), ...(buf ?? [])],
      update: (lr) => params.forEach((p, i) => rmspropUpdate(p.value, p.grad, sq[i], ga ? ga[i] : null, buf ? buf[i] : null, p.value.length, lr, o)),
    };
  },
  adagrad: (spec, params, backend) => {
    const sum = alloc(backend, params, spec.initial_accumulator_value);
    const o = { lr_decay: spec.lr_decay, eps: spec.eps, weight_decay: spec.weight_decay };
    return { state: sum, update: (lr, step) => params.forEach((p, i) => adagradUpdate(p.value, p.grad, sum[i], p.value.length, lr, step, o)) };
  },
};

export function createOptimizer(spec: OptimizerSpec, params: Param[], backend: Backend): Optimizer {
  const factory = OPTIMIZERS[spec.type];
  if (!factory) throw new Error(`unknown optimizer '${spec.type}'; expected one of ${Object.keys(OPTIMIZERS).join(', ')}`);
  const { state, update } = factory(spec, params, backend);
  let steps = 0;
  return {
    name: spec.type,
    state,
    get steps() { return steps; },
    setSteps(n: number) { steps = n; },
    step(lr: number) {
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`Invalid learning rate: ${lr}`);
      steps += 1;
      update(lr, steps);
    },
  };
}

export { sgdUpdate, adamUpdate, rmspropUpdate, adagradUpdate };
