/**
 * Request resolution (pure): preset merge, defaults (PyTorch's, torch-lr-finder's), cross-field
 * checks and service limits. The result is echoed back as the job's `request` and is the only
 * input a worker needs. Every failure is a ProblemError naming the field (JSON pointer) and limit.
 */
import type { Limits } from '../config.js';
import type { LayerSpec, LossSpec } from '../core/spec.js';
import { RANGE_TEST_DEFAULTS, type LrRangeTestRequest } from './lr-range-test.js';
import { findPreset, PRESETS } from './presets.js';
import { invalid, limitExceeded, ProblemError } from './problems.js';

import { dataShape, resolveData, type ResolvedData, type UploadShape } from './resolve-data.js';
import { resolveModel, resolveOptimizer, type ResolvedModel, type ResolvedOptimizer } from './resolve-training.js';

export * from './resolve-data.js';
export * from './resolve-training.js';

export const DEFAULT_PRESET = 'spirals-mlp';

/** torch-lr-finder's range_test / plot arguments (+ the suggestion method): a range test's LR plan, stop rule and pick. */
export interface ResolvedSweep {
  start_lr: number;
  end_lr: number;
  num_iter: number;
  step_mode: 'exp' | 'linear';
  smooth_f: number;
  diverge_th: number;
  suggestion: string;
  skip_start: number;
  skip_end: number;
}

/** The sweep arguments with torch-lr-finder's defaults, `num_iter` within LIMIT_NUM_ITER and end_lr > start_lr. */
export function resolveSweep(req: Pick<LrRangeTestRequest, keyof ResolvedSweep>, limits: Limits): ResolvedSweep {
  const D = RANGE_TEST_DEFAULTS;
  const r: ResolvedSweep = {
    start_lr: req.start_lr ?? D.start_lr,
    end_lr: req.end_lr ?? D.end_lr,
    num_iter: req.num_iter ?? D.num_iter,
    step_mode: req.step_mode ?? D.step_mode,
    smooth_f: req.smooth_f ?? D.smooth_f,
    diverge_th: req.diverge_th ?? D.diverge_th,
    suggestion: req.suggestion ?? D.suggestion,
    skip_start: req.skip_start ?? D.skip_start,
    skip_end: req.skip_end ?? D.skip_end,
  };
  if (r.num_iter > limits.numIter) throw limitExceeded('/num_iter', 'num_iter', r.num_iter, limits.numIter, 'LIMIT_NUM_ITER');
  if (!(r.end_lr > r.start_lr)) throw invalid('/end_lr', `must be greater than start_lr (${r.start_lr}), got ${r.end_lr}`);
  return r;
}

export interface ResolvedRangeTest extends ResolvedSweep {
  preset: string | null;
  model: ResolvedModel;
  data: ResolvedData;
  loss: LossSpec;
  optimizer: ResolvedOptimizer;
  batch_size: number;
  clip_grad_norm: number | null;
  clip_grad_value: number | null;
  eval: 'train' | 'val';
  repeats: number;
  seed: number;
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

  const sweep = resolveSweep(req, limits);
  const repeats = req.repeats ?? D.repeats;
  if (repeats > limits.repeats) throw limitExceeded('/repeats', 'repeats', repeats, limits.repeats, 'LIMIT_REPEATS');
  const batch_size = req.batch_size ?? D.batch_size;
  if (batch_size > limits.batchSize) throw limitExceeded('/batch_size', 'batch_size', batch_size, limits.batchSize, 'LIMIT_BATCH_SIZE');

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
    ...sweep,
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
