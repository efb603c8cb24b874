/**
 * A result cannot grow without bound: per-layer series are cut to LIMIT_LAYER_POINTS (the first,
 * the last and evenly spaced iterations, named in `layer_iterations`), and a result above
 * LIMIT_RESULT_BYTES fails `result_too_large` in the training thread and is never stored.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobApi, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;

beforeAll(async () => {
  s = await startStack({ tag: 'bounds', worker: false });
});

afterAll(async () => {
  await s?.close();
});

/** a deep residual model, small enough to train fast: 1 + 3 × 9 hidden layers */
const DEEP = {
  preset: 'spirals-mlp',
  num_iter: 600,
  end_lr: 1e-3,
  batch_size: 16,
  model: {
    layers: [
      { type: 'dense', units: 8, activation: 'relu' },
      ...Array.from({ length: 9 }, () => ({
        type: 'residual',
        layers: [
          { type: 'dense', units: 8, activation: 'relu' },
          { type: 'dense', units: 8 },
        ],
      })),
    ],
  },
};

describe('result bounds', () => {
  it('per-layer series hold LIMIT_LAYER_POINTS points: the first, the last and evenly spaced iterations', async () => {
    const w = await s.startWorker({ LIMIT_LAYER_POINTS: '50' });
    try {
      const api = jobApi(s, 'lr-range-tests');
      const { json } = await api.submit(DEEP);
      const { final } = await api.waitFor(json.id, (j) => j.finished_at !== null);
      expect(final.status).toBe('succeeded');
      const r = final.result;
      expect(r.iterations).toBe(600);
      expect(r.layers.length).toBe(20); // one series per dense layer: 1 + 9 × 2 + the output layer
      expect(r.layer_iterations).toHaveLength(50);
      expect(r.layer_iterations[0]).toBe(0);
      expect(r.layer_iterations[49]).toBe(599);
      for (const l of r.layers)
        for (const f of ['grad_norm', 'weight_norm', 'update_ratio', 'act_mean', 'act_std', 'dead_fraction'])
          expect(l[f]).toHaveLength(50);
    } finally {
      await w.stop();
    }
  });

  it('a result above LIMIT_RESULT_BYTES fails result_too_large and nothing is stored', async () => {
    const w = await s.startWorker({ LIMIT_RESULT_BYTES: '20000' });
    try {
      const api = jobApi(s, 'lr-range-tests');
      const { json } = await api.submit(DEEP);
      const { final } = await api.waitFor(json.id, (j) => j.finished_at !== null);
      expect(final.status).toBe('failed');
      expect(final.result).toBeNull();
      expect(final.error.code).toBe('result_too_large');
      expect(final.error.detail).toContain('LIMIT_RESULT_BYTES');
      const q = new Queue('lr-range-tests', { connection: { url: s.redis.url }, prefix: s.prefix });
      const job = await q.getJob(json.id);
      expect(job?.returnvalue ?? null).toBeNull();
      await q.close();
      // the worker keeps serving
      const small = await api.submit({ preset: 'spirals-mlp', num_iter: 20 });
      expect((await api.waitFor(small.json.id, (j) => j.finished_at !== null)).final.status).toBe('succeeded');
    } finally {
      await w.stop();
    }
  });
});
