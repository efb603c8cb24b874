/**
 * A batch larger than the training split trains full-batch (the trainer takes min(batch_size, rows),
 * as PyTorch's DataLoader yields one short batch) and the result says so: a warning
 * `batch_exceeds_training_rows` in range tests, each schedule of a simulation, and LR searches,
 * naming the pointer, the batch and the split. The split size is the core's own (splitDataset).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { batchWarning, trainingRows } from '../../src/contracts/batch.js';
import { countLayerParams } from '../../src/contracts/params.js';
import { splitDataset } from '../../src/core/datasets/prepare.js';
import { createRng } from '../../src/core/rng.js';
import { findKind } from '../../src/kinds/registry.js';
import { chooseBackend } from '../../workers/backend.js';

const ctx = { limits: loadConfig({}).limits, countParams: countLayerParams, datasets: new Map() };

/** 5 rows, 2 classes: with val_fraction 0.2 the training split has 4. */
const tiny = {
  x: [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
    [0.5, 0.5],
  ],
  y: [0, 1, 1, 0, 1],
  task: 'classification' as const,
};

function run(kind: string, body: unknown) {
  const k = findKind(kind)!;
  const req = k.resolve(body, ctx);
  const g = k.run(req, { backend: chooseBackend, dataset: () => undefined });
  let n = g.next();
  while (!n.done) n = g.next();
  return JSON.parse(JSON.stringify(n.value)) as Record<string, any>;
}

const codes = (warnings: { code: string }[]) => warnings.map((w) => w.code);

describe('training rows', () => {
  it.each([
    [5, 0.2],
    [3, 0.2],
    [150, 0.2],
    [1000, 0.25],
    [7, 0.5],
    [10, 0],
  ])("%i rows, val_fraction %f: the core's split", (rows, vf) => {
    const ds = {
      name: 't',
      task: 'regression' as const,
      rows,
      features: 1,
      outputs: 1,
      x: new Float32Array(rows),
      y: new Float32Array(rows),
    };
    const split = splitDataset(ds as never, vf, createRng(0));
    expect(
      trainingRows({
        x: Array.from({ length: rows }, () => [0]),
        y: Array(rows).fill(0),
        task: 'regression',
        val_fraction: vf,
        standardize: true,
      }),
    ).toBe(split.train.rows);
  });

  it('no warning at or under the split; the warning names the numbers', () => {
    const data = { ...tiny, val_fraction: 0.2, standardize: true };
    expect(batchWarning(4, data)).toBeNull();
    expect(batchWarning(5, data)).toEqual({
      code: 'batch_exceeds_training_rows',
      iteration: null,
      message: expect.stringMatching(
        /^\/batch_size: batch_size 5 is larger than the training split \(4 of 5 rows after val_fraction 0\.2\): every step trained on all 4 rows .* send batch_size ≤ 4/,
      ),
    });
    expect(batchWarning(64, { ...data, val_fraction: 0 }, '/train/batch_size')!.message).toMatch(
      /^\/train\/batch_size: batch_size 64 .*\(all 5 rows \(val_fraction 0\)\)/,
    );
  });
});

describe('every training job kind warns', () => {
  it('LR range test: 3-row-style tiny data at the default batch 64 warns; batch 4 does not', () => {
    const body = { data: tiny, model: { hidden: [4] }, num_iter: 12 };
    const warned = run('lr-range-tests', body);
    expect(warned.warnings[0]).toMatchObject({
      code: 'batch_exceeds_training_rows',
      message: expect.stringContaining('batch_size 64'),
    });
    expect(codes(run('lr-range-tests', { ...body, batch_size: 4 }).warnings)).not.toContain(
      'batch_exceeds_training_rows',
    );
  });

  it("schedule simulation: each schedule's warnings, at /train/batch_size", () => {
    const body = {
      preset: null,
      steps: 6,
      schedules: [
        { name: 'constant', schedule: { type: 'constant', lr: 0.01 } },
        { name: 'step', schedule: { type: 'StepLR', lr: 0.01, step_size: 2 } },
      ],
      train: { data: tiny, model: { hidden: [4] }, batch_size: 16 },
    };
    const result = run('schedule-simulations', body);
    expect(result.schedules).toHaveLength(2);
    for (const s of result.schedules) {
      expect(s.warnings[0]).toMatchObject({
        code: 'batch_exceeds_training_rows',
        message: expect.stringMatching(/^\/train\/batch_size: batch_size 16 /),
      });
    }
    const ok = run('schedule-simulations', { ...body, train: { ...body.train, batch_size: 4 } });
    for (const s of ok.schedules) expect(codes(s.warnings)).not.toContain('batch_exceeds_training_rows');
  });

  it("LR search: the result's warnings", () => {
    const body = { data: tiny, model: { hidden: [4] }, train_steps: 8, budget_steps: 40, num_iter: 20, batch_size: 8 };
    expect(run('lr-searches', body).warnings[0]).toMatchObject({
      code: 'batch_exceeds_training_rows',
      message: expect.stringContaining('batch_size 8'),
    });
    expect(codes(run('lr-searches', { ...body, batch_size: 2 }).warnings)).not.toContain('batch_exceeds_training_rows');
  });
});
