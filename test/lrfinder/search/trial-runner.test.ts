/**
 * The trial runner against the core trainer it drives: a continued candidate is bit-identical to
 * one trained in one go; candidates are paired (same initial weights, same batches); the schedule
 * is scaled so its peak is the candidate; divergence stops a trial and only the steps run count;
 * the metrics are what their definitions say, computed independently here.
 */
import { describe, expect, it } from 'vitest';
import { mlpSpec } from '../../../src/core/model.js';
import { createTrainer } from '../../../src/core/trainer.js';
import { simulateSchedule, type ScheduleSpec } from '../../../src/core/schedules/index.js';
import type { OptimizerSpec, TrainSpec } from '../../../src/core/spec.js';
import { createTrialRunner, scheduleShape, trainLossWindow } from '../../../src/lrfinder/search/trial-runner.js';
import { driveSearch } from '../../../src/lrfinder/search/drive.js';
import { createSearch, searchResult } from '../../../src/lrfinder/search/engine.js';

const sgd: OptimizerSpec = {
  type: 'sgd',
  lr: 0.1,
  momentum: 0.9,
  dampening: 0,
  nesterov: false,
  weight_decay: 0,
  betas: [0.9, 0.999],
  eps: 1e-8,
  amsgrad: false,
  alpha: 0.99,
  centered: false,
  lr_decay: 0,
  initial_accumulator_value: 0,
};
const spec: TrainSpec = {
  model: mlpSpec([16], 'tanh', { name: 'default' }, 2),
  data: {
    source: 'builtin' as const,
    name: 'moons',
    n_samples: 200,
    noise: 0.2,
    seed: 0,
    val_fraction: 0.25,
    standardize: true,
  },
  loss: { name: 'cross_entropy' },
  optimizer: sgd,
  batch_size: 16,
  clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
  seed: 5,
};

