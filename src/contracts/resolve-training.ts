/**
 * Model resolution (pure): the model shorthand expanded into layers, each layer resolved by its module
 * (src/core/layers/registry.ts). The optimizer's is ./resolve-optimizer.ts.
 */
import type { Static } from 'typebox';
import type { ActivationName, LayerSpec } from '../core/spec.js';
import { resolveInit } from '../core/layers/init-check.js';
import { findLayer } from '../core/layers/registry.js';
import { shorthandLayers } from '../core/layers/stacks.js';
import type { Model } from './model.js';
import { invalid } from './problems.js';

export interface ResolvedModel {
  /** hidden layers; the output layer is appended by `outputLayer` */
  layers: LayerSpec[];
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
