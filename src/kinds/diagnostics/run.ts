/**
 * A diagnostics job: the debugging checklist run on the request's model and data.
 *
 * 1. A trainer on the full dataset (the request's batch_size, seed): its first step at lr 0 is a
 *    forward and backward pass at initialisation on one minibatch (the update at lr 0 leaves the
 *    weights as they are) — the init and gradients checks read its loss and per-layer statistics;
 *    the data check reads the loaded data and the training split as the model sees it.
 * 2. The overfit check: `tiny_batch` rows sampled (seeded) from that training split — already
 *    standardised, so standardisation is off — become a dataset of their own, and a second trainer
 *    with val_fraction 0 and batch_size = tiny_batch trains on it: its batcher's every batch is the
 *    whole (reshuffled) set, so every step sees the same rows. Same spec seed → same initial weights.
 */
import { dataShape, datasetRows } from '../../contracts/resolve.js';
import { toTrainSpec } from '../../contracts/train-spec.js';
import { loadDataset } from '../../core/datasets/index.js';
import { createRng } from '../../core/rng.js';
import type { Dataset, TrainSpec } from '../../core/spec.js';
import { createTrainer, type CoreTrainer } from '../../core/trainer.js';
import type { JobDeps } from '../kind.js';
import {
  chanceLoss,
  checkData,
  checkGradients,
  checkInit,
  checkOverfit,
  fin,
  meanPredictionLoss,
  worst,
  type CheckResult,
  type InitLayerStats,
} from './checks/index.js';
import type { CheckName, DiagnosticsResult } from './contract.js';
import type { ResolvedDiagnostics } from './resolve.js';

export interface DiagnosticsProgress {
  iteration: number;
  total: number;
  check: CheckName;
  lr: number | null;
  loss: number | null;
  [key: string]: unknown;
}

/** `k` rows of `ds` drawn without replacement from the seed's 'diagnostics/tiny_batch' stream, in draw order. */
export function sampleRows(ds: Dataset, k: number, seed: number): Dataset {
  const idx = createRng(seed)
    .fork('diagnostics/tiny_batch')
    .shuffle(Array.from({ length: ds.rows }, (_, i) => i))
    .slice(0, k);
  const f = ds.features;
  const yCols = ds.task === 'classification' ? 1 : ds.outputs;
  const x = new Float32Array(k * f),
    y = new Float32Array(k * yCols);
  idx.forEach((s, r) => {
    x.set(ds.x.subarray(s * f, (s + 1) * f), r * f);
    y.set(ds.y.subarray(s * yCols, (s + 1) * yCols), r * yCols);
  });
  return { ...ds, name: `${ds.name}:tiny_batch`, x, y, rows: k };
}

/** The per-layer statistics of the trainer's last step, with each layer's kind. */
function initLayers(trainer: CoreTrainer): InitLayerStats[] {
  const kinds = new Map(trainer.model.allLayers.map((l) => [l.name, l.kind]));
  return trainer.layerStats().map((s) => ({
    layer: s.layer,
    kind: kinds.get(s.layer) ?? 'unknown',
    act_mean: s.act_mean,
    act_std: s.act_std,
    dead_fraction: s.dead_fraction,
    weight_norm: s.weight_norm,
    grad_norm: s.grad_norm,
  }));
}

function expectedLoss(
  req: ResolvedDiagnostics,
  trainer: CoreTrainer,
  classes: number,
): { loss: number; basis: string } {
  const chance = chanceLoss(req.loss.name, classes);
  if (chance !== null)
    return { loss: chance, basis: req.loss.name === 'cross_entropy' ? `ln C, C = ${classes}` : 'ln 2' };
  const t = trainer.train;
  return {
    loss: meanPredictionLoss(req.loss, t.y, t.rows, t.outputs),
    basis: `${req.loss.name} of predicting the targets' mean`,
  };
}

const wire = (c: CheckResult): CheckResult => ({
  name: c.name,
  status: c.status,
  summary: c.summary,
  details: c.details,
  hints: c.hints,
});

