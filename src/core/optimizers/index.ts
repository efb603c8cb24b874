/**
 * Optimizers by torch.optim name: one update function per family (./sgd, ./adam, ./rmsprop,
 * ./adagrad) with the variants as parameters, and this table binding a name to its state
 * buffers. The learning rate is an argument of every step (the range test changes it each step).
 *
 * Momentum can change between steps the way torch's CyclicLR / OneCycleLR change it
 * (pytorch torch/optim/lr_scheduler.py, CyclicLR.get_lr / OneCycleLR.get_lr with cycle_momentum):
 * `use_beta1 = "betas" in optimizer.defaults`, then each step writes `group["betas"] = (m, β2)`
 * (Adam, AdamW) or else `group["momentum"] = m` (SGD, RMSprop); an optimizer with neither
 * (Adagrad) is a ValueError. The update functions read the value current at each step, as
 * torch's do (Adam's bias correction uses it too: `1 - beta1 ** step`, _single_tensor_adam).
 */
import type { Backend, OptimizerScalars, Param } from '../types.js';
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
  /** restore the step counter (with the buffers copied back by the caller); an SGD momentum buffer created after step n is forgotten */
  setSteps(n: number): void;
  /**
   * What torch's cycling schedulers write: SGD / RMSprop `momentum`, Adam / AdamW `betas[0]`;
   * null for Adagrad (no momentum). Starts at the spec's value.
   */
  readonly momentum: number | null;
  /** set `momentum` for the following steps (throws for Adagrad, as CyclicLR/OneCycleLR raise ValueError) */
  setMomentum(m: number): void;
  /** the scalars a snapshot needs besides the buffers and the step count */
  readonly scalars: OptimizerScalars;
  setScalars(s: OptimizerScalars): void;
}

interface FactoryResult {
  state: Float32Array[];
  update: (lr: number, step: number) => void;
  /** get/set the momentum hyper-parameter; absent: the optimizer has none */
  momentum?: { get(): number; set(m: number): void };
  /** SGD: step whose update created the momentum buffer (0 = none yet), read and rewound by the wrapper */
  bufferFrom?: { get(): number; set(step: number): void };
}

type Factory = (spec: OptimizerSpec, params: Param[], backend: Backend) => FactoryResult;

/** An optimizer: its state layout and its factory, which allocates exactly that state. */
export interface OptimizerDef {
  /** state buffers per parameter tensor, each the tensor's size (torch's per-parameter `state` entries) */
  stateBuffers(spec: OptimizerSpec): number;
  create: Factory;
}

const alloc = (b: Backend, params: Param[], fill = 0): Float32Array[] => params.map((p) => {
  const a = b.alloc(p.value.length);
  if (fill !== 0) a.fill(fill);
  return a;
});

const adamFactory = (decoupled: boolean): Factory => (spec, params, backend) => {
  const m = alloc(backend, params), v = alloc(backend, params);
  const vmax = spec.amsgrad ? alloc(backend, params) : null;
  // one options object read by both paths at every call: setting beta1 here is torch's group["betas"] = (m, β2)
  const o = { beta1: spec.betas[0], beta2: spec.betas[1], eps: spec.eps, weight_decay: spec.weight_decay, amsgrad: spec.amsgrad, decoupled };
  // the backend's fused Adam (no amsgrad) when it has one, else ./adam.ts
  const fused = backend.fused && !spec.amsgrad ? backend.fused : null;
  return {
    state: [...m, ...v, ...(vmax ?? [])],
    momentum: { get: () => o.beta1, set: (b1) => { o.beta1 = b1; } },
    update: fused
      ? (lr, step) => params.forEach((p, i) => fused.adam(p.value, p.grad, m[i], v[i], p.value.length, lr, step, o))
      : (lr, step) => params.forEach((p, i) => adamUpdate(p.value, p.grad, m[i], v[i], vmax ? vmax[i] : null, p.value.length, lr, step, o)),
  };
};

