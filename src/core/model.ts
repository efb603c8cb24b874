/**
 * A model from a ModelSpec: a sequence of layers, built once for a fixed row capacity. Also the
 * checks the API needs before anything is allocated: `countParams`, `modelFlops` and
 * `validateModel`. Every layer type is a module of ./layers/registry.ts; this file only walks
 * the stack, passing each layer's output shape to the next.
 */
import type { Backend, Param } from './types.js';
import type { ActivationName, InitSpec, LossName, ModelSpec, Task } from './spec.js';
import type { BuildContext, Layer } from './layers/layer.js';
import { findLayer, LAYER_TYPES, LAYERS, type LayerSpec, type RegisteredLayer } from './layers/registry.js';
import { mlpLayers } from './layers/stacks.js';
import {
  isFlat,
  sameShape,
  showShape,
  sizeOf,
  type LayerMemory,
  type ModelProblem,
  type RegisteredLayerChildren,
  type Shape,
} from './layers/module.js';
import type { Rng } from './rng.js';

export type { ModelProblem, Shape } from './layers/module.js';

/** The model's input shape: `[features]`, or the shape a dataset declares (product = features). */
export type InputShape = number | Shape;
const shapeOf = (input: InputShape): Shape => (typeof input === 'number' ? [input] : input);

/**
 * The model's input shape for a dataset. Image data (a dataset that declares `shape` [C, H, W]) is
 * read as [C, H, W] when the model's first layer that is not elementwise (activation, dropout: see
 * LayerModule.input) takes images (conv2d, pooling, flatten); otherwise it is read flattened, as
 * PyTorch's MNIST MLP examples do with x.view(-1, 784). So an MLP on mnist (a model starting with
 * dense, or the `{hidden}` shorthand) sees the 784 features it always did, with identical results,
 * while a CNN on mnist sees [1, 28, 28]. NCHW rows make both readings the same floats in memory.
 */
export function modelInput(ds: { features: number; shape?: Shape }, model: Pick<ModelSpec, 'layers'>): Shape {
  if (!ds.shape || ds.shape.length !== 3 || sizeOf(ds.shape) !== ds.features) return [ds.features];
  for (const s of (model.layers ?? []) as { type?: unknown }[]) {
    const reads = findLayer(s?.type)?.input ?? 'flat';
    if (reads === 'any') continue;
    return reads === 'image' ? ds.shape : [ds.features];
  }
  return [ds.features];
}

export interface Model {
  readonly inDim: number;
  readonly outDim: number;
  readonly capacity: number;
  /** top-level layers */
  readonly layers: Layer[];
  /** every layer, depth first (a residual block precedes its children) */
  readonly allLayers: Layer[];
  readonly params: Param[];
  /** non-trainable state (BatchNorm running statistics) */
  readonly buffers: Float32Array[];
  forward(x: Float32Array, rows: number, train: boolean): Float32Array;
  /** back-propagate dL/d(output); writes every param's grad */
  backward(dOut: Float32Array, rows: number): void;
}

export interface BuildOptions {
  backend: Backend;
  capacity: number;
  /** weight-init stream */
  initRng: Rng;
  /** dropout stream */
  dropoutRng: Rng;
}

