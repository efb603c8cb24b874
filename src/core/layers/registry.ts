/**
 * The layer types. The model (build, parameter count, validation), the trainer's memory estimate
 * and statistics, the job cost, the diagnostics and the wire schemas (src/contracts/model.ts)
 * loop over this list; a new layer type is its file (see ./module.ts) and one line here. The
 * order is the order the API documents them in.
 */
import type { LayerModule } from './module.js';
import { dense } from './dense.js';
import { activation } from './activation.js';
import { batchnorm } from './batchnorm.js';
import { layernorm } from './layernorm.js';
import { dropout } from './dropout.js';
import { residual } from './residual.js';
import { conv2d } from './conv2d.js';
import { maxpool2d } from './maxpool2d.js';
import { avgpool2d } from './avgpool2d.js';
import { flatten } from './flatten.js';
import { globalAvgPool } from './global-avg-pool.js';

const MODULES = [
  dense,
  activation,
  batchnorm,
  layernorm,
  dropout,
  residual,
  conv2d,
  maxpool2d,
  avgpool2d,
  flatten,
  globalAvgPool,
] as const;

type SpecOf<M> = M extends LayerModule<infer S> ? S : never;

/** A resolved layer (every default filled in), as the core builds it: the union of the modules' specs. */
export type LayerSpec = SpecOf<(typeof MODULES)[number]>;

/** A layer type's name: the `type` of a request's layer. */
export type LayerType = LayerSpec['type'];

/** A layer module as the code that serves every layer sees it. */
export type RegisteredLayer = LayerModule<LayerSpec>;

export const LAYERS: readonly RegisteredLayer[] = MODULES;

/** The wire schema's description of a layer (the `Layer` component). */
export const LAYER_DESCRIPTION = 'one layer; `dense` is nn.Linear (+ activation), the others as in torch.nn';

export const LAYER_TYPES: readonly LayerType[] = LAYERS.map((m) => m.type);

const BY_TYPE = new Map<string, RegisteredLayer>(LAYERS.map((m) => [m.type, m]));

/** The module of a layer type; undefined for a name no layer has. */
export function findLayer(type: unknown): RegisteredLayer | undefined {
  return typeof type === 'string' ? BY_TYPE.get(type) : undefined;
}

/** The module of a layer known to be registered (a built Layer's kind, a resolved spec's type). */
export function layerModule(type: LayerType): RegisteredLayer {
  const m = BY_TYPE.get(type);
  if (!m) throw new Error(`unknown layer type '${type}'`);
  return m;
}

/**
 * A raw (schema-checked) request layer resolved by its module, nested layers included; undefined
 * for an unknown type.
 */
export function resolveLayer(raw: unknown): LayerSpec | undefined {
  const r = raw as Record<string, unknown> | null;
  const m = findLayer(r?.type);
  if (!m || !r) return undefined;
  return m.resolve(r, (child) => resolveLayer(child));
}

/** The layer lists a layer holds (a residual block's `layers`): its fields of kind 'layers'. */
export function nestedLayers(spec: LayerSpec): LayerSpec[][] {
  const m = layerModule(spec.type);
  return Object.entries(m.fields)
    .filter(([, f]) => f.kind === 'layers')
    .map(([name]) => (spec as unknown as Record<string, LayerSpec[]>)[name]);
}
