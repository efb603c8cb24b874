/**
 * Request resolution (pure): preset merge, defaults (PyTorch's, torch-lr-finder's), cross-field
 * checks and service limits. The result is echoed back as the job's `request` and is the only
 * input a worker needs. Every failure is a ProblemError naming the field (JSON pointer) and limit.
 */
import type { Limits } from '../config.js';
import type { ActivationName, InitSpec, LayerSpec, LossSpec, OptimizerSpec } from '../core/spec.js';
import { DATASET_DEFAULTS, type BuiltinDatasetName } from './data.js';
import { RANGE_TEST_DEFAULTS, type LrRangeTestRequest } from './lr-range-test.js';
import { findPreset, PRESETS } from './presets.js';
import { invalid, limitExceeded, ProblemError } from './problems.js';

export const DEFAULT_PRESET = 'spirals-mlp';

export type ResolvedData =
  | { name: BuiltinDatasetName; n_samples: number; noise: number; classes?: number; features?: number; seed: number; val_fraction: number; standardize: boolean }
  | { x: number[][]; y: number[]; task: 'classification' | 'regression'; val_fraction: number; standardize: boolean }
  | ResolvedUpload;

/** The shape of an uploaded dataset, as stored with it (POST /v1/datasets). */
export interface UploadShape {
  task: 'classification' | 'regression';
  rows: number;
  features: number;
  /** classification: max label + 1 */
  classes?: number;
  /** regression: 1 */
  outputs?: number;
}

/** An uploaded dataset by id; its shape is echoed so the request alone says what the model sees. */
export type ResolvedUpload = { dataset_id: string; val_fraction: number; standardize: boolean } & UploadShape;

export interface ResolvedModel {
  /** hidden layers; the output layer is appended by `outputLayer` */
  layers: LayerSpec[];
}

