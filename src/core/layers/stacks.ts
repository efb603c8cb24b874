/**
 * Layer stacks the service writes itself: the model shorthand `{hidden, activation, init,
 * batchnorm, dropout}` expanded into layers, and the output layer it appends (nn.Linear with no
 * activation). Layers are resolved by their modules, so their defaults are the modules' own.
 */
import type { ActivationName, InitSpec } from '../spec.js';
import type { LayerField } from './module.js';
import { dense } from './dense.js';
import { resolveLayer, type LayerSpec } from './registry.js';

const layer = (raw: Record<string, unknown>): LayerSpec => resolveLayer(raw)!;

/** The shorthand's `hidden` widths take what a dense layer's `units` takes. */
export const HIDDEN_UNITS: LayerField = dense.fields.units;

export interface Shorthand {
  hidden: readonly number[];
  activation: ActivationName;
  init: InitSpec;
  /** BatchNorm1d after each hidden dense layer (dense without activation → batchnorm → activation) */
  batchnorm?: boolean;
  /** dropout probability after each hidden layer */
  dropout?: number;
}

export function shorthandLayers(m: Shorthand): LayerSpec[] {
  const layers: LayerSpec[] = [];
  for (const units of m.hidden) {
    if (m.batchnorm) {
      layers.push(layer({ type: 'dense', units, activation: 'identity', init: m.init }));
      layers.push(layer({ type: 'batchnorm' }));
      layers.push(layer({ type: 'activation', activation: m.activation }));
    } else {
      layers.push(layer({ type: 'dense', units, activation: m.activation, init: m.init }));
    }
    if (m.dropout) layers.push(layer({ type: 'dropout', p: m.dropout }));
  }
  return layers;
}

/** The output layer: nn.Linear(width, units) with no activation and the default init. */
export function outputDense(units: number, init: InitSpec = { name: 'default' }, bias = true): LayerSpec {
  return { type: 'dense', units, activation: 'identity', init, bias };
}

/** A plain MLP: hidden dense layers with `activation`, then the output layer. */
export function mlpLayers(
  hidden: number[],
  activation: ActivationName,
  init: InitSpec,
  outputs: number,
  bias = true,
): LayerSpec[] {
  return [
    ...hidden.map((units): LayerSpec => ({ type: 'dense', units, activation, init, bias })),
    outputDense(outputs, init, bias),
  ];
}
