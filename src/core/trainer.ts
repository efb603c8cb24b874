/**
 * The training step: a model bound to its data, loss and optimizer. One `step(lr)` =
 * next minibatch → forward → loss → backward → pre-clip gradient norm → clipping →
 * non-finite check → optimizer update at `lr`; `step(lr, { momentum })` first sets the
 * optimizer's momentum / beta1 (what torch's CyclicLR and OneCycleLR do each step). A step whose loss or gradient norm
 * is
 * NaN/±Inf reports `non_finite: true` and leaves the weights and optimizer state untouched;
 * an update that would itself produce a non-finite weight is rolled back the same way.
 *
 * RNG streams (all from spec.seed, independent of one another): 'init' (weights), 'dropout',
 * 'shuffle' (minibatch order). A named dataset and its train/val split come from the data
 * spec's own seed, so changing the training seed does not change the data; inline data is
 * split with the training seed ('split' stream).
 */
import type {
  Backend,
  EvalResult,
  LayerStats,
  StepOptions,
  StepResult,
  Trainer,
  TrainerExtras,
  TrainerPosition,
  TrainerSnapshot,
} from './types.js';
import type { Dataset, TrainSpec } from './spec.js';
import { createRng } from './rng.js';
import { createScalarBackend } from './kernels/scalar.js';
import { buildModel, expectedOutputs, modelInput, modelMemory, validateModel, type Model } from './model.js';
import { createLoss } from './losses.js';
import { createOptimizer, optimizerStateBuffers, type Optimizer } from './optimizers/index.js';
import { clipGradNormGivenTotal, clipGradValue, gradNorm } from './clip.js';
import { loadDataset } from './datasets/index.js';
import { applyStandardizer, createBatcher, fitStandardizer, splitDataset } from './datasets/prepare.js';
import { allFinite, diffSquares, sumSquares } from './kernels/elementwise.js';
import { ACTIVATIONS } from './activations.js';
import type { Layer } from './layers/layer.js';
import { layerModule } from './layers/registry.js';

export interface CoreTrainer extends Trainer, TrainerExtras {
  readonly backend: Backend;
  readonly model: Model;
  readonly train: Dataset;
  readonly val: Dataset | null;
  /** rows per step: min(batch_size, train rows) */
  readonly batchSize: number;
  readonly optimizer: Optimizer;
  /** the snapshot plus where the minibatch order and the dropout masks are: the whole state of training */
  position(): TrainerPosition;
  /** continue from a position taken from a trainer of the same spec (here or in another process), bit for bit */
  moveTo(p: TrainerPosition): void;
}

export interface TrainerOptions {
  backend?: Backend;
  /** the full dataset to use instead of generating spec.data (mnist, uploads); split/standardize still follow spec.data
   * */
  dataset?: Dataset;
}

/** Which layers get a LayerStats row: those with weights or an activation (their module says). */
const hasStats = (l: Layer): boolean => layerModule(l.kind).stats.stats;

