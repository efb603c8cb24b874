/**
 * The mnist-cnn preset end to end through the kind's run function (the worker's dataset loader and
 * backend choice): LeNet-5 on MNIST read as 1×28×28. The curve has the shape an LR range test should
 * (Smith 2017 §3.3; fastai's lr_find): flat at tiny LRs, a fall, then a divergence that stops the run.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { countLayerParams } from '../../../src/contracts/params.js';
import { resolveRangeTest } from '../../../src/kinds/lr-range-tests/resolve.js';
import { runLrRangeTest } from '../../../src/kinds/lr-range-tests/run.js';
import { chooseBackend } from '../../../workers/backend.js';
import { loadIoDataset } from '../../../workers/datasets.js';

describe('preset mnist-cnn (range test)', () => {
  it('loss flat, then falls, then diverges; the suggestion lies in the fall', () => {
    const ctx = { limits: loadConfig({}).limits, countParams: countLayerParams };
    const req = resolveRangeTest({ preset: 'mnist-cnn' }, ctx);
    const shapes: unknown[] = [];
    const g = runLrRangeTest(req, {
      backend: (s, shape) => {
        shapes.push(shape);
        return chooseBackend(s, shape);
      },
      dataset: (d, seed) => loadIoDataset(d, seed, {}),
    });
    let n = g.next();
    while (!n.done) n = g.next();
    const r = n.value as { losses: number[]; lrs: number[]; stop_reason: string; suggested_lr: number };
    expect(shapes[0]).toMatchObject({ features: 784, shape: [1, 28, 28] });
    const first = r.losses.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    expect(first).toBeGreaterThan(2.2); // ln 10 = 2.303: chance level at tiny LRs
    const min = Math.min(...r.losses);
    expect(min).toBeLessThan(0.6 * first);
    expect(r.stop_reason).toBe('diverged');
    expect(r.losses.at(-1)!).toBeGreaterThan(2 * min);
    expect(r.suggested_lr).toBeGreaterThan(1e-4);
    expect(r.suggested_lr).toBeLessThan(r.lrs[r.losses.indexOf(min)] * 10);
  });
});
