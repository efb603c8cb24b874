/**
 * Dataset resolution (pure): built-in, inline and uploaded data with their defaults and limits,
 * and the shape (features, task, outputs) known before any row is loaded.
 */
import type { Static } from 'typebox';
import type { Limits } from '../config.js';
import { DATASET_DEFAULTS, type BuiltinDatasetName, type Data } from './data.js';
import { invalid, limitExceeded } from './problems.js';
import { maxOf } from '../core/extent.js';

export type ResolvedData = ResolvedBuiltin | ResolvedInline | ResolvedUpload;

/** A built-in dataset with its generator's arguments. */
export interface ResolvedBuiltin {
  name: BuiltinDatasetName;
  n_samples: number;
  noise: number;
  classes?: number;
  features?: number;
  seed: number;
  val_fraction: number;
  standardize: boolean;
}

/** Rows sent in the request. */
export interface ResolvedInline {
  x: number[][];
  y: number[];
  task: 'classification' | 'regression';
  val_fraction: number;
  standardize: boolean;
}

/** The shape of an uploaded dataset, as stored with it (POST /v1/datasets). */
export interface UploadShape {
  task: 'classification' | 'regression';
  rows: number;
  features: number;
  /** classification: max label + 1 */
  classes?: number;
  /** regression: 1 */
  outputs?: number;
  /** one row's [channels, height, width] when the upload declared it (product = features) */
  shape?: number[];
}

/** An uploaded dataset by id; its shape is echoed so the request alone says what the model sees. */
export type ResolvedUpload = { dataset_id: string; val_fraction: number; standardize: boolean } & UploadShape;

type RawData = Static<typeof Data>;

export function resolveData(
  raw: RawData,
  seed: number,
  limits: Limits,
  datasets?: ReadonlyMap<string, UploadShape>,
): ResolvedData {
  if ('dataset_id' in raw) return resolveUpload(raw, limits, datasets);
  if ('x' in raw) {
    const rows = raw.x.length;
    const width = raw.x[0].length;
    if (raw.y.length !== rows) throw invalid('/data/y', `has ${raw.y.length} entries but x has ${rows} rows`);
    raw.x.forEach((row, i) => {
      if (row.length !== width) throw invalid(`/data/x/${i}`, `has ${row.length} features; row 0 has ${width}`);
    });
    if (rows * width > limits.datasetValues) {
      throw limitExceeded('/data/x', 'rows × features', rows * width, limits.datasetValues, 'LIMIT_DATASET_VALUES');
    }
    if (raw.task === 'classification') {
      raw.y.forEach((v, i) => {
        if (!Number.isInteger(v) || v < 0 || v > 999)
          throw invalid(`/data/y/${i}`, `a class index must be an integer in [0, 999], got ${v}`);
      });
      if (new Set(raw.y).size < 2) throw invalid('/data/y', 'classification needs at least 2 classes');
    }
    return {
      x: raw.x,
      y: raw.y,
      task: raw.task,
      val_fraction: raw.val_fraction ?? 0.2,
      standardize: raw.standardize ?? true,
    };
  }
  const d = DATASET_DEFAULTS[raw.name];
  const n = raw.n_samples ?? d.n_samples;
  if (d.max_samples !== undefined && n > d.max_samples) {
    throw invalid('/data/n_samples', `${raw.name} has ${d.max_samples} samples; asked for ${n}`);
  }
  if (raw.name === 'mnist' && n < 10)
    throw invalid('/data/n_samples', 'mnist needs at least 10 samples (one per digit)');
  if (raw.classes !== undefined && raw.name !== 'spirals' && raw.name !== 'blobs') {
    throw invalid('/data/classes', `only spirals and blobs take 'classes' (${raw.name} has ${d.outputs})`);
  }
  if (raw.features !== undefined && raw.name !== 'blobs') {
    throw invalid('/data/features', `only blobs takes 'features' (${raw.name} has ${d.features})`);
  }
  const features = raw.features ?? d.features;
  if (n * features > limits.datasetValues) {
    throw limitExceeded(
      '/data/n_samples',
      'n_samples × features',
      n * features,
      limits.datasetValues,
      'LIMIT_DATASET_VALUES',
    );
  }
  return {
    name: raw.name,
    n_samples: n,
    noise: raw.noise ?? d.noise,
    // only the datasets that take them echo `classes` / `features` (see GET /v1/datasets `options`)
    ...(raw.name === 'spirals' || raw.name === 'blobs' ? { classes: raw.classes ?? d.outputs } : {}),
    ...(raw.name === 'blobs' ? { features } : {}),
    seed: raw.seed ?? seed,
    val_fraction: raw.val_fraction ?? 0.2,
    standardize: raw.standardize ?? raw.name !== 'mnist',
  };
}

