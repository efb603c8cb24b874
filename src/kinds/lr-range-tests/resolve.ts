/**
 * LR range test request resolution (pure): preset merge, torch-lr-finder's defaults, the training
 * setup every job kind shares, cross-field checks and service limits; throws ProblemError.
 */
import type { LossSpec } from '../../core/spec.js';
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { RANGE_TEST_DEFAULTS } from '../../contracts/lr-range-test.js';
import {
  presetFor, resolveOptimizer, resolveSetup, resolveSweep,
  type ResolveContext, type ResolvedData, type ResolvedModel, type ResolvedOptimizer, type ResolvedSweep,
} from '../../contracts/resolve.js';
import { KIND, type LrRangeTestRequest } from './contract.js';
import { DEFAULT_PRESET, PRESETS } from './presets.js';

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

/** Merge the preset, fill every default and check every limit; throws ProblemError. */
export function resolveRangeTest(body: LrRangeTestRequest, ctx: ResolveContext): ResolvedRangeTest {
  // absent: the default preset; null: none (the echo of a request that named none re-runs as is)
  const req: LrRangeTestRequest = { ...presetFor(body.preset, PRESETS, DEFAULT_PRESET, KIND), ...body };
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
