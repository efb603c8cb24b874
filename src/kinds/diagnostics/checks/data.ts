/**
 * The `data` check ("become one with the data", Karpathy 2019): finite values, the scale of
 * every feature as the model sees it, class balance, duplicate rows. Pure.
 *
 * Thresholds (ours, stated in the messages): a feature is constant when its std ≤ 1e-6·max(1, |mean|);
 * unstandardised inputs are badly scaled when a feature's |mean| or std exceeds 10, or the
 * widest feature range (max − min) is more than 1e3× the narrowest non-constant one (gradient steps then suit one
 * feature and not another — LeCun et al. 1998, "Efficient BackProp" §4.3); classes are imbalanced
 * when the rarest has less than 10% of the rows of the most common; regression targets are badly
 * scaled when their |mean| or std exceeds 100.
 */
import type { Dataset } from '../../../core/spec.js';
import { fin, fmt, type CheckResult, type CheckStatus } from './types.js';
import { maxOf, minOf } from '../../../core/extent.js';

export const FEATURE_SCALE_LIMIT = 10;
export const FEATURE_RANGE_RATIO_LIMIT = 1e3;
export const IMBALANCE_LIMIT = 0.1;
export const DUPLICATE_FRACTION_LIMIT = 0.1;
export const TARGET_SCALE_LIMIT = 100;

export interface DataCheckInput {
  /** the whole dataset as loaded (before the split and standardisation) */
  raw: Dataset;
  /** the training split as the model sees it (standardised when `standardize`) */
  train: Dataset;
  standardize: boolean;
}

/** Per-feature mean and (biased) std of a row-major matrix. */
export function featureStats(
  x: Float32Array,
  rows: number,
  features: number,
): { mean: number[]; std: number[]; range: number[] } {
  const mean = new Array<number>(features).fill(0);
  const sq = new Array<number>(features).fill(0);
  const lo = new Array<number>(features).fill(Infinity),
    hi = new Array<number>(features).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < features; j++) {
      const v = x[r * features + j];
      mean[j] += v;
      if (v < lo[j]) lo[j] = v;
      if (v > hi[j]) hi[j] = v;
    }
  }
  for (let j = 0; j < features; j++) mean[j] = rows ? mean[j] / rows : 0;
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < features; j++) {
      const d = x[r * features + j] - mean[j];
      sq[j] += d * d;
    }
  return { mean, std: sq.map((s) => Math.sqrt(rows ? s / rows : 0)), range: hi.map((h, j) => (rows ? h - lo[j] : 0)) };
}

/** Rows whose features equal an earlier row's, and how many of those carry a different label/target. */
export function duplicateRows(ds: Dataset): { duplicates: number; conflicting: number } {
  const f = ds.features;
  const yCols = ds.task === 'classification' ? 1 : ds.outputs;
  const bits = new Uint32Array(ds.x.buffer, ds.x.byteOffset, ds.rows * f);
  const seen = new Map<number, number[]>();
  let duplicates = 0,
    conflicting = 0;
  const sameX = (a: number, b: number) => {
    for (let j = 0; j < f; j++) if (ds.x[a * f + j] !== ds.x[b * f + j]) return false;
    return true;
  };
  const sameY = (a: number, b: number) => {
    for (let j = 0; j < yCols; j++) if (ds.y[a * yCols + j] !== ds.y[b * yCols + j]) return false;
    return true;
  };
  for (let r = 0; r < ds.rows; r++) {
    // FNV-1a over the float32 bit patterns of the row
    let h = 0x811c9dc5;
    for (let j = 0; j < f; j++) {
      h ^= bits[r * f + j];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    const list = seen.get(h);
    const match = list?.find((s) => sameX(s, r));
    if (match === undefined) {
      if (list) list.push(r);
      else seen.set(h, [r]);
      continue;
    }
    duplicates++;
    if (!sameY(match, r)) conflicting++;
  }
  return { duplicates, conflicting };
}

function countNonFinite(a: Float32Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) n++;
  return n;
}

