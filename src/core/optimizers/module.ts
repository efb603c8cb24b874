/**
 * What an optimizer module owns (one file per torch.optim class; ./registry.ts lists them): its
 * wire name, the PyTorch class it mirrors, that class's defaults (the arguments it takes), what a
 * cycling scheduler may do to it, its argument checks, its state layout and its factory. Nothing
 * outside the modules and the registry names an optimizer (test/core/optimizers/registry.test.ts).
 */
import type { Backend, Param } from '../types.js';
import type { OptimizerArgs } from './arguments.js';

/** What the factory hands the wrapper of ./index.ts. */
export interface FactoryResult {
  state: Float32Array[];
  update: (lr: number, step: number) => void;
  /** get/set the momentum hyper-parameter; present exactly when the module's `momentum` is */
  momentum?: { get(): number; set(m: number): void };
  /** SGD: step whose update created the momentum buffer (0 = none yet), read and rewound by the wrapper */
  bufferFrom?: { get(): number; set(step: number): void };
}

/**
 * What torch's CyclicLR / OneCycleLR with cycle_momentum write into the param group each step
 * (pytorch torch/optim/lr_scheduler.py: `use_beta1 = "betas" in optimizer.defaults`, then
 * `group["betas"] = (m, β2)` or else `group["momentum"] = m`; neither is a ValueError).
 */
export interface MomentumCapability {
  /** the param-group entry written: `momentum`, or the first of `betas` */
  param: 'momentum' | 'betas';
  /**
   * The momentum buffer is allocated from the momentum at construction (RMSprop: only when it is
   * > 0, rmsprop.py _init_group): a cycling scheduler's first momentum, which its __init__ writes
   * into the group, must reach the constructor, and a later momentum > 0 after a first of 0 is
   * torch's KeyError 'momentum_buffer'.
   */
  bufferFromFirstMomentum: boolean;
}

/** A mistake in an optimizer's arguments: the argument to point at and torch's message. */
export interface ArgumentProblem {
  arg: keyof OptimizerArgs;
  message: string;
}

export interface OptimizerModule<N extends string = string> {
  /** the wire name (`optimizer.type`) */
  readonly name: N;
  /** the class of torch.optim it mirrors (`SGD` is torch.optim.SGD) */
  readonly torchClass: string;
  /** the arguments it takes (besides lr), with that class's defaults, in its constructor's order */
  readonly defaults: Readonly<Partial<OptimizerArgs>>;
  /** what a momentum-cycling scheduler writes; null: it has neither momentum nor betas */
  readonly momentum: MomentumCapability | null;
  /** its constructor's checks of a complete set of arguments */
  check(args: OptimizerArgs): ArgumentProblem | null;
  /** state buffers per parameter tensor, each the tensor's size (torch's per-parameter `state` entries) */
  stateBuffers(args: OptimizerArgs): number;
  /** allocates exactly `stateBuffers(args)` buffers per parameter and returns the update */
  create(args: OptimizerArgs, params: Param[], backend: Backend): FactoryResult;
}

/** Declares a module (keeps its name's literal type, from which OptimizerName is derived). */
export function defineOptimizer<N extends string>(m: OptimizerModule<N>): OptimizerModule<N> {
  return m;
}

/** One zeroed (or `fill`ed) buffer per parameter, from the backend (which may need its own memory). */
export function allocState(b: Backend, params: Param[], fill = 0): Float32Array[] {
  return params.map((p) => {
    const a = b.alloc(p.value.length);
    if (fill !== 0) a.fill(fill);
    return a;
  });
}

/** No argument problem (for modules whose constructor checks nothing beyond the schema's bounds). */
export const noCheck = (): null => null;
