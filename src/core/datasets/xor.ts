/**
 * XOR: points uniform in [-1, 1]², label 1 when the signs of the two coordinates differ
 * (x₀·x₁ < 0), else 0; Gaussian noise (std `noise`) added to the coordinates after labelling.
 */
import { checkSamples, makeDataset, type Generator } from './common.js';

export const xor: Generator = (o, rng) => {
  checkSamples(o.n_samples, 2);
  const n = o.n_samples;
  const x = new Float32Array(n * 2),
    y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = 2 * rng.next() - 1,
      b = 2 * rng.next() - 1;
    y[i] = a * b < 0 ? 1 : 0;
    x[2 * i] = a + o.noise * rng.normal();
    x[2 * i + 1] = b + o.noise * rng.normal();
  }
  return makeDataset('xor', 'classification', x, y, n, 2, 2);
};