export function checkData({ raw, train, standardize }: DataCheckInput): CheckResult {
  const findings: { status: CheckStatus; text: string; hint: string }[] = [];
  const nonFiniteX = countNonFinite(raw.x.subarray(0, raw.rows * raw.features));
  const nonFiniteY = countNonFinite(raw.y);
  const details: Record<string, unknown> = {
    rows: raw.rows,
    features: raw.features,
    task: raw.task,
    train_rows: train.rows,
    standardize,
    non_finite_x: nonFiniteX,
    non_finite_y: nonFiniteY,
  };
  if (nonFiniteX + nonFiniteY > 0) {
    findings.push({
      status: 'fail',
      text: `${nonFiniteX + nonFiniteY} NaN/Inf values in the data`,
      hint: 'remove or impute the rows with NaN/Inf values: a single one makes the loss NaN',
    });
  }

  const { mean, std, range } = featureStats(train.x, train.rows, train.features);
  details.feature_mean = mean.map(fin);
  details.feature_std = std.map(fin);
  const constant = std.flatMap((s, j) => (Number.isFinite(s) && s <= 1e-6 * Math.max(1, Math.abs(mean[j])) ? [j] : []));
  details.constant_features = constant;
  if (constant.length > 0) {
    const shown = constant.slice(0, 10).join(', ') + (constant.length > 10 ? ', ...' : '');
    findings.push({
      status: 'warn',
      text: `${constant.length} constant feature(s) (${shown})`,
      hint: 'constant features carry no information: drop them (harmless, but check they are not a loading bug)',
    });
  }
  const varying = std.flatMap((s, j) => (Number.isFinite(s) && !constant.includes(j) ? [j] : []));
  const maxStd = varying.length ? maxOf(varying.map((j) => std[j])) : 0;
  const minStd = varying.length ? minOf(varying.map((j) => std[j])) : 0;
  const maxRange = varying.length ? maxOf(varying.map((j) => range[j])) : 0;
  const minRange = varying.length ? minOf(varying.map((j) => range[j])) : 0;
  const maxAbsMean = mean.reduce((a, m) => (Number.isFinite(m) ? Math.max(a, Math.abs(m)) : a), 0);
  details.max_abs_mean = fin(maxAbsMean);
  details.range_ratio = minRange > 0 ? fin(maxRange / minRange) : null;
  if (
    !standardize &&
    (maxAbsMean > FEATURE_SCALE_LIMIT ||
      maxStd > FEATURE_SCALE_LIMIT ||
      (minRange > 0 && maxRange / minRange > FEATURE_RANGE_RATIO_LIMIT))
  ) {
    findings.push({
      status: 'warn',
      text: `unstandardised features on a large or uneven scale (largest |mean| ${fmt(maxAbsMean)}, std from ${fmt(minStd)} to ${fmt(maxStd)}, range from ${fmt(minRange)} to ${fmt(maxRange)})`,
      hint: 'set data.standardize: true (zero mean, unit variance per feature, like sklearn StandardScaler) so one LR suits every weight',
    });
  }

  if (raw.task === 'classification') {
    const counts = new Array<number>(raw.outputs).fill(0);
    for (let i = 0; i < raw.rows; i++)
      if (Number.isInteger(raw.y[i]) && raw.y[i] >= 0 && raw.y[i] < raw.outputs) counts[raw.y[i]]++;
    const max = maxOf(counts),
      min = minOf(counts);
    details.class_counts = counts;
    details.imbalance_ratio = max > 0 ? min / max : null;
    if (min === 0) {
      findings.push({
        status: 'warn',
        text: `class(es) ${counts.flatMap((c, k) => (c === 0 ? [k] : [])).join(', ')} have no rows`,
        hint: 'class indices should be 0..C-1 with every class present; an empty class is an output the model can never learn',
      });
    } else if (min / max < IMBALANCE_LIMIT) {
      findings.push({
        status: 'warn',
        text: `imbalanced classes (the rarest has ${fmt((100 * min) / max)}% of the rows of the most common)`,
        hint: 'accuracy will mislead: weight the loss by class or resample, and compare against the majority-class baseline',
      });
    }
  } else {
    const t = featureStats(raw.y, raw.rows, raw.outputs);
    details.target_mean = t.mean.map(fin);
    details.target_std = t.std.map(fin);
    const big = t.mean.some((m) => Math.abs(m) > TARGET_SCALE_LIMIT) || t.std.some((s) => s > TARGET_SCALE_LIMIT);
    if (big)
      findings.push({
        status: 'warn',
        text: 'regression targets on a large scale',
        hint: 'standardise the targets (or set the output bias to their mean) so the initial loss and gradients are O(1)',
      });
  }

  const dup = duplicateRows(raw);
  details.duplicate_rows = dup.duplicates;
  details.conflicting_duplicates = dup.conflicting;
  if (dup.conflicting > 0) {
    findings.push({
      status: 'warn',
      text: `${dup.conflicting} row(s) repeat an input with a different ${raw.task === 'classification' ? 'label' : 'target'}`,
      hint: 'identical inputs with different labels put a floor under the loss: check for label noise or missing features',
    });
  } else if (raw.rows > 0 && dup.duplicates / raw.rows > DUPLICATE_FRACTION_LIMIT) {
    findings.push({
      status: 'warn',
      text: `${dup.duplicates} duplicate rows (${fmt((100 * dup.duplicates) / raw.rows)}%)`,
      hint: 'many duplicates inflate some examples and can leak between the train and validation splits: deduplicate',
    });
  }

  const status: CheckStatus = findings.some((f) => f.status === 'fail') ? 'fail' : findings.length ? 'warn' : 'pass';
  const summary = findings.length
    ? findings.map((f) => f.text).join('; ')
    : `${raw.rows} rows × ${raw.features} features, all finite${raw.task === 'classification' ? ', classes balanced' : ''}, ${dup.duplicates} duplicate rows`;
  return { name: 'data', status, summary, details, hints: findings.map((f) => f.hint) };
}
