/**
 * Diagnostics request resolution (pure): preset merge, defaults and limits. The training setup
 * is the one every job kind shares (contracts/resolve.ts: same model/data/loss/optimizer shapes,
 * defaults and limits); the overfit check's steps share the range test's LIMIT_NUM_ITER.
 */
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { checkJobCost } from '../../contracts/cost.js';
import {
  datasetRows,
  presetFor,
  resolveTraining,
  trainingCost,
  type ResolveContext,
  type ResolvedData,
  type ResolvedTraining,
} from '../../contracts/resolve.js';
import { CHECK_NAMES, DIAGNOSTICS_DEFAULTS, KIND, type CheckName, type DiagnosticsRequest } from './contract.js';
import { DEFAULT_PRESET, PRESETS } from './presets.js';

export interface ResolvedDiagnostics extends ResolvedTraining {
  preset: string | null;
  lr: number;
  /** in the canonical order of CHECK_NAMES */
  checks: CheckName[];
  overfit_steps: number;
  tiny_batch: number;
  seed: number;
}

/** Rows of the training split of a resolved dataset (the split the trainer makes: max(1, round(n·val_fraction)) go to
 * val). */
export function trainRows(data: ResolvedData): number {
  const n = datasetRows(data);
  return data.val_fraction > 0 ? n - Math.max(1, Math.round(n * data.val_fraction)) : n;
}

/** Merge the preset, fill every default and check every limit; throws ProblemError. */
export function resolveDiagnostics(body: DiagnosticsRequest, ctx: ResolveContext): ResolvedDiagnostics {
  const req: DiagnosticsRequest = { ...presetFor(body.preset, PRESETS, DEFAULT_PRESET, KIND), ...body };
  const D = DIAGNOSTICS_DEFAULTS;
  const { limits } = ctx;
  const seed = req.seed ?? D.seed;

  const overfit_steps = req.overfit_steps ?? D.overfit_steps;
  if (overfit_steps > limits.numIter)
    throw limitExceeded('/overfit_steps', 'overfit_steps', overfit_steps, limits.numIter, 'LIMIT_NUM_ITER');
  const tiny_batch = req.tiny_batch ?? D.tiny_batch;
  if (tiny_batch > limits.batchSize)
    throw limitExceeded('/tiny_batch', 'tiny_batch', tiny_batch, limits.batchSize, 'LIMIT_BATCH_SIZE');

  const t = resolveTraining(req, seed, ctx);
  checkJobCost(
    '/overfit_steps',
    { ...trainingCost(t, ctx), batch: tiny_batch, steps: overfit_steps, stepsFrom: `overfit_steps ${overfit_steps}` },
    limits,
  );
  const rows = trainRows(t.data);
  const wanted = new Set(req.checks ?? D.checks);
  const checks = CHECK_NAMES.filter((c) => wanted.has(c));
  if (checks.includes('overfit_batch') && tiny_batch > rows) {
    throw invalid('/tiny_batch', `is ${tiny_batch}, but the training split has only ${rows} rows`);
  }
  return {
    preset: body.preset ?? (body.model !== undefined && body.data !== undefined ? null : DEFAULT_PRESET),
    model: t.model,
    data: t.data,
    loss: t.loss,
    optimizer: t.optimizer,
    batch_size: t.batch_size,
    lr: req.lr ?? D.lr,
    checks,
    overfit_steps,
    tiny_batch,
    clip_grad_norm: t.clip_grad_norm,
    clip_grad_value: t.clip_grad_value,
    seed,
  };
}
