/**
 * Datasets from plain arrays: the inline `{x, y, task}` form of a request, uploaded datasets,
 * and data a worker loads itself (MNIST). Validates shapes and labels with clear messages.
 */
import type { Dataset, Task } from '../spec.js';

/**
 * x: rows of features (all the same length); y: classification → class index per row
 * (integers ≥ 0; classes = max + 1), regression → one target per row or rows of targets.
 */
export function fromArrays(
  name: string,
  x: ArrayLike<ArrayLike<number>>,
  y: ArrayLike<number | ArrayLike<number>>,
  task: Task,
  classes?: number,
): Dataset {
  const rows = x.length;
  if (rows === 0) throw new Error(`${name}: x has no rows`);
  if (y.length !== rows) throw new Error(`${name}: x has ${rows} rows but y has ${y.length}`);
  const features = x[0].length;
  if (features === 0) throw new Error(`${name}: x rows have no features`);
  const xs = new Float32Array(rows * features);
  for (let r = 0; r < rows; r++) {
    const row = x[r];
    if (row.length !== features)
      throw new Error(`${name}: x row ${r} has ${row.length} features, expected ${features}`);
    for (let j = 0; j < features; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`${name}: x[${r}][${j}] is not a finite number`);
      xs[r * features + j] = v;
    }
  }
  if (task === 'classification') {
    const ys = new Float32Array(rows);
    let max = 0;
    for (let r = 0; r < rows; r++) {
      const v = y[r];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new Error(`${name}: y[${r}] must be a class index (integer ≥ 0), got ${JSON.stringify(v)}`);
      ys[r] = v;
      if (v > max) max = v;
    }
    const k = classes ?? Math.max(2, max + 1);
    if (max >= k) throw new Error(`${name}: y contains class ${max} but only ${k} classes were declared`);
    return { name, task, x: xs, y: ys, rows, features, outputs: k };
  }
  const first = y[0];
  const outputs = typeof first === 'number' ? 1 : first.length;
  const ys = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    const v = y[r];
    const vals: ArrayLike<number> = typeof v === 'number' ? [v] : v;
    if (vals.length !== outputs) throw new Error(`${name}: y[${r}] has ${vals.length} targets, expected ${outputs}`);
    for (let j = 0; j < outputs; j++) {
      if (typeof vals[j] !== 'number' || !Number.isFinite(vals[j]))
        throw new Error(`${name}: y[${r}] is not a finite number`);
      ys[r * outputs + j] = vals[j];
    }
  }
  return { name, task, x: xs, y: ys, rows, features, outputs };
}

/** A dataset from flat typed arrays already in the core's layout (no copy, validated). */
export function fromFlat(
  name: string,
  task: Task,
  x: Float32Array,
  y: Float32Array,
  rows: number,
  features: number,
  outputs: number,
): Dataset {
  if (x.length !== rows * features)
    throw new Error(`${name}: x has ${x.length} values, expected rows × features = ${rows * features}`);
  const yLen = task === 'classification' ? rows : rows * outputs;
  if (y.length !== yLen) throw new Error(`${name}: y has ${y.length} values, expected ${yLen}`);
  if (task === 'classification') {
    for (let i = 0; i < rows; i++) {
      if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= outputs)
        throw new Error(`${name}: y[${i}] = ${y[i]} is not a class in [0, ${outputs})`);
    }
  }
  return { name, task, x, y, rows, features, outputs };
}
