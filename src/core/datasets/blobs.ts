/**
 * Isotropic Gaussian blobs, as sklearn.datasets.make_blobs(centers=classes, cluster_std=noise,
 * center_box=(-10, 10)): centers uniform in the box; n//centers samples per center (the first
 * n % centers centers get one more), N(center, noise²) each; rows shuffled. The request's
 * `noise` is sklearn's cluster_std (default 1.0 in the catalog, as in sklearn).
 */
import { checkSamples, makeDataset, shuffleRows, type Generator } from './common.js';

export const blobs: Generator = (o, rng) => {
  const k = o.classes ?? 3;
  const f = o.features ?? 2;
  if (!Number.isInteger(k) || k < 2) throw new Error(`blobs: classes must be an integer ≥ 2, got ${k}`);
  if (!Number.isInteger(f) || f < 1) throw new Error(`blobs: features must be a positive integer, got ${f}`);
  checkSamples(o.n_samples, k);
  const n = o.n_samples;
  const centers = new Float64Array(k * f);
  for (let i = 0; i < k * f; i++) centers[i] = -10 + 20 * rng.next();
  const x = new Float32Array(n * f),
    y = new Float32Array(n);
  let row = 0;
  for (let c = 0; c < k; c++) {
    const count = Math.floor(n / k) + (c < n % k ? 1 : 0);
    for (let i = 0; i < count; i++, row++) {
      for (let j = 0; j < f; j++) x[row * f + j] = centers[c * f + j] + o.noise * rng.normal();
      y[row] = c;
    }
  }
  shuffleRows(x, y, n, f, 1, rng);
  return makeDataset('blobs', 'classification', x, y, n, f, k);
};