export interface ResolvedRangeTest {
  preset: string | null;
  model: ResolvedModel;
  data: ResolvedData;
  loss: LossSpec;
  optimizer: ResolvedOptimizer;
  batch_size: number;
  start_lr: number;
  end_lr: number;
  num_iter: number;
  step_mode: 'exp' | 'linear';
  smooth_f: number;
  diverge_th: number;
  suggestion: string;
  skip_start: number;
  skip_end: number;
  clip_grad_norm: number | null;
  clip_grad_value: number | null;
  eval: 'train' | 'val';
  repeats: number;
  seed: number;
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

type RawOptimizer = NonNullable<LrRangeTestRequest['optimizer']>;

export type ResolvedOptimizer = Pick<OptimizerSpec, 'type'> & Partial<Omit<OptimizerSpec, 'lr' | 'type'>>;

export function resolveOptimizer(raw: RawOptimizer | undefined): ResolvedOptimizer {
  const type = raw?.type ?? 'adam';
  const allowed = OPTIMIZER_DEFAULTS[type];
  for (const key of Object.keys(raw ?? {})) {
    if (key !== 'type' && !(key in allowed)) {
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

type RawModel = NonNullable<LrRangeTestRequest['model']>;
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

type RawData = NonNullable<LrRangeTestRequest['data']>;

export function resolveData(raw: RawData, seed: number, limits: Limits, datasets?: ReadonlyMap<string, UploadShape>): ResolvedData {
  if ('dataset_id' in raw) return resolveUpload(raw, limits, datasets);
  if ('x' in raw) {
    const rows = raw.x.length;
    const width = raw.x[0].length;
    if (raw.y.length !== rows) throw invalid('/data/y', `has ${raw.y.length} entries but x has ${rows} rows`);
    raw.x.forEach((row, i) => {
      if (row.length !== width) throw invalid(`/data/x/${i}`, `has ${row.length} features; row 0 has ${width}`);
    });
    if (rows * width > limits.datasetValues) {
      throw limitExceeded('/data/x', 'rows × features', rows * width, limits.datasetValues, 'LIMIT_DATASET_VALUES');
    }
    if (raw.task === 'classification') {
      raw.y.forEach((v, i) => {
        if (!Number.isInteger(v) || v < 0 || v > 999) throw invalid(`/data/y/${i}`, `a class index must be an integer in [0, 999], got ${v}`);
      });
      if (new Set(raw.y).size < 2) throw invalid('/data/y', 'classification needs at least 2 classes');
    }
    return { x: raw.x, y: raw.y, task: raw.task, val_fraction: raw.val_fraction ?? 0.2, standardize: raw.standardize ?? true };
  }
  const d = DATASET_DEFAULTS[raw.name];
  const n = raw.n_samples ?? d.n_samples;
  if (d.max_samples !== undefined && n > d.max_samples) {
    throw invalid('/data/n_samples', `${raw.name} has ${d.max_samples} samples; asked for ${n}`);
  }
  if (raw.name === 'mnist' && n < 10) throw invalid('/data/n_samples', 'mnist needs at least 10 samples (one per digit)');
  if (raw.classes !== undefined && raw.name !== 'spirals' && raw.name !== 'blobs') {
    throw invalid('/data/classes', `only spirals and blobs take 'classes' (${raw.name} has ${d.outputs})`);
  }
  if (raw.features !== undefined && raw.name !== 'blobs') {
    throw invalid('/data/features', `only blobs takes 'features' (${raw.name} has ${d.features})`);
  }
  const features = raw.features ?? d.features;
  if (n * features > limits.datasetValues) {
    throw limitExceeded('/data/n_samples', 'n_samples × features', n * features, limits.datasetValues, 'LIMIT_DATASET_VALUES');
  }
  return {
    name: raw.name,
    n_samples: n,
    noise: raw.noise ?? d.noise,
    // only the datasets that take them echo `classes` / `features` (see GET /v1/datasets `options`)
    ...(raw.name === 'spirals' || raw.name === 'blobs' ? { classes: raw.classes ?? d.outputs } : {}),
    ...(raw.name === 'blobs' ? { features } : {}),
    seed: raw.seed ?? seed,
    val_fraction: raw.val_fraction ?? 0.2,
    standardize: raw.standardize ?? raw.name !== 'mnist',
  };
}

type RawUpload = Extract<RawData, { dataset_id: string }>;

/**
 * An uploaded dataset: its shape comes from `datasets` (looked up, owner-scoped, by the route
 * before resolving); an id missing there is unknown, expired or someone else's. Shape fields in
 * the body (an echoed request sent again) must match the stored dataset.
 */
function resolveUpload(raw: RawUpload, limits: Limits, datasets?: ReadonlyMap<string, UploadShape>): ResolvedUpload {
  const shape = datasets?.get(raw.dataset_id);
  if (!shape) throw invalid('/data/dataset_id', `no dataset ${raw.dataset_id} (unknown, expired, or uploaded with another API key); upload one with POST /v1/datasets`);
  for (const key of ['task', 'rows', 'features', 'classes', 'outputs'] as const) {
    if (raw[key] !== undefined && raw[key] !== shape[key]) {
      throw invalid(`/data/${key}`, `dataset ${raw.dataset_id} has ${key} ${String(shape[key] ?? 'unset')}, not ${String(raw[key])} (these fields are read-only)`);
    }
  }
  if (shape.rows * shape.features > limits.datasetValues) {
    throw limitExceeded('/data/dataset_id', 'rows × features', shape.rows * shape.features, limits.datasetValues, 'LIMIT_DATASET_VALUES');
  }
  return {
    dataset_id: raw.dataset_id,
    val_fraction: raw.val_fraction ?? 0.2,
    standardize: raw.standardize ?? true,
    task: shape.task,
    rows: shape.rows,
    features: shape.features,
    ...(shape.task === 'classification' ? { classes: shape.classes } : { outputs: shape.outputs ?? 1 }),
  };
}

/** Input width, task and number of outputs of a resolved dataset (known before loading it). */
export function dataShape(data: ResolvedData): { features: number; task: 'classification' | 'regression'; outputs: number } {
  if ('dataset_id' in data) {
    return { features: data.features, task: data.task, outputs: (data.task === 'classification' ? data.classes : data.outputs) ?? 1 };
  }
  if ('x' in data) {
    return {
      features: data.x[0].length,
      task: data.task,
      outputs: data.task === 'classification' ? Math.max(...data.y) + 1 : 1,
    };
  }
  const d = DATASET_DEFAULTS[data.name];
  return { features: data.features ?? d.features, task: d.task, outputs: d.task === 'classification' ? data.classes ?? d.outputs : d.outputs };
}

/** The loss from the request (default from the task: cross_entropy / mse); refuses a loss that does not fit the task. */
export function resolveLoss(raw: LrRangeTestRequest['loss'], task: 'classification' | 'regression'): LossSpec {
  const spec: LossSpec = raw === undefined
    ? { name: task === 'classification' ? 'cross_entropy' : 'mse' }
    : typeof raw === 'string' ? { name: raw } : { ...raw };
  const classification = spec.name === 'cross_entropy' || spec.name === 'bce_with_logits';
  if (classification !== (task === 'classification')) {
    throw invalid('/loss', `${spec.name} does not fit a ${task} dataset`);
  }
  if (spec.label_smoothing !== undefined && spec.name !== 'cross_entropy') {
    throw invalid('/loss/label_smoothing', 'only cross_entropy takes label_smoothing');
  }
  return spec;
}

/** The output layer: nn.Linear(width, outputs) with no activation; bce_with_logits on 2 classes uses 1 logit. */
export function outputLayer(shape: { outputs: number }, loss: LossSpec): LayerSpec {
  const units = loss.name === 'bce_with_logits' && shape.outputs === 2 ? 1 : shape.outputs;
  return { type: 'dense', units, activation: 'identity', init: { name: 'default' }, bias: true };
}

export interface ResolveContext {
  limits: Limits;
  /** counts trainable parameters of a full layer stack on `inputDim` features */
  countParams: (layers: LayerSpec[], inputDim: number) => number;
  /** shapes of the caller's uploaded datasets the request names, by id (looked up by the route) */
  datasets?: ReadonlyMap<string, UploadShape>;
}

/**
 * The body of the preset a request names for a job kind: absent → `fallback`, null → none.
 * An unknown name is a 400 listing the presets of that kind.
 */
export function presetFor<T>(name: string | null | undefined, kind: string, fallback: string): Partial<T> {
  const wanted = name === undefined ? fallback : name;
  if (wanted === null) return {};
  const preset = findPreset(wanted, kind);
  if (!preset) {
    const known = PRESETS.filter((p) => p.kinds.includes(kind)).map((p) => p.name).join(', ');
    throw invalid('/preset', `unknown ${kind} preset '${wanted}'; known: ${known}`);
  }
  return preset.body as Partial<T>;
}

/** Runs `fn`, moving the JSON pointers of any problem it throws under `prefix` (e.g. /train). */
export function underPointer<T>(prefix: string, fn: () => T): T {
  if (!prefix) return fn();
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ProblemError)) throw e;
    const errors = e.errors.map((f) => ({ pointer: prefix + f.pointer, detail: f.detail }));
    const detail = e.message.startsWith('/') ? prefix + e.message : e.message;
    throw new ProblemError(e.status, e.code, e.title, detail, errors, e.headers);
  }
}

export interface ResolvedSetup {
  data: ResolvedData;
  shape: ReturnType<typeof dataShape>;
  loss: LossSpec;
  model: ResolvedModel;
}

/**
 * The training setup every job kind shares — data, loss (from the task), model — with the
 * dataset and parameter limits checked; pointers under `base` ('' or '/train').
 */
export function resolveSetup(
  raw: Pick<LrRangeTestRequest, 'data' | 'loss' | 'model'>,
  seed: number,
  ctx: ResolveContext,
  base = '',
): ResolvedSetup {
  return underPointer(base, () => {
    const data = resolveData(raw.data ?? { name: 'spirals' }, seed, ctx.limits, ctx.datasets);
    const shape = dataShape(data);
    const loss = resolveLoss(raw.loss, shape.task);
    const model = resolveModel(raw.model);
    const params = ctx.countParams([...model.layers, outputLayer(shape, loss)], shape.features);
    if (params > ctx.limits.modelParams) {
      throw limitExceeded('/model', 'the model\'s trainable parameter count', params, ctx.limits.modelParams, 'LIMIT_MODEL_PARAMS');
    }
    return { data, shape, loss, model };
  });
}

/** Merge the preset, fill every default and check every limit; throws ProblemError. */
export function resolveRangeTest(body: LrRangeTestRequest, ctx: ResolveContext): ResolvedRangeTest {
  // absent: the default preset; null: none (the echo of a request that named none re-runs as is)
  const req: LrRangeTestRequest = { ...presetFor<LrRangeTestRequest>(body.preset, 'lr-range-tests', DEFAULT_PRESET), ...body };
  const D = RANGE_TEST_DEFAULTS;
  const { limits } = ctx;
  const seed = req.seed ?? D.seed;

  const num_iter = req.num_iter ?? D.num_iter;
  if (num_iter > limits.numIter) throw limitExceeded('/num_iter', 'num_iter', num_iter, limits.numIter, 'LIMIT_NUM_ITER');
  const repeats = req.repeats ?? D.repeats;
  if (repeats > limits.repeats) throw limitExceeded('/repeats', 'repeats', repeats, limits.repeats, 'LIMIT_REPEATS');
  const batch_size = req.batch_size ?? D.batch_size;
  if (batch_size > limits.batchSize) throw limitExceeded('/batch_size', 'batch_size', batch_size, limits.batchSize, 'LIMIT_BATCH_SIZE');
  const start_lr = req.start_lr ?? D.start_lr;
  const end_lr = req.end_lr ?? D.end_lr;
  if (!(end_lr > start_lr)) throw invalid('/end_lr', `must be greater than start_lr (${start_lr}), got ${end_lr}`);

  const { data, loss, model } = resolveSetup(req, seed, ctx);
  const evalMode = req.eval ?? D.eval;
  if (evalMode === 'val' && data.val_fraction <= 0) {
    throw invalid('/eval', 'eval "val" needs a validation split: set data.val_fraction > 0');
  }

  return {
    preset: body.preset ?? (hasOwnSetup(body) ? null : DEFAULT_PRESET),
    model,
    data,
    loss,
    optimizer: resolveOptimizer(req.optimizer),
    batch_size,
    start_lr,
    end_lr,
    num_iter,
    step_mode: req.step_mode ?? D.step_mode,
    smooth_f: req.smooth_f ?? D.smooth_f,
    diverge_th: req.diverge_th ?? D.diverge_th,
    suggestion: req.suggestion ?? D.suggestion,
    skip_start: req.skip_start ?? D.skip_start,
    skip_end: req.skip_end ?? D.skip_end,
    clip_grad_norm: req.clip_grad_norm ?? null,
    clip_grad_value: req.clip_grad_value ?? null,
    eval: evalMode,
    repeats,
    seed,
  };
}

function hasOwnSetup(body: LrRangeTestRequest): boolean {
  return body.model !== undefined && body.data !== undefined;
}

export { ProblemError };