type RawUpload = Extract<RawData, { dataset_id: string }>;

/**
 * An uploaded dataset: its shape comes from `datasets` (looked up, owner-scoped, by the route
 * before resolving); an id missing there is unknown, expired or someone else's. Shape fields in
 * the body (an echoed request sent again) must match the stored dataset.
 */
function resolveUpload(raw: RawUpload, limits: Limits, datasets?: ReadonlyMap<string, UploadShape>): ResolvedUpload {
  const shape = datasets?.get(raw.dataset_id);
  if (!shape)
    throw invalid(
      '/data/dataset_id',
      `no dataset ${raw.dataset_id} (unknown, expired, or uploaded with another API key); upload one with POST /v1/datasets`,
    );
  for (const key of ['task', 'rows', 'features', 'classes', 'outputs'] as const) {
    if (raw[key] !== undefined && raw[key] !== shape[key]) {
      throw invalid(
        `/data/${key}`,
        `dataset ${raw.dataset_id} has ${key} ${String(shape[key] ?? 'unset')}, not ${String(raw[key])} (these fields are read-only)`,
      );
    }
  }
  if (raw.shape !== undefined && JSON.stringify(raw.shape) !== JSON.stringify(shape.shape)) {
    const has = JSON.stringify(shape.shape ?? null);
    throw invalid(
      '/data/shape',
      `dataset ${raw.dataset_id} has shape ${has}, not ${JSON.stringify(raw.shape)} (read-only)`,
    );
  }
  if (shape.rows * shape.features > limits.datasetValues) {
    throw limitExceeded(
      '/data/dataset_id',
      'rows × features',
      shape.rows * shape.features,
      limits.datasetValues,
      'LIMIT_DATASET_VALUES',
    );
  }
  return {
    dataset_id: raw.dataset_id,
    val_fraction: raw.val_fraction ?? 0.2,
    standardize: raw.standardize ?? true,
    task: shape.task,
    rows: shape.rows,
    features: shape.features,
    ...(shape.shape ? { shape: shape.shape } : {}),
    ...(shape.task === 'classification' ? { classes: shape.classes } : { outputs: shape.outputs ?? 1 }),
  };
}

/**
 * A resolved dataset with its source named (the core's DataSource). The echoed request carries no
 * tag (its format is the request's): this is the one place its three forms are told apart.
 */
export type SourcedData =
  | ({ source: 'builtin' } & ResolvedBuiltin)
  | ({ source: 'inline' } & ResolvedInline)
  | ({ source: 'upload' } & ResolvedUpload);

export function sourced(data: ResolvedData): SourcedData {
  if ('dataset_id' in data) return { source: 'upload', ...data };
  if ('x' in data) return { source: 'inline', ...data };
  return { source: 'builtin', ...data };
}

/** Input width (and image shape, if any), task and number of outputs of a dataset, known before loading it. */
export interface DataShape {
  features: number;
  task: 'classification' | 'regression';
  outputs: number;
  /** one row's [channels, height, width] (the model reads it so when it starts with an image layer: modelInput) */
  shape?: readonly number[];
}

/** Input width, task and number of outputs of a resolved dataset (known before loading it). */
export function dataShape(data: ResolvedData): DataShape {
  const d = sourced(data);
  switch (d.source) {
    case 'upload': {
      const outputs = (d.task === 'classification' ? d.classes : d.outputs) ?? 1;
      return { features: d.features, task: d.task, outputs, ...(d.shape ? { shape: d.shape } : {}) };
    }
    case 'inline':
      return { features: d.x[0].length, task: d.task, outputs: d.task === 'classification' ? maxOf(d.y) + 1 : 1 };
    case 'builtin': {
      const b = DATASET_DEFAULTS[d.name];
      const outputs = b.task === 'classification' ? (d.classes ?? b.outputs) : b.outputs;
      return { features: d.features ?? b.features, task: b.task, outputs, ...(b.shape ? { shape: b.shape } : {}) };
    }
  }
}

/** Rows of a resolved dataset before the split: an upper bound of the training rows. */
export function datasetRows(data: ResolvedData): number {
  const d = sourced(data);
  switch (d.source) {
    case 'upload':
      return d.rows;
    case 'inline':
      return d.x.length;
    case 'builtin':
      return d.n_samples;
  }
}

/** The uploaded dataset a request's `data` names (as sent or resolved): `[dataset_id]`, or none. */
export function uploadIds(data: unknown): string[] {
  const id = (data as { dataset_id?: unknown } | null | undefined)?.dataset_id;
  return typeof id === 'string' ? [id] : [];
}
