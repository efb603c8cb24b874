/**
 * Model and optimizer resolution (pure): the model shorthand expanded into layers, torch.nn.init
 * arguments kept verbatim, torch.optim's defaults per optimizer.
 */
import type { Static } from 'typebox';
import type { ActivationName, InitSpec, LayerSpec, OptimizerSpec } from '../core/spec.js';
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

/** Initializers keep torch.nn.init's argument names (uniform_(a, b), kaiming_normal_(a, mode, ...)). */
function resolveInit(raw: unknown, fallback: InitSpec): InitSpec {
  if (raw === undefined) return fallback;
  if (typeof raw === 'string') return { name: raw as InitSpec['name'] };
  return { ...(raw as InitSpec) };
}

type RawModel = Static<typeof Model>;
type RawLayer = Record<string, unknown> & { type: string };

function resolveLayer(raw: RawLayer, path: string, init: InitSpec): LayerSpec {
  switch (raw.type) {
    case 'dense':
      return {
        type: 'dense',
        units: raw.units as number,
        activation: (raw.activation as ActivationName | undefined) ?? 'identity',
        init: resolveInit(raw.init, init),
        bias: (raw.bias as boolean | undefined) ?? true,
      };
    case 'activation':
      return { type: 'activation', activation: raw.activation as ActivationName };
    case 'batchnorm':
      return { type: 'batchnorm', momentum: (raw.momentum as number | undefined) ?? 0.1, eps: (raw.eps as number | undefined) ?? 1e-5 };
    case 'layernorm':
      return { type: 'layernorm', eps: (raw.eps as number | undefined) ?? 1e-5 };
    case 'dropout':
      return { type: 'dropout', p: raw.p as number };
    case 'residual':
      return {
        type: 'residual',
        layers: (raw.layers as RawLayer[]).map((l, i) => resolveLayer(l, `${path}/layers/${i}`, init)),
      };
    default:
      throw invalid(`${path}/type`, `unknown layer type '${raw.type}'`);
  }
}

export function resolveModel(raw: RawModel | undefined): ResolvedModel {
  const model = raw ?? { hidden: [64, 64], activation: 'relu' as const };
  if ('layers' in model) {
    return { layers: (model.layers as unknown as RawLayer[]).map((l, i) => resolveLayer(l, `/model/layers/${i}`, { name: 'default' })) };
  }
  const activation = (model.activation ?? 'relu') as ActivationName;
  const init = resolveInit(model.init, { name: 'default' });
  const layers: LayerSpec[] = [];
  for (const units of model.hidden) {
    if (model.batchnorm) {
      layers.push({ type: 'dense', units, activation: 'identity', init, bias: true });
      layers.push({ type: 'batchnorm', momentum: 0.1, eps: 1e-5 });
      layers.push({ type: 'activation', activation });
    } else {
      layers.push({ type: 'dense', units, activation, init, bias: true });
    }
    if (model.dropout) layers.push({ type: 'dropout', p: model.dropout });
  }
  return { layers };
}

