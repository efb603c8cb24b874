/**
 * Optimizers by torch.optim name: one module per optimizer (./registry.ts lists them; ./module.ts
 * says what each owns), and here the wrapper every caller gets: step counting, the momentum a
 * scheduler sets, snapshot scalars. The learning rate is an argument of every step (the range test
 * changes it each step).
 *
 * Momentum can change between steps the way torch's CyclicLR / OneCycleLR change it
 * (pytorch torch/optim/lr_scheduler.py, CyclicLR.get_lr / OneCycleLR.get_lr with cycle_momentum):
 * `use_beta1 = "betas" in optimizer.defaults`, then each step writes `group["betas"] = (m, β2)`
 * (Adam, AdamW) or else `group["momentum"] = m` (SGD, RMSprop); an optimizer with neither
 * (Adagrad) is a ValueError. The update functions read the value current at each step, as
 * torch's do (Adam's bias correction uses it too: `1 - beta1 ** step`, _single_tensor_adam).
 */
import type { Backend, OptimizerScalars, Param } from '../types.js';
import type { OptimizerSpec } from '../spec.js';
import { optimizerModule, type OptimizerName } from './registry.js';

export interface Optimizer {
  readonly name: OptimizerName;
  /** one update of every param with its current grad at learning rate lr */
  step(lr: number): void;
  /** number of steps taken (torch's state['step']) */
  readonly steps: number;
  /** all state buffers, in a fixed order (for snapshot/restore) */
  readonly state: Float32Array[];
  /** restore the step counter (with the buffers copied back by the caller); an SGD momentum buffer created after step n
   * is forgotten */
  setSteps(n: number): void;
  /**
   * What torch's cycling schedulers write (the module's `momentum` capability): `momentum` or
   * `betas[0]`; null for an optimizer with neither. Starts at the spec's value.
   */
  readonly momentum: number | null;
  /** set `momentum` for the following steps (throws for one with neither, as CyclicLR/OneCycleLR raise ValueError) */
  setMomentum(m: number): void;
  /** the scalars a snapshot needs besides the buffers and the step count */
  readonly scalars: OptimizerScalars;
  setScalars(s: OptimizerScalars): void;
}

/** State buffers per parameter tensor of the optimizer `spec` describes (what sizing a backend needs before building);
 * throws for an unknown optimizer. */
export function optimizerStateBuffers(spec: OptimizerSpec): number {
  return optimizerModule(spec.type).stateBuffers(spec);
}

export function createOptimizer(spec: OptimizerSpec, params: Param[], backend: Backend): Optimizer {
  const def = optimizerModule(spec.type);
  const { state, update, momentum, bufferFrom } = def.create(spec, params, backend);
  const layout = def.stateBuffers(spec);
  if (state.length !== layout * params.length) {
    throw new Error(
      `${spec.type} allocated ${state.length} state buffers for ${params.length} parameters; ` +
        `its layout says ${layout} each`,
    );
  }
  if (!momentum !== !def.momentum) throw new Error(`${spec.type}'s factory and its momentum capability disagree`);
  let steps = 0;
  const setMomentum = (m: number | null): void => {
    if (!momentum) {
      if (m === null) return;
      throw new Error(
        `${spec.type} has no momentum or beta1 to set (torch: "optimizer must support momentum or beta1 with \`cycle_momentum\` option enabled")`,
      );
    }
    if (typeof m !== 'number' || !Number.isFinite(m)) throw new Error(`momentum must be a finite number, got ${m}`);
    momentum.set(m);
  };
  return {
    name: spec.type,
    state,
    get steps() {
      return steps;
    },
    setSteps(n: number) {
      steps = n;
      if (bufferFrom && bufferFrom.get() > n) bufferFrom.set(0);
    },
    get momentum() {
      return momentum ? momentum.get() : null;
    },
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

export { sgdUpdate } from './sgd.js';
export { adamUpdate } from './adam.js';
export { rmspropUpdate } from './rmsprop.js';
export { adagradUpdate } from './adagrad.js';
export {
  DEFAULT_OPTIMIZER,
  OPTIMIZER_NAMES,
  cycleMomentumProblem,
  findOptimizer,
  momentumCapability,
  momentumSeriesProblem,
  optimizerModule,
  optimizerModules,
  withFirstMomentum,
  type OptimizerName,
} from './registry.js';
export type { MomentumCapability, OptimizerModule } from './module.js';
export { UNUSED_ARGS, type OptimizerArgs } from './arguments.js';