export function buildModel(spec: ModelSpec, input: InputShape, o: BuildOptions): Model {
  const inShape = shapeOf(input);
  const problems = validateModel(spec, inShape, null);
  if (problems.length) throw new Error(`invalid model: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const ctx: BuildContext = { backend: o.backend, capacity: o.capacity, initRng: o.initRng, dropoutRng: o.dropoutRng };
  const all: Layer[] = [];
  type Built = { layers: Layer[]; shape: Shape };
  const build = (specs: readonly unknown[], shape: Shape, prefix: string, first: boolean): Built => {
    const layers: Layer[] = [];
    for (const [i, s] of (specs as LayerSpec[]).entries()) {
      const m = findLayer(s.type)!;
      const placeholder = all.length; // a layer precedes its children in allLayers
      const layer = m.build(ctx, s, shape, {
        name: `${prefix}.${i}`,
        needsInputGrad: !(first && i === 0),
        children: (inner, innerShape, innerPrefix) => build(inner, innerShape, innerPrefix, false).layers,
      });
      all.splice(placeholder, 0, layer);
      layers.push(layer);
      shape = m.output(s, shape);
    }
    return { layers, shape };
  };
  const { layers, shape: outShape } = build(spec.layers, inShape, 'layers', true);
  const params = all.flatMap((l) => l.params);
  const buffers = all.flatMap((l) => l.buffers);
  return {
    inDim: sizeOf(inShape),
    outDim: sizeOf(outShape),
    capacity: o.capacity,
    layers,
    allLayers: all,
    params,
    buffers,
    forward(x, rows, train) {
      if (rows > o.capacity)
        throw new Error(`forward: ${rows} rows exceed the capacity ${o.capacity} the model was built for`);
      let h = x;
      for (const l of layers) h = l.forward(h, rows, train);
      return h;
    },
    backward(dOut, rows) {
      let g: Float32Array | null = dOut;
      for (let i = layers.length - 1; i >= 0 && g; i--) g = layers[i].backward(g, rows);
    },
  };
}

/** Adds up a per-layer number over a stack (nested layers through `children`), passing shapes along. */
function sumLayers(
  specs: readonly unknown[],
  shape: Shape,
  count: (m: RegisteredLayer, s: LayerSpec, shape: Shape, children: RegisteredLayerChildren<number>) => number,
): number {
  let n = 0;
  for (const s of specs as LayerSpec[]) {
    const m = findLayer(s.type)!;
    n += count(m, s, shape, (inner, innerShape) => sumLayers(inner, innerShape, count));
    shape = m.output(s, shape);
  }
  return n;
}

/** Number of trainable parameters, computed from the spec alone (nothing allocated). */
export function countParams(spec: ModelSpec, input: InputShape): number {
  return sumLayers(spec.layers, shapeOf(input), (m, s, shape, children) => m.params(s, shape, children));
}

/** FLOPs per row of one training step (forward + backward), from the layers' own counts (the job cost). */
export function modelFlops(spec: ModelSpec, input: InputShape): number {
  return sumLayers(spec.layers, shapeOf(input), (m, s, shape, children) => m.flops(s, shape, children));
}

/**
 * What the layers allocate at `rows` rows (trainerFloats adds the parameters' grads, copies and
 * optimizer state, and the batches).
 */
export function modelMemory(spec: ModelSpec, input: InputShape, rows: number): LayerMemory {
  const walk = (specs: readonly unknown[], shape: Shape, first: boolean): LayerMemory => {
    const total: LayerMemory = { params: [], buffers: [] };
    for (const [i, s] of (specs as LayerSpec[]).entries()) {
      const m = findLayer(s.type)!;
      const needsInputGrad = !(first && i === 0);
      const mem = m.memory(s, shape, { rows, needsInputGrad }, (inner, innerShape) => walk(inner, innerShape, false));
      total.params.push(...mem.params);
      total.buffers.push(...mem.buffers);
      shape = m.output(s, shape);
    }
    return total;
  };
  return walk(spec.layers, shapeOf(input), true);
}

/** "a, b or c" */
const orList = (names: readonly string[]): string => `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

/** The pointer to the last layer among `specs` whose module has a width field, at that field; else `path`. */
function widthPointer(specs: readonly unknown[], path: string): string {
  let at = path;
  (specs as { type?: unknown }[]).forEach((l, j) => {
    const field = findLayer(l?.type)?.widthField;
    if (field) at = `${path}/${j}/${field}`;
  });
  return at;
}

/**
 * Human-readable problems with a model on `input` (`[features]`, or a dataset's shape); when
 * `outputs` is a number, the model's output must be `[outputs]` (see `expectedOutputs`). Empty = valid.
 */
export function validateModel(
  spec: ModelSpec,
  input: InputShape,
  outputs: number | null,
  base = '/model',
): ModelProblem[] {
  const out: ModelProblem[] = [];
  if (!spec || !Array.isArray(spec.layers)) return [{ path: `${base}/layers`, message: 'layers must be an array' }];
  if (spec.layers.length === 0) out.push({ path: `${base}/layers`, message: 'the model needs at least one layer' });
  const walk = (specs: readonly unknown[], shape: Shape, path: string): Shape => {
    (specs as LayerSpec[]).forEach((s, i) => {
      const p = `${path}/${i}`;
      const m = findLayer(s?.type);
      if (!m) {
        out.push({
          path: `${p}/type`,
          message: `unknown layer type '${(s as { type?: unknown })?.type}'; expected ${orList(LAYER_TYPES)}`,
        });
        return;
      }
      shape = m.validate(s, shape, { path: p, out, children: walk, widthPointer });
    });
    return shape;
  };
  const final = walk(spec.layers, shapeOf(input), `${base}/layers`);
  if (outputs !== null && spec.layers.length > 0 && !sameShape(final, [outputs])) {
    const at = widthPointer(spec.layers, `${base}/layers`);
    const last = at === `${base}/layers` ? null : spec.layers[Number(at.split('/').at(-2))];
    const field = last ? findLayer(last.type)!.widthField : null;
    out.push({
      path: at,
      message: !isFlat(final)
        ? `the model outputs shape ${showShape(final)} but the data needs ${outputs} outputs; ` +
          `add a flatten layer and a layer with ${outputs} outputs`
        : last
          ? `the last ${last.type} layer has ${final[0]} ${field} but the data needs ${outputs} outputs`
          : `the model outputs ${final[0]} features but the data needs ${outputs}; ` +
            `add a ${LAYERS.find((l) => l.widthField)?.type} layer with ${outputs} units`,
    });
  }
  return out;
}

/**
 * The output width a task + loss needs: classification with cross_entropy → classes;
 * bce_with_logits → 1 (binary: classes must be 2); classification with a regression loss
 * (mse/huber/smooth_l1 on one-hot targets) → classes; regression → outputs.
 */
export function expectedOutputs(task: Task, outputs: number, loss: LossName): number {
  if (task === 'classification' && loss === 'bce_with_logits') return 1;
  return outputs;
}

/** The `{hidden, activation, init}` shorthand as a layer list ending in a linear output layer. */
export function mlpSpec(
  hidden: number[],
  activation: ActivationName,
  init: InitSpec,
  outputs: number,
  bias = true,
): ModelSpec {
  return { layers: mlpLayers(hidden, activation, init, outputs, bias) };
}
