/**
 * LR range test request resolution (pure): preset merge, torch-lr-finder's defaults, the training
 * setup every job kind shares, cross-field checks and service limits; throws ProblemError.
 */
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { checkJobCost } from '../../contracts/cost.js';
import { RANGE_TEST_DEFAULTS } from '../../contracts/lr-range-test.js';
import {
  presetFor, resolveSweep, resolveTraining, trainingParams, type ResolveContext, type ResolvedSweep, type ResolvedTraining,
} from '../../contracts/resolve.js';
import { KIND, type LrRangeTestRequest } from './contract.js';
import { DEFAULT_PRESET, PRESETS } from './presets.js';

export interface ResolvedRangeTest extends ResolvedSweep, ResolvedTraining {
  preset: string | null;
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

  const t = resolveTraining(req, seed, ctx);
  checkJobCost('/num_iter', { params: trainingParams(t, ctx), batch: t.batch_size, steps: sweep.num_iter * repeats, stepsFrom: `num_iter ${sweep.num_iter} × repeats ${repeats}` }, limits);
  const evalMode = req.eval ?? D.eval;
  if (evalMode === 'val' && t.data.val_fraction <= 0) {
    throw invalid('/eval', 'eval "val" needs a validation split: set data.val_fraction > 0');
  }

  return {
    preset: body.preset ?? (hasOwnSetup(body) ? null : DEFAULT_PRESET),
    model: t.model,
    data: t.data,
    loss: t.loss,
    optimizer: t.optimizer,
    batch_size: t.batch_size,
    ...sweep,
    clip_grad_norm: t.clip_grad_norm,
    clip_grad_value: t.clip_grad_value,
    eval: evalMode,
    repeats,
    seed,
  };
}

function hasOwnSetup(body: LrRangeTestRequest): boolean {
  return body.model !== undefined && body.data !== undefined;
}
