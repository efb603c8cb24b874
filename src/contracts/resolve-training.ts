/**
 * Model resolution (pure): the model shorthand expanded into layers, torch.nn.init arguments kept
 * verbatim. The optimizer's is ./resolve-optimizer.ts.
 */
import type { Static } from 'typebox';
import type { ActivationName, InitSpec, LayerSpec } from '../core/spec.js';
import type { Model } from './model.js';
import { invalid } from './problems.js';

export interface ResolvedModel {
  /** hidden layers; the output layer is appended by `outputLayer` */
  layers: LayerSpec[];
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

