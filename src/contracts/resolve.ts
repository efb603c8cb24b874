/**
 * Request resolution shared by the job kinds and sessions (pure): preset lookup, torch-lr-finder's
 * sweep arguments, the loss and output layer, and the training setup every job kind shares (data,
 * loss, model, optimizer, batch size, clipping) with its limits. Each kind's own resolution is in
 * src/kinds/<kind>/resolve.ts; the result is echoed back as the job's `request` and is the only
 * input a worker needs. Every failure is a ProblemError naming the field (JSON pointer) and limit.
 */
import type { Static } from 'typebox';
import type { Limits } from '../config.js';
import type { LayerSpec, LossSpec } from '../core/spec.js';
import type { SuggestionMethodName } from '../lrfinder/suggest/index.js';
import { RANGE_TEST_DEFAULTS } from './lr-range-test.js';
import type { Loss } from './model.js';
import { TRAINING_DEFAULTS, type TrainingFields } from './training-setup.js';
import { checkLayerCount } from './cost.js';
import { modelFlops, modelInput, validateModel, type InputShape } from '../core/model.js';
import { outputDense } from '../core/layers/stacks.js';
import { invalid, limitExceeded, ProblemError } from './problems.js';

import { dataShape, resolveData, type ResolvedData, type UploadShape } from './resolve-data.js';
import { resolveModel, type ResolvedModel } from './resolve-training.js';
import { resolveOptimizer, type ResolvedOptimizer } from './resolve-optimizer.js';

export * from './resolve-data.js';
export * from './resolve-training.js';
export * from './resolve-optimizer.js';
export { TRAINING_DEFAULTS, type TrainingFields } from './training-setup.js';

/** torch-lr-finder's range_test arguments (+ the suggestion method and trimming): a range test's LR plan, stop rule and
 * pick. */
export interface ResolvedSweep {
  start_lr: number;
  end_lr: number;
  num_iter: number;
  step_mode: 'exp' | 'linear';
  smooth_f: number;
  diverge_th: number;
  suggestion: SuggestionMethodName;
  /** unset: each method's own library's trimming */
  skip_start?: number;
  skip_end?: number;
}

/** The sweep arguments with torch-lr-finder's defaults, `num_iter` within LIMIT_NUM_ITER and end_lr > start_lr. */
export function resolveSweep(req: Partial<ResolvedSweep>, limits: Limits): ResolvedSweep {
  const D = RANGE_TEST_DEFAULTS;
  const r: ResolvedSweep = {
    start_lr: req.start_lr ?? D.start_lr,
    end_lr: req.end_lr ?? D.end_lr,
    num_iter: req.num_iter ?? D.num_iter,
    step_mode: req.step_mode ?? D.step_mode,
    smooth_f: req.smooth_f ?? D.smooth_f,
    diverge_th: req.diverge_th ?? D.diverge_th,
    suggestion: req.suggestion ?? D.suggestion,
  };
  if (req.skip_start !== undefined) r.skip_start = req.skip_start;
  if (req.skip_end !== undefined) r.skip_end = req.skip_end;
  if (r.num_iter > limits.numIter)
    throw limitExceeded('/num_iter', 'num_iter', r.num_iter, limits.numIter, 'LIMIT_NUM_ITER');
  if (!(r.end_lr > r.start_lr))
    throw invalid('/end_lr', `must be greater than start_lr (${r.start_lr}), got ${r.end_lr}`);
  return r;
}

/** The loss from the request (default from the task: cross_entropy / mse); refuses a loss that does not fit the task.
 * */
export function resolveLoss(raw: Static<typeof Loss> | undefined, task: 'classification' | 'regression'): LossSpec {
  const spec: LossSpec =
    raw === undefined
      ? { name: task === 'classification' ? 'cross_entropy' : 'mse' }
      : typeof raw === 'string'
        ? { name: raw }
        : { ...raw };
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
  return outputDense(units);
}

export interface ResolveContext {
  limits: Limits;
  /** counts trainable parameters of a full layer stack on its input (`[features]` or [C, H, W]: modelInput) */
  countParams: (layers: LayerSpec[], input: InputShape) => number;
  /** shapes of the caller's uploaded datasets the request names, by id (looked up by the route) */
  datasets?: ReadonlyMap<string, UploadShape>;
}

/** A ready-made request body (GET /v1/presets), declared by the job kind it is for. */
export interface KindPreset<Body> {
  name: string;
  description: string;
  body: Body;
}

/**
 * The body of the preset a request names, among a job kind's presets: absent → `fallback`,
 * null → none. An unknown name is a 400 listing the kind's presets.
 */