export function* runDiagnostics(
  req: ResolvedDiagnostics,
  deps: JobDeps,
): Generator<DiagnosticsProgress, DiagnosticsResult> {
  const has = (c: CheckName) => req.checks.includes(c);
  const total =
    (has('data') ? 1 : 0) + (has('init') || has('gradients') ? 1 : 0) + (has('overfit_batch') ? req.overfit_steps : 0);
  let done = 0;
  const checks: CheckResult[] = [];
  let layers: InitLayerStats[] = [];
  let overfit: DiagnosticsResult['overfit'] = null;

  const dataset = deps.dataset(req.data, req.seed);
  const shape = dataShape(req.data);
  const spec = toTrainSpec(req, req.seed, 0);
  const trainer = createTrainer(spec, {
    backend: deps.backend(spec, { ...shape, rows: dataset?.rows ?? datasetRows(req.data) }),
    dataset,
  });

  if (has('data')) {
    const raw = dataset ?? loadDataset(spec.data);
    checks.push(checkData({ raw, train: trainer.train, standardize: spec.data.standardize }));
    yield { iteration: ++done, total, check: 'data', lr: null, loss: null };
  }

  if (has('init') || has('gradients')) {
    const s = trainer.step(0);
    layers = initLayers(trainer);
    if (has('init')) {
      const expected = expectedLoss(req, trainer, trainer.train.outputs);
      checks.push(
        checkInit({ layers, initial_loss: s.loss, expected_loss: expected.loss, expected_basis: expected.basis }),
      );
    }
    if (has('gradients')) checks.push(checkGradients(layers, s.grad_norm));
    yield { iteration: ++done, total, check: has('init') ? 'init' : 'gradients', lr: null, loss: fin(s.loss) };
  }

  if (has('overfit_batch')) {
    const tiny = sampleRows(trainer.train, req.tiny_batch, req.seed);
    const tinySpec: TrainSpec = {
      ...spec,
      data: { ...spec.data, val_fraction: 0, standardize: false },
      batch_size: req.tiny_batch,
    };
    const t = createTrainer(tinySpec, {
      backend: deps.backend(tinySpec, { ...shape, rows: tiny.rows }),
      dataset: tiny,
    });
    const losses: (number | null)[] = [];
    const grads: (number | null)[] = [];
    const accs: (number | null)[] | null = shape.task === 'classification' ? [] : null;
    const w0 = weightNorm(t);
    for (let i = 0; i < req.overfit_steps; i++) {
      const s = t.step(req.lr);
      losses.push(s.non_finite ? null : fin(s.loss));
      grads.push(fin(s.grad_norm));
      if (accs) accs.push(s.non_finite ? null : fin(t.evaluate('train').accuracy ?? NaN));
      yield { iteration: ++done, total, check: 'overfit_batch', lr: req.lr, loss: losses[i] };
      if (s.non_finite) break;
    }
    const c = checkOverfit({
      losses,
      accuracies: accs,
      grad_norms: grads,
      steps: req.overfit_steps,
      lr: req.lr,
      weight_growth: w0 > 0 ? weightNorm(t) / w0 : null,
    });
    checks.push(wire(c));
    overfit = { lr: req.lr, rows: tiny.rows, losses, ...(accs ? { accuracies: accs } : {}), grad_norms: grads };
  }

  const verdict = worst(checks.map((c) => c.status));
  const flagged = checks.filter((c) => c.status !== 'pass');
  const summary =
    flagged.length === 0
      ? `all ${checks.length} checks passed`
      : flagged.map((c) => `${c.name}: ${c.status} — ${c.summary}`).join(' | ');
  return { checks, verdict, summary, overfit, layers: layers.map(wireLayer), seed: req.seed };
}

/** L2 norm of every parameter of the model. */
function weightNorm(t: CoreTrainer): number {
  let s = 0;
  for (const p of t.model.params) for (let i = 0; i < p.value.length; i++) s += p.value[i] * p.value[i];
  return Math.sqrt(s);
}

function wireLayer(l: InitLayerStats) {
  return {
    layer: l.layer,
    kind: l.kind,
    act_mean: fin(l.act_mean),
    act_std: fin(l.act_std),
    dead_fraction: fin(l.dead_fraction),
    weight_norm: fin(l.weight_norm),
    grad_norm: fin(l.grad_norm),
  };
}