export const OPTIMIZERS: Record<OptimizerName, OptimizerDef> = {
  // momentum_buffer (allocated up front; torch creates it at the first step with momentum ≠ 0)
  sgd: { stateBuffers: () => 1, create: (spec, params, backend) => {
    if (spec.nesterov && (spec.momentum <= 0 || spec.dampening !== 0)) throw new Error('Nesterov momentum requires a momentum and zero dampening');
    const buf = alloc(backend, params);
    const o = { momentum: spec.momentum, dampening: spec.dampening, nesterov: spec.nesterov, weight_decay: spec.weight_decay };
    // torch creates the momentum buffer (= the gradient) at the first step whose momentum is non-zero
    let from = 0;
    // the backend's fused SGD (float32) when it has one, else ./sgd.ts
    const fusedSgd = backend.fused?.sgd?.bind(backend.fused) ?? null;
    return {
      state: buf,
      update: (lr, step) => {
        if (fusedSgd) params.forEach((p, i) => fusedSgd(p.value, p.grad, buf[i], p.value.length, lr, o, from === 0));
        else params.forEach((p, i) => sgdUpdate(p.value, p.grad, buf[i], p.value.length, lr, o, from === 0));
        if (o.momentum !== 0 && from === 0) from = step;
      },
      momentum: { get: () => o.momentum, set: (m) => { o.momentum = m; } },
      bufferFrom: { get: () => from, set: (s) => { from = s; } },
    };
  } },
  // exp_avg, exp_avg_sq (+ max_exp_avg_sq with amsgrad)
  adam: { stateBuffers: (spec) => (spec.amsgrad ? 3 : 2), create: adamFactory(false) },
  adamw: { stateBuffers: (spec) => (spec.amsgrad ? 3 : 2), create: adamFactory(true) },
  // square_avg (+ grad_avg when centered, + momentum_buffer when momentum > 0 at construction)
  rmsprop: { stateBuffers: (spec) => 1 + (spec.centered ? 1 : 0) + (spec.momentum > 0 ? 1 : 0), create: (spec, params, backend) => {
    const sq = alloc(backend, params);
    const ga = spec.centered ? alloc(backend, params) : null;
    const buf = spec.momentum > 0 ? alloc(backend, params) : null;
    const o = { alpha: spec.alpha, eps: spec.eps, weight_decay: spec.weight_decay, momentum: spec.momentum, centered: spec.centered };
    return {
      state: [...sq, ...(ga ?? []), ...(buf ?? [])],
      update: (lr) => params.forEach((p, i) => rmspropUpdate(p.value, p.grad, sq[i], ga ? ga[i] : null, buf ? buf[i] : null, p.value.length, lr, o)),
      momentum: {
        get: () => o.momentum,
        set: (m) => {
          // torch allocates momentum_buffer with the rest of the state, only when momentum > 0 then
          // (_init_group); a later momentum > 0 without it is torch's KeyError 'momentum_buffer'
          if (m > 0 && !buf) throw new Error('RMSprop was created with momentum 0, so it has no momentum buffer; create it with the momentum of its first step');
          o.momentum = m;
        },
      },
    };
  } },
  // sum
  adagrad: { stateBuffers: () => 1, create: (spec, params, backend) => {
    const sum = alloc(backend, params, spec.initial_accumulator_value);
    const o = { lr_decay: spec.lr_decay, eps: spec.eps, weight_decay: spec.weight_decay };
    return { state: sum, update: (lr, step) => params.forEach((p, i) => adagradUpdate(p.value, p.grad, sum[i], p.value.length, lr, step, o)) };
  } },
};

function optimizerDef(spec: OptimizerSpec): OptimizerDef {
  const def = Object.hasOwn(OPTIMIZERS, spec.type) ? OPTIMIZERS[spec.type] : undefined;
  if (!def) throw new Error(`unknown optimizer '${spec.type}'; expected one of ${Object.keys(OPTIMIZERS).join(', ')}`);
  return def;
}

/** State buffers per parameter tensor of the optimizer `spec` describes (what sizing a backend needs before building); throws for an unknown optimizer. */
export function optimizerStateBuffers(spec: OptimizerSpec): number {
  return optimizerDef(spec).stateBuffers(spec);
}

export function createOptimizer(spec: OptimizerSpec, params: Param[], backend: Backend): Optimizer {
  const def = optimizerDef(spec);
  const { state, update, momentum, bufferFrom } = def.create(spec, params, backend);
  if (state.length !== def.stateBuffers(spec) * params.length) {
    throw new Error(`${spec.type} allocated ${state.length} state buffers for ${params.length} parameters; its layout says ${def.stateBuffers(spec)} each`);
  }
  let steps = 0;
  const setMomentum = (m: number | null): void => {
    if (!momentum) {
      if (m === null) return;
      throw new Error(`${spec.type} has no momentum or beta1 to set (torch: "optimizer must support momentum or beta1 with \`cycle_momentum\` option enabled")`);
    }
    if (typeof m !== 'number' || !Number.isFinite(m)) throw new Error(`momentum must be a finite number, got ${m}`);
    momentum.set(m);
  };
  return {
    name: spec.type,
    state,
    get steps() { return steps; },
    setSteps(n: number) {
      steps = n;
      if (bufferFrom && bufferFrom.get() > n) bufferFrom.set(0);
    },
    get momentum() { return momentum ? momentum.get() : null; },
    setMomentum,
    get scalars(): OptimizerScalars {
      return { momentum: momentum ? momentum.get() : null, momentum_buffer_from: bufferFrom ? bufferFrom.get() : 0 };
    },
    setScalars(s: OptimizerScalars) {
      setMomentum(s.momentum);
      if (bufferFrom) bufferFrom.set(s.momentum_buffer_from);
    },
    step(lr: number) {
      if (!Number.isFinite(lr) || lr < 0) throw new Error(`Invalid learning rate: ${lr}`);
      steps += 1;
      update(lr, steps);
    },
  };
}

export { sgdUpdate, adamUpdate, rmspropUpdate, adagradUpdate };