export function presetFor<T>(
  name: string | null | undefined,
  presets: readonly KindPreset<T>[],
  fallback: string,
  kind: string,
): Partial<T> {
  const wanted = name === undefined ? fallback : name;
  if (wanted === null) return {};
  const preset = presets.find((p) => p.name === wanted);
  if (!preset)
    throw invalid('/preset', `unknown ${kind} preset '${wanted}'; known: ${presets.map((p) => p.name).join(', ')}`);
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
  /** trainable parameters, output layer included (for the job's cost estimate) */
  params: number;
}

/**
 * The training setup every job kind shares — data, loss (from the task), model — with the
 * dataset and parameter limits checked; pointers under `base` ('' or '/train').
 */
export function resolveSetup(
  raw: Pick<TrainingFields, 'data' | 'loss' | 'model'>,
  seed: number,
  ctx: ResolveContext,
  base = '',
): ResolvedSetup {
  return underPointer(base, () => {
    const data = resolveData(raw.data ?? { name: 'spirals' }, seed, ctx.limits, ctx.datasets);
    const shape = dataShape(data);
    const loss = resolveLoss(raw.loss, shape.task);
    const model = resolveModel(raw.model);
    checkLayerCount(model.layers, ctx.limits);
    const stack = layerStack({ model, data, loss });
    const input = modelInput(shape, { layers: stack });
    checkShapes(stack, input, model.layers.length);
    const params = ctx.countParams(stack, input);
    if (params > ctx.limits.modelParams) {
      throw limitExceeded(
        '/model',
        "the model's trainable parameter count",
        params,
        ctx.limits.modelParams,
        'LIMIT_MODEL_PARAMS',
      );
    }
    return { data, shape, loss, model, params };
  });
}

/**
 * The layers' shapes on the data (a conv kernel larger than its input, dense on [C, H, W] without a
 * flatten, ...): the first problem as a 400 at the layer's pointer; the appended output layer's at
 * /model/layers.
 */
function checkShapes(stack: LayerSpec[], input: InputShape, hidden: number): void {
  const [first] = validateModel({ layers: stack }, input, null);
  if (!first) return;
  const output = `/model/layers/${hidden}`;
  const at = first.path === output || first.path.startsWith(`${output}/`) ? '/model/layers' : first.path;
  throw invalid(at, at === first.path ? first.message : `the output layer: ${first.message}`);
}

/** The training setup every job kind shares, resolved: all a trainer needs besides its seed and LR. */
export interface ResolvedTraining {
  model: ResolvedModel;
  data: ResolvedData;
  loss: LossSpec;
  optimizer: ResolvedOptimizer;
  batch_size: number;
  clip_grad_norm: number | null;
  clip_grad_value: number | null;
}

/**
 * The training setup with its defaults and limits (LIMIT_BATCH_SIZE, then the dataset and
 * parameter limits of resolveSetup, then the optimizer's arguments); pointers under `base`.
 */
export function resolveTraining(raw: TrainingFields, seed: number, ctx: ResolveContext, base = ''): ResolvedTraining {
  return underPointer(base, () => {
    const batch_size = raw.batch_size ?? TRAINING_DEFAULTS.batch_size;
    if (batch_size > ctx.limits.batchSize)
      throw limitExceeded('/batch_size', 'batch_size', batch_size, ctx.limits.batchSize, 'LIMIT_BATCH_SIZE');
    const { data, loss, model } = resolveSetup(raw, seed, ctx);
    return {
      model,
      data,
      loss,
      optimizer: resolveOptimizer(raw.optimizer),
      batch_size,
      clip_grad_norm: raw.clip_grad_norm ?? null,
      clip_grad_value: raw.clip_grad_value ?? null,
    };
  });
}

/**
 * The size of a resolved setup for the job's cost estimate (LIMIT_JOB_FLOPS): trainable parameters
 * and FLOPs per row of a step (the layers' own counts), output layer included.
 */
export function trainingCost(
  t: { model: ResolvedModel; data: ResolvedData; loss: LossSpec },
  ctx: ResolveContext,
): { params: number; flopsPerRow: number } {
  const layers = layerStack(t);
  const flopsPerRow = modelFlops({ layers }, modelInput(dataShape(t.data), { layers }));
  return { params: trainingParams(t, ctx), flopsPerRow };
}

/** Trainable parameters of a resolved setup, output layer included (the job's cost estimate, LIMIT_JOB_FLOPS). */
export function trainingParams(
  t: { model: ResolvedModel; data: ResolvedData; loss: LossSpec },
  ctx: ResolveContext,
): number {
  const layers = layerStack(t);
  return ctx.countParams(layers, modelInput(dataShape(t.data), { layers }));
}

/** The model's whole layer stack: the hidden layers and the output layer (what the trainer builds and the parameter
 * limit counts). */
export function layerStack(setup: { model: ResolvedModel; data: ResolvedData; loss: LossSpec }): LayerSpec[] {
  return [...setup.model.layers, outputLayer(dataShape(setup.data), setup.loss)];
}

export { ProblemError };
