/**
 * A model from a ModelSpec: a sequence of layers (dense, activation, batchnorm, layernorm,
 * dropout, residual), built once for a fixed row capacity. Also the checks the API needs
 * before anything is allocated: `countParams` and `validateModel`.
 */
import type { Backend, Param } from './types.js';
import type { ActivationName, InitSpec, LayerSpec, LossName, ModelSpec, Task } from './spec.js';
import { ACTIVATIONS } from './activations.js';
import { INITIALIZERS, initBounds } from './init.js';
import type { BuildContext, Layer } from './layers/layer.js';
import { createDense } from './layers/dense.js';
import { createActivationLayer } from './layers/activation.js';
import { createBatchNorm } from './layers/batchnorm.js';
import { createLayerNorm } from './layers/layernorm.js';
import { createDropout } from './layers/dropout.js';
import { createResidual } from './layers/residual.js';
import type { Rng } from './rng.js';

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

/** the activation's parameter (leaky_relu negative_slope / elu alpha) from a dense spec */
function activationParam(l: { activation: ActivationName; negative_slope?: number; alpha?: number }): number | undefined {
  if (l.activation === 'leaky_relu') return l.negative_slope;
  if (l.activation === 'elu') return l.alpha;
  return undefined;
}

export function buildModel(spec: ModelSpec, inputDim: number, o: BuildOptions): Model {
  const problems = validateModel(spec, inputDim, null);
  if (problems.length) throw new Error(`invalid model: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  const ctx: BuildContext = { backend: o.backend, capacity: o.capacity, initRng: o.initRng, dropoutRng: o.dropoutRng };
  const all: Layer[] = [];
  const build = (specs: LayerSpec[], dim: number, prefix: string, first: boolean): { layers: Layer[]; dim: number } => {
    const layers: Layer[] = [];
    specs.forEach((s, i) => {
      const name = `${prefix}.${i}`;
      const needsInputGrad = !(first && i === 0);
      let layer: Layer;
      switch (s.type) {
        case 'dense':
          layer = createDense(ctx, name, dim, { units: s.units, activation: s.activation, init: s.init, bias: s.bias, k: activationParam(s), needsInputGrad });
          all.push(layer);
          break;
        case 'activation': layer = createActivationLayer(ctx, name, dim, s.activation); all.push(layer); break;
        case 'batchnorm': layer = createBatchNorm(ctx, name, dim, s.momentum, s.eps); all.push(layer); break;
        case 'layernorm': layer = createLayerNorm(ctx, name, dim, s.eps); all.push(layer); break;
        case 'dropout': layer = createDropout(ctx, name, dim, s.p); all.push(layer); break;
        case 'residual': {
          const placeholder = all.length;
          const inner = build(s.layers, dim, `${name}.layers`, false);
          layer = createResidual(ctx, name, dim, inner.layers);
          all.splice(placeholder, 0, layer);
          break;
        }
      }
      layers.push(layer);
      dim = layer.outDim;
    });
    return { layers, dim };
  };
  const { layers, dim: outDim } = build(spec.layers, inputDim, 'layers', true);
  const params = all.flatMap((l) => l.params);
  const buffers = all.flatMap((l) => l.buffers);
  return {
    inDim: inputDim, outDim, capacity: o.capacity, layers, allLayers: all, params, buffers,
    forward(x, rows, train) {
      if (rows > o.capacity) throw new Error(`forward: ${rows} rows exceed the capacity ${o.capacity} the model was built for`);
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

/** Number of trainable parameters, computed from the spec alone (nothing allocated). */
export function countParams(spec: ModelSpec, inputDim: number): number {
  const walk = (specs: LayerSpec[], dim: number): { n: number; dim: number } => {
    let n = 0;
    for (const s of specs) {
      switch (s.type) {
        case 'dense': n += dim * s.units + (s.bias ? s.units : 0); dim = s.units; break;
        case 'batchnorm': case 'layernorm': n += 2 * dim; break;
        case 'residual': n += walk(s.layers, dim).n; break;
        default: break;
      }
    }
    return { n, dim };
  };
  return walk(spec.layers, inputDim).n;
}

export interface ModelProblem {
  /** JSON pointer into the request, e.g. "/model/layers/2/units" */
  path: string;
  message: string;
}

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkInit(init: InitSpec | undefined, path: string, out: ModelProblem[]): void {
  if (!init || typeof init !== 'object') { out.push({ path, message: 'init is required' }); return; }
  if (!Object.hasOwn(INITIALIZERS, init.name)) out.push({ path: `${path}/name`, message: `unknown initializer '${init.name}'; expected one of ${Object.keys(INITIALIZERS).join(', ')}` });
  if (init.name === 'uniform') {
    const [lo, hi] = initBounds(init, 0, 1);
    if (isNum(lo) && isNum(hi) && lo > hi) out.push({ path: `${path}/${init.low !== undefined ? 'low' : 'a'}`, message: `uniform needs a ≤ b, got [${lo}, ${hi}]` });
  }
  if ((init.name === 'normal' || init.name === 'trunc_normal') && init.std !== undefined && !(isNum(init.std) && init.std >= 0)) out.push({ path: `${path}/std`, message: `std must be ≥ 0, got ${init.std}` });
  if (init.name === 'trunc_normal') {
    const [lo, hi] = initBounds(init, -2, 2);
    if (!(lo < hi)) out.push({ path: `${path}/${init.low !== undefined ? 'low' : 'a'}`, message: `trunc_normal needs a < b, got [${lo}, ${hi}]` });
  }
  if (init.mode !== undefined && init.mode !== 'fan_in' && init.mode !== 'fan_out') out.push({ path: `${path}/mode`, message: `mode must be 'fan_in' or 'fan_out', got '${init.mode}'` });
  if (init.nonlinearity !== undefined && !['linear', 'identity', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu', 'conv1d', 'conv2d', 'conv3d'].includes(init.nonlinearity)) {
    out.push({ path: `${path}/nonlinearity`, message: `unsupported nonlinearity '${init.nonlinearity}' (torch.nn.init.calculate_gain)` });
  }
}

/**
 * Human-readable problems with a model for `inputDim` input features; when `outputs` is a
 * number, the model's output width must equal it (see `expectedOutputs`). Empty = valid.
 */
export function validateModel(spec: ModelSpec, inputDim: number, outputs: number | null, base = '/model'): ModelProblem[] {
  const out: ModelProblem[] = [];
  if (!spec || !Array.isArray(spec.layers)) return [{ path: `${base}/layers`, message: 'layers must be an array' }];
  if (spec.layers.length === 0) out.push({ path: `${base}/layers`, message: 'the model needs at least one layer' });
  const walk = (specs: LayerSpec[], dim: number, path: string): number => {
    specs.forEach((s, i) => {
      const p = `${path}/${i}`;
      switch (s?.type) {
        case 'dense':
          if (!isPosInt(s.units)) out.push({ path: `${p}/units`, message: `units must be a positive integer, got ${JSON.stringify(s.units)}` });
          if (!Object.hasOwn(ACTIVATIONS, s.activation)) out.push({ path: `${p}/activation`, message: `unknown activation '${s.activation}'; expected one of ${Object.keys(ACTIVATIONS).join(', ')}` });
          checkInit(s.init, `${p}/init`, out);
          if (s.negative_slope !== undefined && !isNum(s.negative_slope)) out.push({ path: `${p}/negative_slope`, message: 'negative_slope must be a finite number' });
          if (s.alpha !== undefined && !isNum(s.alpha)) out.push({ path: `${p}/alpha`, message: 'alpha must be a finite number' });
          if (isPosInt(s.units)) dim = s.units;
          break;
        case 'activation':
          if (!Object.hasOwn(ACTIVATIONS, s.activation)) out.push({ path: `${p}/activation`, message: `unknown activation '${s.activation}'` });
          break;
        case 'batchnorm':
          if (!(isNum(s.momentum) && s.momentum >= 0 && s.momentum <= 1)) out.push({ path: `${p}/momentum`, message: `momentum must be in [0, 1], got ${s.momentum}` });
          if (!(isNum(s.eps) && s.eps > 0)) out.push({ path: `${p}/eps`, message: `eps must be > 0, got ${s.eps}` });
          break;
        case 'layernorm':
          if (!(isNum(s.eps) && s.eps > 0)) out.push({ path: `${p}/eps`, message: `eps must be > 0, got ${s.eps}` });
          break;
        case 'dropout':
          if (!(isNum(s.p) && s.p >= 0 && s.p <= 1)) out.push({ path: `${p}/p`, message: `dropout probability has to be between 0 and 1, got ${s.p}` });
          break;
        case 'residual': {
          if (!Array.isArray(s.layers)) { out.push({ path: `${p}/layers`, message: 'layers must be an array' }); break; }
          const innerOut = walk(s.layers, dim, `${p}/layers`);
          if (innerOut !== dim) {
            // point at the last dense layer inside the block, whose units break the identity shortcut
            let last = -1;
            s.layers.forEach((l, j) => { if (l?.type === 'dense') last = j; });
            out.push({
              path: last >= 0 ? `${p}/layers/${last}/units` : `${p}/layers`,
              message: `residual block maps ${dim} features to ${innerOut}; y = x + f(x) needs f to output ${dim}`,
            });
          }
          break;
        }
        default:
          out.push({ path: `${p}/type`, message: `unknown layer type '${(s as { type?: unknown })?.type}'; expected dense, activation, batchnorm, layernorm, dropout or residual` });
      }
    });
    return dim;
  };
  const finalDim = walk(spec.layers, inputDim, `${base}/layers`);
  if (outputs !== null && spec.layers.length > 0 && finalDim !== outputs) {
    let last = -1;
    spec.layers.forEach((l, j) => { if (l?.type === 'dense') last = j; });
    out.push({
      path: last >= 0 ? `${base}/layers/${last}/units` : `${base}/layers`,
      message: last >= 0
        ? `the last dense layer has ${finalDim} units but the data needs ${outputs} outputs`
        : `the model outputs ${finalDim} features but the data needs ${outputs}; add a dense layer with ${outputs} units`,
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
export function mlpSpec(hidden: number[], activation: ActivationName, init: InitSpec, outputs: number, bias = true): ModelSpec {
  return {
    layers: [
      ...hidden.map((units): LayerSpec => ({ type: 'dense', units, activation, init, bias })),
      { type: 'dense', units: outputs, activation: 'identity', init, bias },
    ],
  };
}