describe('trial runner', () => {
  it('continuing a candidate from 40 to 100 steps is bit-identical to training 100 steps at once', () => {
    const a = createTrialRunner({ spec, train_steps: 100, metric: 'val_loss' });
    const first = a.run(0.05, 40);
    const second = a.run(0.05, 100);
    const b = createTrialRunner({ spec, train_steps: 100, metric: 'val_loss' }).run(0.05, 100);
    expect(first.steps_trained).toBe(40);
    expect(second.steps_trained).toBe(60);
    expect(second.steps).toBe(100);
    expect(Object.is(second.metric, b.metric)).toBe(true);
    expect([...first.losses, ...second.losses]).toEqual(b.losses);
    expect(() => a.run(0.05, 50)).toThrow(/cannot rewind/);
  });

  it('val_loss is the validation loss after the last step (a trainer trained independently agrees)', () => {
    const r = createTrialRunner({ spec, train_steps: 60, metric: 'val_loss' }).run(0.03, 60, [20, 40]);
    const t = createTrainer(spec);
    const at: number[] = [];
    for (let i = 1; i <= 60; i++) {
      t.step(0.03);
      if (i === 20 || i === 40) at.push(t.evaluate('val').loss);
    }
    expect(r.metric).toBe(t.evaluate('val').loss);
    expect(r.metrics_at.map((m) => m.steps)).toEqual([20, 40, 60]);
    expect(r.metrics_at.slice(0, 2).map((m) => m.metric)).toEqual(at);
  });

  it('every candidate starts from the same weights and sees the same batches (paired)', () => {
    const runner = createTrialRunner({ spec, train_steps: 30, metric: 'val_loss' });
    const lo = runner.run(1e-4, 30);
    const hi = runner.run(0.3, 30);
    // the first minibatch loss is measured before any update: same weights, same batch
    expect(lo.losses[0]).toBe(hi.losses[0]);
    expect(lo.losses[1]).not.toBe(hi.losses[1]);
    expect(runner.initialMetric()).toBe(createTrainer(spec).evaluate('val').loss);
  });

  it('train_loss is the mean of the last 5% of minibatch losses (at least 10 steps)', () => {
    expect([trainLossWindow(5), trainLossWindow(100), trainLossWindow(1000), trainLossWindow(1001)]).toEqual([
      5, 10, 50, 51,
    ]);
    const noVal = { ...spec, data: { ...spec.data, val_fraction: 0 } };
    const r = createTrialRunner({ spec: noVal, train_steps: 200, metric: 'train_loss' }).run(0.03, 200);
    const tail = (r.losses as number[]).slice(-10);
    expect(r.metric).toBeCloseTo(tail.reduce((a, b) => a + b, 0) / 10, 12);
    expect(() => createTrialRunner({ spec: noVal, train_steps: 10, metric: 'val_loss' })).toThrow(/validation split/);
  });

  it('scales the schedule so its maximum LR is the candidate', () => {
    const cosine = { type: 'CosineAnnealingLR', T_max: 50 } as ScheduleSpec;
    const shape = scheduleShape(cosine, 50);
    const lrs = simulateSchedule({ ...cosine, lr: 1 } as ScheduleSpec, 50).lrs;
    expect(shape.factors).toEqual(lrs);
    expect(Math.max(...shape.factors)).toBe(1);
    // a warmup: the peak is reached later and scaled to 1
    const warm = scheduleShape({ type: 'linear', num_warmup_steps: 10, num_training_steps: 50 } as ScheduleSpec, 50);
    expect(warm.factors[0]).toBe(0);
    expect(warm.factors[10]).toBe(1);
    expect(Math.max(...warm.factors)).toBe(1);
    // OneCycleLR (lr may be omitted: it sets its own) cycles the momentum too
    const one = scheduleShape({ type: 'OneCycleLR', max_lr: 0.5, total_steps: 50 } as ScheduleSpec, 50);
    expect(Math.max(...one.factors)).toBe(1);
    expect(one.momentum).toHaveLength(50);
    expect(() => scheduleShape({ type: 'ReduceLROnPlateau', lr: 1 } as ScheduleSpec, 10)).toThrow();
  });

  it('trains the candidate with lr · factor(step): a scheduled run equals a manual one', () => {
    const cosine = { type: 'CosineAnnealingLR', T_max: 40 } as ScheduleSpec;
    const r = createTrialRunner({
      spec: { ...spec, optimizer: { ...sgd, momentum: 0 } },
      train_steps: 40,
      metric: 'val_loss',
      schedule: cosine,
    }).run(0.2, 40);
    const t = createTrainer({ ...spec, optimizer: { ...sgd, momentum: 0 } });
    const lrs = simulateSchedule({ ...cosine, lr: 1 } as ScheduleSpec, 40).lrs;
    for (const f of lrs) t.step(0.2 * f);
    expect(r.metric).toBe(t.evaluate('val').loss);
  });

  it('stops a diverging candidate early and counts only the steps it ran', () => {
    const runner = createTrialRunner({ spec, train_steps: 200, metric: 'val_loss' });
    const r = runner.run(1e4, 200);
    expect(r.diverged).toBe(true);
    expect(r.metric).toBeNull();
    expect(['diverged', 'non_finite']).toContain(r.stop_reason);
    expect(r.steps).toBeLessThan(200);
    expect(r.steps_trained).toBe(r.steps);
    expect(r.losses).toHaveLength(r.steps);
    // a stopped candidate stays stopped
    const again = runner.run(1e4, 200);
    expect(again.steps_trained).toBe(0);
    expect(again.diverged).toBe(true);
    runner.release(1e4);
    expect(runner.live).toBe(0);
  });
});

describe('a whole search on the trainer (driveSearch + trial runner)', () => {
  const run = () => {
    const runner = createTrialRunner({ spec, train_steps: 80, metric: 'val_loss' });
    const gen = driveSearch(createSearch({ train_steps: 80, resumable: true, range_test: { num_iter: 30 } }), runner);
    const events = [];
    let next = gen.next();
    while (!next.done) {
      events.push(next.value);
      next = gen.next();
    }
    return { events, result: searchResult(next.value) };
  };
  it('recommends a trained, non-diverged LR within budget, the same on every run', () => {
    const a = run();
    const r = a.result;
    expect(r.recommended_lr).not.toBeNull();
    const pick = r.candidates.find((c) => c.lr === r.recommended_lr)!;
    expect(pick.at_horizon).toBe(true);
    expect(pick.diverged).toBe(false);
    expect(r.cost.steps).toBeLessThanOrEqual(4 * 80);
    expect(a.events[0].done).toBe('range_test');
    expect(a.events.at(-1)!.steps).toBe(r.cost.steps);
    // the candidates' curves are the per-step minibatch losses, 50 buckets at most
    expect(pick.curve.length).toBeLessThanOrEqual(80 / pick.curve_every);
    expect(JSON.stringify(run().result)).toBe(JSON.stringify(r));
  });
});
