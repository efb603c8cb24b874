/** Regression: x uniform in [-π, π], y = sin(x) + noise·N(0, 1); one feature, one output. */
import { checkSamples, makeDataset, type Generator } from './common.js';

export const sine: Generator = (o, rng) => {
  checkSamples(o.n_samples, 2);
  const n = o.n_samples;
  const x = new Float32Array(n),
    y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = -Math.PI + 2 * Math.PI * rng.next();
    x[i] = v;
    y[i] = Math.sin(v) + o.noise * rng.normal();
  }
  return makeDataset('sine', 'regression', x, y, n, 1, 1);
};
