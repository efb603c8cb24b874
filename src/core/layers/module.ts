/**
 * What a layer type is made of (one module per type, listed in ./registry.ts): its wire fields,
 * resolution, validation, shapes, parameter count, cost, construction and statistics. The code
 * that serves every layer (core/model.ts, core/trainer.ts, contracts/model.ts, contracts/cost.ts,
 * the diagnostics) loops over the registry and asks the module; nothing else names a layer type.
 *
 * Shapes: a layer maps an input shape to an output shape, both per row: `[features]` (flat) or
 * `[channels, height, width]`. The model's input shape is the dataset's (`[features]` today).
 * Nested layers (residual) reach their children through the `Children` callbacks, never by
 * importing the registry.
 */
import type { ActivationName, InitSpec } from '../spec.js';
import type { BuildContext, Layer } from './layer.js';

/** A shape per row: `[features]` or `[channels, height, width]`. */
export type Shape = readonly number[];

/** The number of floats a row of `shape` holds. */
export const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);
export const isFlat = (shape: Shape): boolean => shape.length === 1;
export const showShape = (shape: Shape): string => `[${shape.join(', ')}]`;
export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
/** `12` for a flat shape (its features), `[1, 28, 28]` otherwise (for messages) */
export const showWidth = (shape: Shape): string => (isFlat(shape) ? String(shape[0]) : showShape(shape));

/**
 * One wire field of a layer, as plain data (src/contracts/model.ts turns it into TypeBox, so the
 * core needs no schema library). `default` is THE default: resolution fills it in, and the wire
 * schema documents it for number and boolean fields.
 */
export type LayerField =
  | {
      kind: 'integer' | 'number';
      optional?: boolean;
      default?: number;
      description?: string;
      minimum?: number;
      maximum?: number;
      exclusiveMinimum?: number;
      exclusiveMaximum?: number;
    }
  | { kind: 'boolean'; optional?: boolean; default?: boolean; description?: string }
  /** torch's `_pair` argument (kernel_size, stride, padding, dilation): an integer or [height, width] */
  | {
      kind: 'pair';
      optional?: boolean;
      default?: number | readonly [number, number];
      description?: string;
      minimum?: number;
      maximum?: number;
    }
  /** one of some strings (e.g. torch's padding_mode) */
  | { kind: 'enum'; values: readonly string[]; optional?: boolean; default?: string; description?: string }
  /** a torch.nn activation name */
  | { kind: 'activationName'; optional?: boolean; default?: ActivationName }
  /** a torch.nn.init name or object (the `Init` component) */
  | { kind: 'init'; optional?: boolean; default?: InitSpec['name'] }
  /** a list of layers without nested ones (residual's f) */
  | { kind: 'layers'; minItems: number; maxItems: number; description?: string };

/** One problem with the spec, at a JSON pointer into the request (e.g. /model/layers/2/units). */
export interface ModelProblem {
  path: string;
  message: string;
}

export interface ValidateContext {
  /** this layer's JSON pointer, e.g. /model/layers/2 */
  path: string;
  out: ModelProblem[];
  /** validates nested layers at `path` on `input`, returns their output shape */
  children(specs: readonly unknown[], input: Shape, path: string): Shape;
  /** the pointer to blame for a wrong width among `specs` at `path`: the last width field, else `path` */
  widthPointer(specs: readonly unknown[], path: string): string;
}

/** Floats a layer asks `backend.alloc` for at `rows` rows (see trainerFloats). */
export interface LayerMemory {
  /** sizes of its trainable tensors (the trainer adds grads, copies and optimizer state) */
  params: number[];
  /** its own buffers: [floats, how many allocations of that size] */
  buffers: [number, number][];
}

export interface BuildOptions {
  /** torch-style module path, e.g. layers.2 */
  name: string;
  /** false for the model's first layer: nothing consumes dL/dx there */
  needsInputGrad: boolean;
  /** builds nested layers (registered in the model's allLayers after this one) */
  children(specs: readonly unknown[], input: Shape, prefix: string): Layer[];
}

/** The statistics a layer reports (trainer LayerStats rows, the diagnostics' gradient checks). */
export interface LayerStatsInfo {
  /** has trainable parameters (its gradient norm is checked) */
  params: boolean;
  /** gets a LayerStats row (activations and weights) */
  stats: boolean;
  /** a weight layer whose gradient norm the first/last ratio compares (Glorot & Bengio 2010 §4.2.2) */
  weights: boolean;
}

