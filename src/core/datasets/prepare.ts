/**
 * From a dataset to minibatches: seeded train/val split, standardisation fitted on the train
 * split only, and a cycling minibatch iterator that reshuffles every epoch.
 */
import type { Dataset } from '../spec.js';
import type { Rng } from '../rng.js';

export interface Split {
  train: Dataset;
  val: Dataset | null;
}

function subset(ds: Dataset, idx: ArrayLike<number>, suffix: string): Dataset {
  const f = ds.features;
  const yCols = ds.task === 'classification' ? 1 : ds.outputs;
  const x = new Float32Array(idx.length * f),
    y = new Float32Array(idx.length * yCols);
  for (let r = 0; r < idx.length; r++) {
    const s = idx[r];
    x.set(ds.x.subarray(s * f, (s + 1) * f), r * f);
    y.set(ds.y.subarray(s * yCols, (s + 1) * yCols), r * yCols);
  }
  return { ...ds, name: `${ds.name}${suffix}`, x, y, rows: idx.length };
}

/**
 * Random split: a seeded permutation of the rows; the first round(rows·val_fraction) go to
 * val (at least 1 when val_fraction > 0), the rest to train, each in permutation order.
 */
export function splitDataset(ds: Dataset, valFraction: number, rng: Rng): Split {
  if (!(valFraction >= 0 && valFraction < 1)) throw new Error(`val_fraction must be in [0, 1), got ${valFraction}`);
  if (valFraction === 0) return { train: ds, val: null };
  const nVal = Math.max(1, Math.round(ds.rows * valFraction));
  if (nVal >= ds.rows) throw new Error(`val_fraction ${valFraction} leaves no training rows out of ${ds.rows}`);
  const perm = rng.shuffle(Array.from({ length: ds.rows }, (_, i) => i));
  return { val: subset(ds, perm.slice(0, nVal), ':val'), train: subset(ds, perm.slice(nVal), ':train') };
}

export interface Standardizer {
  mean: Float64Array;
  std: Float64Array;
}

/** Per-feature mean and (biased) std of the train split, like sklearn StandardScaler; std 0 → 1. */
export function fitStandardizer(train: Dataset): Standardizer {
  const f = train.features,
    n = train.rows;
  const mean = new Float64Array(f),
    std = new Float64Array(f);
  for (let r = 0; r < n; r++) for (let j = 0; j < f; j++) mean[j] += train.x[r * f + j];
  for (let j = 0; j < f; j++) mean[j] /= n;
  for (let r = 0; r < n; r++)
    for (let j = 0; j < f; j++) {
      const d = train.x[r * f + j] - mean[j];
      std[j] += d * d;
    }
  for (let j = 0; j < f; j++) {
    const s = Math.sqrt(std[j] / n);
    std[j] = s > 0 ? s : 1;
  }
  return { mean, std };
}

/** x ← (x - mean)/std, returning a new dataset (the input is not modified). */
export function applyStandardizer(ds: Dataset, s: Standardizer): Dataset {
  const f = ds.features;
  const x = new Float32Array(ds.x.length);
  for (let r = 0; r < ds.rows; r++) for (let j = 0; j < f; j++) x[r * f + j] = (ds.x[r * f + j] - s.mean[j]) / s.std[j];
  return { ...ds, x };
}

export interface Batcher {
  /** rows per batch: min(batch_size, train rows) */
  readonly batchSize: number;
  /** completed passes over the train split */
  readonly epoch: number;
  /** copy the next batch into x (batch × features) and y (batch labels / batch × outputs) */
  next(x: Float32Array, y: Float32Array): number;
  /** position for snapshot/restore */
  getState(): { epoch: number; cursor: number; perm: Uint32Array };
  setState(s: { epoch: number; cursor: number; perm: Uint32Array }): void;
}

/**
 * Cycling minibatches (like re-iterating a DataLoader(shuffle=True, drop_last=True)): a fresh
 * seeded permutation each epoch; a batch never straddles two epochs (the short tail is dropped).
 */
export function createBatcher(ds: Dataset, batchSize: number, rng: Rng): Batcher {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batch_size must be a positive integer, got ${batchSize}`);
  const bs = Math.min(batchSize, ds.rows);
  const f = ds.features;
  const yCols = ds.task === 'classification' ? 1 : ds.outputs;
  const perm = new Uint32Array(ds.rows);
  for (let i = 0; i < perm.length; i++) perm[i] = i;
  rng.shuffle(perm);
  let cursor = 0;
  let epoch = 0;
  return {
    batchSize: bs,
    get epoch() {
      return epoch;
    },
    next(x, y) {
      if (cursor + bs > perm.length) {
        for (let i = 0; i < perm.length; i++) perm[i] = i;
        rng.shuffle(perm);
        cursor = 0;
        epoch++;
      }
      for (let r = 0; r < bs; r++) {
        const s = perm[cursor + r];
        x.set(ds.x.subarray(s * f, s * f + f), r * f);
        for (let j = 0; j < yCols; j++) y[r * yCols + j] = ds.y[s * yCols + j];
      }
      cursor += bs;
      return bs;
    },
    getState: () => ({ epoch, cursor, perm: perm.slice() }),
    setState(s) {
      epoch = s.epoch;
      cursor = s.cursor;
      perm.set(s.perm);
    },
  };
}
