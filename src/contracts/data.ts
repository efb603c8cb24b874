/** Dataset schemas: a built-in generator or real dataset by name, or inline rows. */
import Type from 'typebox';
import { StringEnum } from './common.js';

export const BUILTIN_DATASETS = ['spirals', 'moons', 'circles', 'blobs', 'xor', 'sine', 'iris', 'mnist'] as const;

const BuiltinData = Type.Object(
  {
    name: StringEnum(BUILTIN_DATASETS),
    n_samples: Type.Optional(
      Type.Integer({ minimum: 4, maximum: 1_000_000, description: 'rows to generate (real datasets: rows to take)' }),
    ),
    noise: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    classes: Type.Optional(
      Type.Integer({ minimum: 2, maximum: 100, description: 'spirals, blobs: number of classes' }),
    ),
    features: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: 'blobs: number of features' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'defaults to the request seed' })),
    val_fraction: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9 })),
    standardize: Type.Optional(
      Type.Boolean({ description: "standardise features with the train split's mean and std" }),
    ),
  },
  { additionalProperties: false, title: 'builtin' },
);

const InlineData = Type.Object(
  {
    x: Type.Array(Type.Array(Type.Number(), { minItems: 1, maxItems: 4096 }), { minItems: 2, maxItems: 100_000 }),
    y: Type.Array(Type.Number(), {
      minItems: 2,
      maxItems: 100_000,
      description: 'class index (classification) or target (regression)',
    }),
    task: StringEnum(['classification', 'regression'] as const),
    val_fraction: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9 })),
    standardize: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'inline' },
);

/** A dataset uploaded with POST /v1/datasets. The shape fields are the echo of the stored request: when sent, they must
 * match. */
const UploadedData = Type.Object(
  {
    dataset_id: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'the `id` POST /v1/datasets answered',
    }),
    val_fraction: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9 })),
    standardize: Type.Optional(Type.Boolean()),
    task: Type.Optional(
      StringEnum(['classification', 'regression'] as const, { description: 'read-only: echoed from the dataset' }),
    ),
    rows: Type.Optional(Type.Integer({ minimum: 1, description: 'read-only: echoed from the dataset' })),
    features: Type.Optional(Type.Integer({ minimum: 1, description: 'read-only: echoed from the dataset' })),
    classes: Type.Optional(
      Type.Integer({ minimum: 2, description: 'read-only: echoed from the dataset (classification)' }),
    ),
    outputs: Type.Optional(
      Type.Integer({ minimum: 1, description: 'read-only: echoed from the dataset (regression)' }),
    ),
    shape: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        minItems: 3,
        maxItems: 3,
        description: 'read-only: echoed from the dataset ([channels, height, width])',
      }),
    ),
  },
  { additionalProperties: false, title: 'uploaded' },
);

export const Data = Type.Union([BuiltinData, InlineData, UploadedData], {
  $id: 'Data',
  description: 'a built-in dataset {name, n_samples, noise, ...}, inline {x, y, task}, or an uploaded one {dataset_id}',
});

export type BuiltinDatasetName = (typeof BUILTIN_DATASETS)[number];

import { CATALOG } from '../core/datasets/index.js';

export interface DatasetDefaults {
  task: 'classification' | 'regression';
  features: number;
  /** classes (classification) or outputs (regression) */
  outputs: number;
  n_samples: number;
  /** rows available (real datasets) */
  max_samples?: number;
  noise: number;
  description: string;
  /** one row's [channels, height, width] (image data) */
  shape?: readonly number[];
}

/** Wire defaults of the built-in datasets, from the core's catalog (the one source). */
export const DATASET_DEFAULTS = Object.fromEntries(
  CATALOG.map((c) => [
    c.name,
    {
      task: c.task,
      features: c.features,
      outputs: (c.task === 'classification' ? c.classes : c.outputs) ?? 1,
      n_samples: c.n_samples,
      ...(c.max_samples !== null ? { max_samples: c.max_samples } : {}),
      noise: c.noise,
      description: c.description,
      ...(c.shape ? { shape: c.shape } : {}),
    },
  ]),
) as Record<BuiltinDatasetName, DatasetDefaults>;
