/**
 * LR range test request resolution (pure): preset merge, torch-lr-finder's defaults, the training
 * setup every job kind shares, cross-field checks and service limits; throws ProblemError.
 */
import { resolveEmulate, type EmulateOptions } from '../../contracts/emulate.js';
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { checkJobCost } from '../../contracts/cost.js';
import { LIBRARIES } from '../../lrfinder/emulate/index.js';
import { RANGE_TEST_DEFAULTS } from '../../contracts/lr-range-test.js';
import {
  presetFor,
  resolveSweep,
  resolveTraining,
  trainingCost,
  type ResolveContext,
  type ResolvedSweep,
  type ResolvedTraining,
} from '../../contracts/resolve.js';
import { KIND, type LrRangeTestRequest } from './contract.js';
import { DEFAULT_PRESET, PRESETS } from './presets.js';

export interface ResolvedRangeTest extends ResolvedSweep, ResolvedTraining {
  /** keras_lr_finder `get_best_lr(sma)` for keras_sma, when set */
  sma?: number;
  /** the library whose whole pipeline runs on the training's raw losses, every argument filled */
  emulate?: EmulateOptions;
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
  let emulate: EmulateOptions | undefined;
  if (req.emulate !== undefined) {
    // the request's own plan arguments are the library's (in its meaning) where `emulate` does not set them
    const em = resolveEmulate(req.emulate, {
      pointer: '/emulate',
      fill: {
        start_lr: body.start_lr,
        end_lr: body.end_lr,
        num_iter: body.num_iter ?? D.num_iter,
        step_mode: body.step_mode,
        smooth_f: body.smooth_f,
        diverge_th: body.diverge_th,
      },
      maxNumIter: limits.numIter,
    });
    emulate = em.echo;
    // the top-level plan fields echo the library's (a re-sent request runs the same)
    sweep.start_lr = em.resolved.start_lr;
    sweep.end_lr = em.resolved.end_lr;
    sweep.num_iter = em.resolved.num_iter as number;
    sweep.step_mode = em.resolved.step_mode;
    sweep.suggestion = req.suggestion ?? LIBRARIES[em.resolved.library].methods[0];
  }
  const repeats = req.repeats ?? D.repeats;
  if (repeats > limits.repeats) throw limitExceeded('/repeats', 'repeats', repeats, limits.repeats, 'LIMIT_REPEATS');

  const t = resolveTraining(req, seed, ctx);
  checkJobCost(
    '/num_iter',
    {
      ...trainingCost(t, ctx),
      batch: t.batch_size,
      steps: sweep.num_iter * repeats,
      stepsFrom: `num_iter ${sweep.num_iter} × repeats ${repeats}`,
    },
    limits,
  );
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
    ...(req.sma !== undefined ? { sma: req.sma } : {}),
    ...(emulate !== undefined ? { emulate } : {}),
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
