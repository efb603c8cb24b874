/**
 * Two interleaving half circles, as sklearn.datasets.make_moons (sklearn/datasets/_samples_generator.py):
 * n_out = n//2 outer points (cos t, sin t), n_in = n - n_out inner points (1 - cos t, 1 - sin t - 0.5),
 * t = linspace(0, π); labels 0 then 1; rows shuffled, then Gaussian noise (std `noise`) added.
 */
import { checkSamples, linspace, makeDataset, shuffleRows, type Generator } from './common.js';

export const moons: Generator = (o, rng) => {
  checkSamples(o.n_samples, 2);
  const n = o.n_samples;
  const nOut = Math.floor(n / 2),
    nIn = n - nOut;
  const x = new Float32Array(n * 2),
    y = new Float32Array(n);
  linspace(0, Math.PI, nOut).forEach((t, i) => {
    x[2 * i] = Math.cos(t);
    x[2 * i + 1] = Math.sin(t);
    y[i] = 0;
  });
  linspace(0, Math.PI, nIn).forEach((t, i) => {
    const r = nOut + i;
    x[2 * r] = 1 - Math.cos(t);
    x[2 * r + 1] = 1 - Math.sin(t) - 0.5;
    y[r] = 1;
  });
  shuffleRows(x, y, n, 2, 1, rng);
  if (o.noise > 0) for (let i = 0; i < n * 2; i++) x[i] += o.noise * rng.normal();
  return makeDataset('moons', 'classification', x, y, n, 2, 2);
};
