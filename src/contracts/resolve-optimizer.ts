/**
 * Optimizer resolution (pure): the module of the registry (src/core/optimizers/registry.ts)
 * gives the arguments its torch.optim class takes, their defaults and its constructor's checks.
 */
import type { Static } from 'typebox';
import type { OptimizerSpec } from '../core/spec.js';
import {
  DEFAULT_OPTIMIZER,
  optimizerModule,
  UNUSED_ARGS,
  type OptimizerArgs,
  type OptimizerName,
} from '../core/optimizers/index.js';
import type { Optimizer } from './optimizer.js';
import { invalid } from './problems.js';

type RawOptimizer = Static<typeof Optimizer>;

/** The optimizer as echoed in a job's request: its type and the arguments its class takes. */
export type ResolvedOptimizer = { type: OptimizerName } & Partial<OptimizerArgs>;

export function resolveOptimizer(raw: RawOptimizer | undefined): ResolvedOptimizer {
  const type = raw?.type ?? DEFAULT_OPTIMIZER;
  const m = optimizerModule(type);
  for (const key of Object.keys(raw ?? {})) {
    if (key !== 'type' && !Object.hasOwn(m.defaults, key)) {
      const takes = Object.keys(m.defaults).join(', ');
      throw invalid(`/optimizer/${key}`, `torch.optim.${m.torchClass} has no argument '${key}' (it takes ${takes})`);
    }
  }
  // Only the arguments this optimizer takes are echoed back (as torch.optim would show them).
  const out: ResolvedOptimizer = { type, ...m.defaults, ...(raw ?? {}) };
  const problem = m.check({ ...UNUSED_ARGS, ...out });
  if (problem) throw invalid(`/optimizer/${problem.arg}`, problem.message);
  return out;
}

/** The full optimizer spec the core needs: its class's defaults, unused values for the arguments it does not take. */
export function completeOptimizer(opt: ResolvedOptimizer, lr: number): OptimizerSpec {
  return { ...UNUSED_ARGS, ...optimizerModule(opt.type).defaults, ...opt, lr };
}
