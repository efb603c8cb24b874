/** openSchedule: the same values one step at a time (for training loops), metrics fed as they arrive. */
import { describe, expect, it } from 'vitest';
import { openSchedule, simulateSchedule, usesMetrics } from '../../../src/core/schedules/index.js';
import { errorOf } from './helpers.js';

const specs: object[] = [
  { type: 'OneCycleLR', max_lr: 0.1, total_steps: 20 },
  {
    type: 'SequentialLR',
    lr: 0.1,
    milestones: [5],
    schedulers: [
      { type: 'LinearLR', start_factor: 0.1, total_iters: 5 },
      { type: 'CosineAnnealingLR', T_max: 15 },
    ],
  },
  { type: 'cosine_with_restarts', lr: 1e-3, num_warmup_steps: 3, num_training_steps: 21, num_cycles: 2 },
  {
    type: 'sgdr_schedule',
    cosine_kwargs: [
      { init_value: 0, peak_value: 1, warmup_steps: 2, decay_steps: 10 },
      { init_value: 0, peak_value: 0.5, warmup_steps: 2, decay_steps: 10 },
    ],
  },
];

describe('openSchedule', () => {
  for (const spec of specs) {
    it(`steps like simulateSchedule: ${(spec as { type: string }).type}`, () => {
      const r = openSchedule(spec as never);
      const lrs: number[] = [];
      const mom: number[] = [];
      for (let i = 0; i < 21; i++) {
        if (i > 0) r.step();
        lrs.push(r.lr);
        if (r.momentum !== undefined) mom.push(r.momentum);
      }
      const sim = simulateSchedule(spec as never, 21);
      expect(lrs).toEqual(sim.lrs);
      if (sim.momentum) expect(mom).toEqual(sim.momentum);
      else expect(mom).toEqual([]);
    });
  }
  it('ReduceLROnPlateau takes each metric as it arrives', () => {
    const r = openSchedule({ type: 'ReduceLROnPlateau', lr: 0.1, patience: 1 } as never);
    expect(r.usesMetrics).toBe(true);
    const seen = [r.lr];
    for (const m of [1, 1, 1, 1]) {
      r.step(m);
      seen.push(r.lr);
    }
    expect(seen).toEqual(
      simulateSchedule({ type: 'ReduceLROnPlateau', lr: 0.1, patience: 1 } as never, 5, { metrics: [1, 1, 1, 1] }).lrs,
    );
    expect(errorOf(() => r.step()).path).toBe('/metrics');
  });
  it('a metric for a schedule that takes none is rejected', () => {
    expect(errorOf(() => openSchedule({ type: 'StepLR', lr: 1, step_size: 1 } as never).step(0.5)).path).toBe(
      '/metrics',
    );
    expect(usesMetrics('reduce_lr_on_plateau')).toBe(true);
    expect(usesMetrics('StepLR')).toBe(false);
  });
});
