/**
 * Model and optimizer resolution (pure): the model shorthand expanded into layers, each layer
 * resolved by its module (src/core/layers/registry.ts), torch.optim's defaults per optimizer.
 */
import type { Static } from 'typebox';
import type { ActivationName, LayerSpec, OptimizerSpec } from '../core/spec.js';
import { resolveInit } from '../core/layers/init-check.js';
import { findLayer } from '../core/layers/registry.js';
import { shorthandLayers } from '../core/layers/stacks.js';
import type { Model, Optimizer } from './model.js';
import { invalid } from './problems.js';

export interface ResolvedModel {
  /** hidden layers; the output layer is appended by `outputLayer` */
  layers: LayerSpec[];
}


/** PyTorch's defaults per optimizer (torch/optim/*.py constructors). */
const OPTIMIZER_DEFAULTS: Record<OptimizerSpec['type'], Partial<OptimizerSpec>> = {
  sgd: { momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 },
  adam: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
  adamw: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false },
  rmsprop: { alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false },
  adagrad: { lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10 },
};

/** Every optimizer field with a neutral value, so the core always receives a complete spec. */
const OPTIMIZER_BASE: Omit<OptimizerSpec, 'lr' | 'type'> = {
  momentum: 0, dampening: 0, nesterov: false, weight_decay: 0, betas: [0.9, 0.999], eps: 1e-8,
  amsgrad: false, alpha: 0.99, centered: false, lr_decay: 0, initial_accumulator_value: 0,
};

type RawOptimizer = Static<typeof Optimizer>;

export type ResolvedOptimizer = Pick<OptimizerSpec, 'type'> & Partial<Omit<OptimizerSpec, 'lr' | 'type'>>;

export function resolveOptimizer(raw: RawOptimizer | undefined): ResolvedOptimizer {
  const type = raw?.type ?? 'adam';
  const allowed = OPTIMIZER_DEFAULTS[type];
  for (const key of Object.keys(raw ?? {})) {
    if (key !== 'type' && !Object.hasOwn(allowed, key)) {
      throw invalid(`/optimizer/${key}`, `torch.optim.${torchName(type)} has no argument '${key}' (it takes ${Object.keys(allowed).join(', ')})`);
    }
  }
  // Only the arguments this optimizer takes are echoed back (as torch.optim would show them).
  const out = { type, ...allowed, ...(raw ?? {}) } as ResolvedOptimizer;
  // torch/optim/sgd.py: "Nesterov momentum requires a momentum and zero dampening"
  if (out.type === 'sgd' && out.nesterov && (!out.momentum || out.dampening !== 0)) {
    throw invalid('/optimizer/nesterov', 'Nesterov momentum requires a momentum and zero dampening');
  }
  return out;
}

/** The full optimizer spec the core needs: neutral values for the arguments this optimizer ignores. */
export function completeOptimizer(opt: ResolvedOptimizer, lr: number): OptimizerSpec {
  return { ...OPTIMIZER_BASE, ...opt, lr };
}

function torchName(type: OptimizerSpec['type']): string {
  return { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop', adagrad: 'Adagrad' }[type];
}

type RawModel = Static<typeof Model>;

/** A request's layer resolved by its module (src/core/layers); nested layers likewise, with their pointers. */
function resolveLayer(raw: unknown, path: string): LayerSpec {
  const r = raw as Record<string, unknown>;
  const m = findLayer(r?.type);
  if (!m) throw invalid(`${path}/type`, `unknown layer type '${String(r?.type)}'`);
  return m.resolve(r, (child, i) => resolveLayer(child, `${path}/layers/${i}`));
}

export function resolveModel(raw: RawModel | undefined): ResolvedModel {
  const model = raw ?? { hidden: [64, 64], activation: 'relu' as const };
  if ('layers' in model) {
    return { layers: (model.layers as unknown[]).map((l, i) => resolveLayer(l, `/model/layers/${i}`)) };
  }
  return {
    layers: shorthandLayers({
      hidden: model.hidden,
      activation: (model.activation ?? 'relu') as ActivationName,
      init: resolveInit(model.init, { name: 'default' }),
      batchnorm: model.batchnorm,
      dropout: model.dropout,
    }),
  };
}
