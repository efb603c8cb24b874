/**
 * The optimizers, one module each (./module.ts says what a module owns). The names, the wire
 * schema (src/contracts/optimizer.ts), resolution and the schedules' momentum checks all follow
 * from this list: an optimizer is one module file and one line here.
 */
import type { OptimizerArgs } from './arguments.js';
import type { MomentumCapability, OptimizerModule } from './module.js';
import { SGD } from './sgd.js';
import { ADAM } from './adam.js';
import { ADAMW } from './adamw.js';
import { RMSPROP } from './rmsprop.js';
import { ADAGRAD } from './adagrad.js';

const MODULES = [SGD, ADAM, ADAMW, RMSPROP, ADAGRAD] as const;

/** Optimizer names on the wire (`optimizer.type`), torch.optim's class names in lower case. */
export type OptimizerName = (typeof MODULES)[number]['name'];

export const OPTIMIZER_NAMES = MODULES.map((m) => m.name) as readonly OptimizerName[];

/** The service's optimizer when a request names none (not torch's: torch.optim has no default). */
export const DEFAULT_OPTIMIZER: OptimizerName = ADAM.name;

const BY_NAME = new Map<string, OptimizerModule>(MODULES.map((m) => [m.name, m]));

/** The module of a name, or undefined (safe for any string a client sent). */
export function findOptimizer(name: string): OptimizerModule | undefined {
  return BY_NAME.get(name);
}

/** The module of a name; throws for an unknown one. */
export function optimizerModule(name: string): OptimizerModule {
  const m = BY_NAME.get(name);
  if (!m) throw new Error(`unknown optimizer '${name}'; expected one of ${OPTIMIZER_NAMES.join(', ')}`);
  return m;
}

/** Every module, in registry order. */
export function optimizerModules(): readonly OptimizerModule[] {
  return MODULES;
}

/** What a momentum-cycling scheduler (CyclicLR / OneCycleLR) writes into this optimizer; null: nothing. */
export function momentumCapability(name: OptimizerName): MomentumCapability | null {
  return optimizerModule(name).momentum;
}

/**
 * Why a momentum-cycling schedule cannot drive this optimizer, in torch's words
 * (torch/optim/lr_scheduler.py, CyclicLR / OneCycleLR __init__: ValueError); null when it can.
 */
export function cycleMomentumProblem(name: OptimizerName): string | null {
  const m = optimizerModule(name);
  if (m.momentum) return null;
  return (
    'optimizer must support momentum or beta1 with `cycle_momentum` option enabled ' +
    `(${m.torchClass} has neither; pass cycle_momentum: false)`
  );
}

/**
 * The optimizer's arguments as a momentum-cycling scheduler leaves them before the first step: its
 * __init__ writes the first momentum into the param group, which matters to an optimizer that
 * allocates its momentum buffer from it (RMSprop); the others just get it with each step.
 */
export function withFirstMomentum<T extends { type: OptimizerName } & Partial<OptimizerArgs>>(spec: T, m: number): T {
  return momentumCapability(spec.type)?.bufferFromFirstMomentum ? { ...spec, momentum: m } : spec;
}

/**
 * Why a schedule's momentum series cannot drive this optimizer: one that allocates its momentum
 * buffer only when the first step's momentum is > 0 (RMSprop, rmsprop.py _init_group) fails at a
 * later momentum > 0 after a first of 0 (torch: KeyError 'momentum_buffer'); null when it can.
 */
export function momentumSeriesProblem(name: OptimizerName, momentum: readonly number[]): string | null {
  const m = optimizerModule(name);
  if (!m.momentum?.bufferFromFirstMomentum || momentum.length === 0 || momentum[0] > 0) return null;
  const j = momentum.findIndex((v) => v > 0);
  if (j < 0) return null;
  return (
    `${m.torchClass}'s momentum is ${momentum[0]} at the first step and ${momentum[j]} at step ${j}: ` +
    "torch allocates the momentum buffer only when the first step has momentum > 0 (KeyError: 'momentum_buffer')"
  );
}
