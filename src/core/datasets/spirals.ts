/**
 * Interleaved spirals (the CS231n "spiral data" / two-spirals problem, generalised to K arms):
 * class j, sample i of N: radius r = i/(N-1), angle θ = 2πj/K + 4.5·r + noise·N(0,1);
 * point (r·sin θ, r·cos θ). K = `classes` (default 2); `noise` is the angle noise in radians.
 */
import { checkSamples, makeDataset, shuffleRows, type Generator } from './common.js';

export const TURN_RADIANS = 4.5;

export const spirals: Generator = (o, rng) => {
  const k = o.classes ?? 2;
  if (!Number.isInteger(k) || k < 2) throw new Error(`spirals: classes must be an integer ≥ 2, got ${k}`);
  checkSamples(o.n_samples, k);
  const n = o.n_samples;
  const x = new Float32Array(n * 2),
    y = new Float32Array(n);
  let row = 0;
  for (let j = 0; j < k; j++) {
    const count = Math.floor(n / k) + (j < n % k ? 1 : 0);
    for (let i = 0; i < count; i++) {
      const r = count > 1 ? i / (count - 1) : 0;
      const theta = (2 * Math.PI * j) / k + TURN_RADIANS * r + o.noise * rng.normal();
      x[row * 2] = r * Math.sin(theta);
      x[row * 2 + 1] = r * Math.cos(theta);
      y[row] = j;
      row++;
    }
  }
  shuffleRows(x, y, n, 2, 1, rng);
  return makeDataset('spirals', 'classification', x, y, n, 2, k);
};