export function createTrainer(spec: TrainSpec, opts: TrainerOptions = {}): CoreTrainer {
  const backend = opts.backend ?? createScalarBackend();
  const root = createRng(spec.seed);
  const full = opts.dataset ?? loadDataset(spec.data);
  checkLabels(full);
  // named datasets (built-in or loaded by the caller, e.g. mnist) split by the data seed; inline data by the training
  // seed
  const splitRng = 'seed' in spec.data ? createRng(spec.data.seed).fork('split') : root.fork('split');
  let { train, val } = splitDataset(full, spec.data.val_fraction, splitRng);
  if (spec.data.standardize) {
    const s = fitStandardizer(train);
    train = applyStandardizer(train, s);
    if (val) val = applyStandardizer(val, s);
  }

  const task = full.task;
  const lossName = spec.loss.name;
  if (lossName === 'cross_entropy' && task !== 'classification')
    throw new Error('cross_entropy needs a classification dataset; use mse, huber or smooth_l1 for regression');
  if (lossName === 'bce_with_logits' && task === 'classification' && full.outputs !== 2) {
    throw new Error(`bce_with_logits is binary: the dataset has ${full.outputs} classes; use cross_entropy`);
  }
  const outputs = expectedOutputs(task, full.outputs, lossName);
  const input = modelInput(full, spec.model);
  const problems = validateModel(spec.model, input, outputs);
  if (problems.length)
    throw new Error(`invalid model for this data: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);

  const shuffleRng = root.fork('shuffle');
  const dropoutRng = root.fork('dropout');
  const batcher = createBatcher(train, spec.batch_size, shuffleRng);
  const cap = batcher.batchSize;
  const initRng = root.fork('init');
  const model = buildModel(spec.model, input, { backend, capacity: cap, initRng, dropoutRng });
  for (const l of model.allLayers) {
    const min = layerModule(l.kind).minRows ?? 1;
    if (cap < min) {
      throw new Error(`${l.kind} needs batches of at least ${min} rows (batch_size or the training split is ${cap})`);
    }
  }
  const loss = createLoss(spec.loss);
  const optimizer = createOptimizer(spec.optimizer, model.params, backend);

  const f = full.features;
  const yCols = task === 'classification' ? 1 : full.outputs;
  const oneHot = task === 'classification' && lossName !== 'cross_entropy' && lossName !== 'bce_with_logits';
  const xb = backend.alloc(cap * f);
  const yb = backend.alloc(cap * yCols);
  const tb = oneHot ? backend.alloc(cap * outputs) : yb;
  const gradOut = backend.alloc(cap * outputs);
  const prev = model.params.map((p) => backend.alloc(p.value.length));
  const optPrev = optimizer.state.map((s) => backend.alloc(s.length));
  const statLayers = model.allLayers.filter(hasStats);
  const paramIndex = new Map(model.params.map((p, i) => [p, i]));
  const paramSq = new Float64Array(model.params.length);
  // fused norms / finiteness checks when the backend has them
  const sq = backend.fused ? backend.fused.sumSquares : sumSquares;
  const finite = backend.fused ? backend.fused.allFinite : allFinite;
  // per-layer statistics of the last step: activations and gradient norms are taken during the
  // step (before evaluate() can overwrite the buffers); the O(#params) weight statistics are
  // computed on demand from the weights and their pre-update copy in `prev`
  let acts: ActStats[] = statLayers.map(() => ({ mean: 0, std: 0, dead: 0 }));
  let layerGradNorms = statLayers.map(() => 0);
  let lastUpdated = false;

  const makeTargets = (rows: number): void => {
    if (!oneHot) return;
    tb.fill(0, 0, rows * outputs);
    for (let r = 0; r < rows; r++) tb[r * outputs + yb[r]] = 1;
  };

  const trainer: CoreTrainer = {
    backend,
    model,
    train,
    val,
    batchSize: cap,
    optimizer,
    numParams: model.params.reduce((a, p) => a + p.value.length, 0),

    step(lr: number, opts?: StepOptions): StepResult {
      const params = model.params;
      // a scheduler writes the momentum into the param group before the step, whether or not the step then updates
      if (opts?.momentum !== undefined) optimizer.setMomentum(opts.momentum);
      const rows = batcher.next(xb, yb);
      makeTargets(rows);
      const out = model.forward(xb, rows, true);
      const lossValue = loss.forward(out, tb, rows, outputs, gradOut);
      model.backward(gradOut, rows);

      // pre-clip gradient norms: one pass over the grads gives the L2 total and every layer's norm
      let sumSq = 0;
      for (let i = 0; i < params.length; i++) {
        paramSq[i] = sq(params[i].grad);
        sumSq += paramSq[i];
      }
      layerGradNorms = statLayers.map((l) => Math.sqrt(l.params.reduce((a, p) => a + paramSq[paramIndex.get(p)!], 0)));
      acts = statLayers.map((l) => activationStats(l, rows));
      const clip = spec.clip;
      let total = Math.sqrt(sumSq);
      if (clip.max_norm !== null) {
        if (clip.norm_type !== 2) total = gradNorm(params, clip.norm_type);
        clipGradNormGivenTotal(params, clip.max_norm, total, clip.norm_type, clip.error_if_nonfinite);
      }
      let nonFinite = !Number.isFinite(lossValue) || !Number.isFinite(total);
      lastUpdated = false;
      if (!nonFinite) {
        if (clip.clip_value !== null) clipGradValue(params, clip.clip_value);
        for (let i = 0; i < params.length; i++) prev[i].set(params[i].value);
        optimizer.state.forEach((s, i) => optPrev[i].set(s));
        const steps = optimizer.steps;
        optimizer.step(lr);
        if (!params.every((p) => finite(p.value))) {
          // the update overflowed float32: roll back weights and optimizer state
          for (let i = 0; i < params.length; i++) params[i].value.set(prev[i]);
          optimizer.state.forEach((s, i) => s.set(optPrev[i]));
          optimizer.setSteps(steps);
          nonFinite = true;
        } else {
          lastUpdated = true;
        }
      }
      return { loss: lossValue, grad_norm: total, non_finite: nonFinite };
    },

    evaluate(split, maxRows) {
      const ds = split === 'train' ? train : val;
      if (!ds) throw new Error('no validation split: set data.val_fraction > 0 to evaluate on val');
      const n = Math.min(ds.rows, maxRows ?? ds.rows);
      let totalLoss = 0;
      let correct = 0;
      for (let start = 0; start < n; start += cap) {
        const rows = Math.min(cap, n - start);
        xb.set(ds.x.subarray(start * f, (start + rows) * f));
        yb.set(ds.y.subarray(start * yCols, (start + rows) * yCols));
        makeTargets(rows);
        const out = model.forward(xb, rows, false);
        totalLoss += loss.forward(out, tb, rows, outputs, gradOut) * rows;
        if (task === 'classification') {
          for (let r = 0; r < rows; r++) {
            let pred: number;
            if (outputs === 1) pred = out[r] > 0 ? 1 : 0;
            else {
              pred = 0;
              for (let c = 1; c < outputs; c++) if (out[r * outputs + c] > out[r * outputs + pred]) pred = c;
            }
            if (pred === yb[r]) correct++;
          }
        }
      }
      const result: EvalResult = { loss: totalLoss / n, accuracy: task === 'classification' ? correct / n : null };
      return result;
    },

    layerStats() {
      return statLayers.map((l, i): LayerStats => {
        const w = l.params.length ? l.params[0].value : null;
        const prevW = w && lastUpdated ? prev[paramIndex.get(l.params[0])!] : null;
        return {
          layer: l.name,
          grad_norm: layerGradNorms[i],
          weight_norm: w ? Math.sqrt(sq(w)) : 0,
          update_ratio: w && prevW ? updateRatio(w, prevW, backend) : 0,
          act_mean: acts[i].mean,
          act_std: acts[i].std,
          dead_fraction: acts[i].dead,
        };
      });
    },

    snapshot(): TrainerSnapshot {
      return {
        params: model.params.map((p) => p.value.slice()),
        buffers: model.buffers.map((b) => b.slice()),
        optimizer: optimizer.state.map((s) => s.slice()),
        optimizer_steps: optimizer.steps,
        optimizer_scalars: optimizer.scalars,
      };
    },

    restore(s: TrainerSnapshot) {
      if (s.params.length !== model.params.length || s.optimizer.length !== optimizer.state.length)
        throw new Error('snapshot does not belong to this trainer');
      model.params.forEach((p, i) => p.value.set(s.params[i]));
      model.buffers.forEach((b, i) => b.set(s.buffers[i]));
      optimizer.state.forEach((b, i) => b.set(s.optimizer[i]));
      optimizer.setSteps(s.optimizer_steps);
      if (s.optimizer_scalars) optimizer.setScalars(s.optimizer_scalars);
      lastUpdated = false; // `prev` no longer holds the weights before the current ones
    },

    position(): TrainerPosition {
      const batches = batcher.getState();
      return { ...trainer.snapshot(), batches, shuffle: shuffleRng.save(), dropout: dropoutRng.save() };
    },

    moveTo(p: TrainerPosition) {
      if (p.batches.perm.length !== train.rows) throw new Error('position does not belong to this trainer');
      trainer.restore(p);
      batcher.setState(p.batches);
      shuffleRng.load(p.shuffle);
      dropoutRng.load(p.dropout);
    },
  };
  return trainer;
}

/**
 * How many floats (and separate allocations) createTrainer will ask `backend.alloc` for, from
 * the spec alone — for sizing a fixed-capacity backend (the SIMD backend never grows). `rows` is
 * the training split's row count (batch = min(batch_size, rows)); `outputs` the dataset's
 * classes (classification) or targets (regression). A backend that pads each allocation (the
 * SIMD one pads to 4 floats) needs up to 3·allocations more.
 */
export function trainerFloats(
  spec: TrainSpec,
  data: number | { features: number; shape?: readonly number[] },
  outputs: number,
  task: 'classification' | 'regression',
  rows: number,
): { floats: number; allocations: number } {
  const ds = typeof data === 'number' ? { features: data } : data;
  const features = ds.features;
  const cap = Math.min(spec.batch_size, rows);
  const width = expectedOutputs(task, outputs, spec.loss.name);
  let floats = 0,
    allocations = 0;
  const add = (n: number, times = 1): void => {
    floats += n * times;
    allocations += times;
  };
  const memory = modelMemory(spec.model, modelInput(ds, spec.model), cap);
  for (const [n, times] of memory.buffers) add(n, times);
  const stateCopies = optimizerStateBuffers(spec.optimizer);
  // value + grad, the pre-update copy, optimizer state and its pre-update copy
  for (const n of memory.params) add(n, 3 + 2 * stateCopies);
  const oneHot =
    task === 'classification' && spec.loss.name !== 'cross_entropy' && spec.loss.name !== 'bce_with_logits';
  add(cap * features); // x batch
  add(cap * (task === 'classification' ? 1 : outputs)); // y batch
  if (oneHot) add(cap * width); // one-hot targets
  add(cap * width); // dL/d(output)
  return { floats, allocations };
}

function checkLabels(ds: Dataset): void {
  if (ds.task !== 'classification') return;
  for (let i = 0; i < ds.rows; i++) {
    const v = ds.y[i];
    if (!Number.isInteger(v) || v < 0 || v >= ds.outputs)
      throw new Error(`${ds.name}: label y[${i}] = ${v} is not a class in [0, ${ds.outputs})`);
  }
}

interface ActStats {
  mean: number;
  std: number;
  dead: number;
}

/** mean/std of a layer's output over the batch, and the fraction of units that were 0 for every row (ReLU) */
function activationStats(l: Layer, rows: number): ActStats {
  const y = l.output,
    dim = l.outDim,
    n = rows * dim;
  let s = 0,
    s2 = 0;
  for (let i = 0; i < n; i++) {
    s += y[i];
    s2 += y[i] * y[i];
  }
  const mean = n ? s / n : 0;
  const variance = n ? Math.max(0, s2 / n - mean * mean) : 0;
  let dead = 0;
  if (l.activation && ACTIVATIONS[l.activation].rectifier) {
    for (let j = 0; j < dim; j++) {
      let allZero = true;
      for (let r = 0; r < rows && allZero; r++) if (y[r * dim + j] !== 0) allZero = false;
      if (allZero) dead++;
    }
  }
  return { mean, std: Math.sqrt(variance), dead: dim ? dead / dim : 0 };
}

/** ‖w - prev‖ / ‖prev‖ */
function updateRatio(w: Float32Array, prevW: Float32Array, backend: Backend): number {
  const { diff: d, ref: p } = backend.fused ? backend.fused.diffSquares(w, prevW) : diffSquares(w, prevW);
  return p > 0 ? Math.sqrt(d) / Math.sqrt(p) : 0;
}
