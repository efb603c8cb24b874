/** Shared helpers for the built-in dataset generators. */
import type { Dataset, Task } from '../spec.js';
import type { Rng } from '../rng.js';

export interface GenOptions {
  n_samples: number;
  noise: number;
  /** number of classes / centers (spirals, blobs) */
  classes?: number;
  /** input features (blobs) */
  features?: number;
}

export type Generator = (o: GenOptions, rng: Rng) => Dataset;

/** numpy.linspace(start, stop, num, endpoint) */
export function linspace(start: number, stop: number, num: number, endpoint = true): number[] {
  const out: number[] = [];
  const div = endpoint ? num - 1 : num;
  for (let i = 0; i < num; i++) out.push(div > 0 ? start + ((stop - start) * i) / div : start);
  return out;
}

/** Shuffle rows of (x, y) together with rng (sklearn.utils.shuffle), in place. */
export function shuffleRows(
  x: Float32Array,
  y: Float32Array,
  rows: number,
  features: number,
  yCols: number,
  rng: Rng,
): void {
  const tmpX = new Float32Array(features),
    tmpY = new Float32Array(yCols);
  for (let i = rows - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    if (i === j) continue;
    tmpX.set(x.subarray(i * features, (i + 1) * features));
    x.copyWithin(i * features, j * features, (j + 1) * features);
    x.set(tmpX, j * features);
    tmpY.set(y.subarray(i * yCols, (i + 1) * yCols));
    y.copyWithin(i * yCols, j * yCols, (j + 1) * yCols);
    y.set(tmpY, j * yCols);
  }
}

export function makeDataset(
  name: string,
  task: Task,
  x: Float32Array,
  y: Float32Array,
  rows: number,
  features: number,
  outputs: number,
): Dataset {
  return { name, task, x, y, rows, features, outputs };
}

export function checkSamples(n: number, min = 1): void {
  if (!Number.isInteger(n) || n < min) throw new Error(`n_samples must be an integer ≥ ${min}, got ${n}`);
}