/**
 * A layer type. `S` is its resolved spec (what the core builds from; every default filled in).
 * Every method after `resolve` may assume `validate` found no problem, except `validate` itself.
 */
export interface LayerModule<S extends { type: string }> {
  readonly type: S['type'];
  /** the wire fields besides `type`, in the order the schema lists them */
  readonly fields: Readonly<Record<string, LayerField>>;
  /** the field that sets the output width (pointed at when the width does not fit), if any */
  readonly widthField?: string;
  /** raw (schema-checked) request layer → resolved spec; `child` resolves nested raw layers */
  resolve(raw: Record<string, unknown>, child: (raw: unknown, i: number) => unknown): S;
  /** pushes problems (same pointers as the API's) and returns the output shape (best effort) */
  validate(spec: S, input: Shape, ctx: ValidateContext): Shape;
  /** the output shape of a valid spec */
  output(spec: S, input: Shape): Shape;
  /** trainable parameters; `children` counts nested layers */
  params(spec: S, input: Shape, children: (specs: readonly unknown[], input: Shape) => number): number;
  /** FLOPs per row, forward + backward (a dense layer: 2·P forward, 4·P backward; Kaplan et al. 2020 §2.1) */
  flops(spec: S, input: Shape, children: (specs: readonly unknown[], input: Shape) => number): number;
  /** what its construction allocates at `rows` rows */
  memory(
    spec: S,
    input: Shape,
    o: { rows: number; needsInputGrad: boolean },
    children: (specs: readonly unknown[], input: Shape) => LayerMemory,
  ): LayerMemory;
  /** the layer itself (the create* function of its file) */
  build(ctx: BuildContext, spec: S, input: Shape, o: BuildOptions): Layer;
  readonly stats: LayerStatsInfo;
  /** the smallest training batch it can take (batchnorm: 2) */
  readonly minRows?: number;
  /**
   * The input it reads: 'flat' ([features], the default), 'image' ([C, H, W]) or 'any' (elementwise,
   * the shape passes through). The first layer that is not 'any' decides how image data is read
   * (see modelInput in ../model.ts).
   */
  readonly input?: 'flat' | 'image' | 'any';
}

/** How a module reaches its nested layers when counting: the count of `specs` on `input`. */
export type RegisteredLayerChildren<T> = (specs: readonly unknown[], input: Shape) => T;

/** Memory of a stack of layers added up (a residual block's children). */
export function addMemory(a: LayerMemory, b: LayerMemory): LayerMemory {
  return { params: [...a.params, ...b.params], buffers: [...a.buffers, ...b.buffers] };
}

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** The default a module's field declares (its one place). */
export function fieldDefault<T>(fields: Readonly<Record<string, LayerField>>, name: string): T {
  const f = fields[name] as { default?: T } | undefined;
  if (f?.default === undefined) throw new Error(`layer field '${name}' declares no default`);
  return f.default;
}

/**
 * For layers that take only flat input (`[features]`): a problem at the layer's pointer when the
 * input is `[channels, height, width]`. Returns whether the input is flat.
 */
export function needFlat(type: string, input: Shape, ctx: Pick<ValidateContext, 'path' | 'out'>): boolean {
  if (isFlat(input)) return true;
  ctx.out.push({
    path: ctx.path,
    message: `${type} takes flat input ([features]) but gets shape ${showShape(input)}; add a flatten layer before it`,
  });
  return false;
}

/**
 * For layers that take `[channels, height, width]`: a problem at the layer's pointer otherwise.
 * Returns the shape as torch names it, or null.
 */
export function needImage(
  type: string,
  input: Shape,
  ctx: Pick<ValidateContext, 'path' | 'out'>,
): { channels: number; height: number; width: number } | null {
  if (input.length === 3) return { channels: input[0], height: input[1], width: input[2] };
  ctx.out.push({
    path: ctx.path,
    message:
      `${type} takes image input ([channels, height, width]) but gets shape ${showShape(input)}; ` +
      'give the data a shape (a dataset with one, or `shape` on an upload)',
  });
  return null;
}
