/**
 * A large circle containing a smaller one, as sklearn.datasets.make_circles(factor=0.8):
 * n_out = n//2 points on the unit circle (label 0), n_in = n - n_out on the circle of radius
 * `factor` (label 1), angles linspace(0, 2π, endpoint=False); shuffled, then noise added.
 */
import { checkSamples, linspace, makeDataset, shuffleRows, type Generator } from './common.js';

export const CIRCLES_FACTOR = 0.8;

export const circles: Generator = (o, rng) => {
  checkSamples(o.n_samples, 2);
  const n = o.n_samples;
  const nOut = Math.floor(n / 2),
    nIn = n - nOut;
  const x = new Float32Array(n * 2),
    y = new Float32Array(n);
  linspace(0, 2 * Math.PI, nOut, false).forEach((t, i) => {
    x[2 * i] = Math.cos(t);
    x[2 * i + 1] = Math.sin(t);
    y[i] = 0;
  });
  linspace(0, 2 * Math.PI, nIn, false).forEach((t, i) => {
    const r = nOut + i;
    x[2 * r] = CIRCLES_FACTOR * Math.cos(t);
    x[2 * r + 1] = CIRCLES_FACTOR * Math.sin(t);
    y[r] = 1;
  });
  shuffleRows(x, y, n, 2, 1, rng);
  if (o.noise > 0) for (let i = 0; i < n * 2; i++) x[i] += o.noise * rng.normal();
  return makeDataset('circles', 'classification', x, y, n, 2, 2);
};
