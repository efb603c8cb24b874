/** LR search resolution: presets, defaults, the metric against the data, the budget, limits, schedules. */
import { describe, expect, it } from 'vitest';
import { problem, resolveContext } from '../../helpers/resolve.js';
import type { LrSearchRequest } from '../../../src/kinds/lr-searches/contract.js';
import { resolveLrSearch } from '../../../src/kinds/lr-searches/resolve.js';

const resolve = (body: LrSearchRequest, env: Record<string, string> = {}) => resolveLrSearch(body, resolveContext(env));

describe('resolveLrSearch', () => {
  it('{} is spirals-search: 1000 steps, constant LR, val_loss, budget 4 × 1000, a 100-point range test', () => {
    const r = resolve({});
    expect(r).toMatchObject({
      preset: 'spirals-search',
      train_steps: 1000,
      schedule: null,
      metric: 'val_loss',
      budget_steps: 4000,
      tolerance: 0.1,
      diverge_th: 5,
      start_lr: 1e-7,
      end_lr: 10,
      num_iter: 100,
      seed: 0,
      batch_size: 64,
      optimizer: { type: 'adam' },
      data: { name: 'spirals', val_fraction: 0.2, seed: 0 },
    });
  });

  it('the range test has a quarter of train_steps points, 30 to 100; the budget follows train_steps', () => {
    expect(resolve({ train_steps: 200 })).toMatchObject({ num_iter: 50, budget_steps: 800 });
    expect(resolve({ train_steps: 40 })).toMatchObject({ num_iter: 30, budget_steps: 160 });
    expect(resolve({ train_steps: 200, num_iter: 80, budget_steps: 500 })).toMatchObject({
      num_iter: 80,
      budget_steps: 500,
    });
  });

  it('metric defaults to train_loss without a validation split; val_loss then is a 400 at /metric', () => {
    const noVal = { preset: 'spirals-search', data: { name: 'spirals' as const, val_fraction: 0 } };
    expect(resolve(noVal).metric).toBe('train_loss');
    expect(problem(() => resolve({ ...noVal, metric: 'val_loss' })).errors[0].pointer).toBe('/metric');
  });

  it('limits: train_steps (LIMIT_SCHEDULE_STEPS), budget (LIMIT_SIMULATION_STEPS), num_iter (LIMIT_NUM_ITER)', () => {
    const a = problem(() => resolve({ train_steps: 200 }, { LIMIT_SCHEDULE_STEPS: '100' }));
    expect([a.status, a.code, a.errors[0].pointer]).toEqual([400, 'limit_exceeded', '/train_steps']);
    // the default budget (4 × train_steps) over the limit points at train_steps; an explicit one at budget_steps
    expect(problem(() => resolve({ train_steps: 1000 }, { LIMIT_SIMULATION_STEPS: '3000' })).errors[0].pointer).toBe(
      '/train_steps',
    );
    expect(problem(() => resolve({ budget_steps: 5000 }, { LIMIT_SIMULATION_STEPS: '3000' })).errors[0].pointer).toBe(
      '/budget_steps',
    );
    expect(problem(() => resolve({ num_iter: 300 }, { LIMIT_NUM_ITER: '200' })).errors[0].pointer).toBe('/num_iter');
    // LIMIT_JOB_FLOPS: 6 × parameters × batch × budget_steps (spirals-mlp: 2·64+64 + 64·64+64 + 64·2+2 = 4482
    // parameters, batch 64)
    const flops = problem(() => resolve({ budget_steps: 4000 }, { LIMIT_JOB_FLOPS: String(6 * 4482 * 64 * 3999) }));
    expect([flops.errors[0].pointer, flops.code]).toEqual(['/budget_steps', 'limit_exceeded']);
    expect(flops.errors[0].detail).toMatch(/budget_steps 4000/);
    expect(() => resolve({ budget_steps: 4000 }, { LIMIT_JOB_FLOPS: String(6 * 4482 * 64 * 4000) })).not.toThrow();
  });

  it('a budget below the range test plus one horizon-trained candidate is a 400 naming both', () => {
    const e = problem(() => resolve({ train_steps: 100, num_iter: 40, budget_steps: 139 }));
    expect(e.errors[0].pointer).toBe('/budget_steps');
    expect(e.errors[0].detail).toMatch(/40 \+ 100 = 140/);
    expect(problem(() => resolve({ start_lr: 1, end_lr: 0.5 })).errors[0].pointer).toBe('/end_lr');
  });

  it('schedules: lr may be omitted; ReduceLROnPlateau, Adagrad with a momentum-cycling schedule and bad arguments are 400s', () => {
    expect(resolve({ schedule: { type: 'CosineAnnealingLR', T_max: 1000 } }).schedule).toEqual({
      type: 'CosineAnnealingLR',
      T_max: 1000,
    });
    expect(
      resolve({
        schedule: {
          type: 'warmup_cosine_decay_schedule',
          init_value: 0,
          peak_value: 1,
          warmup_steps: 100,
          decay_steps: 1000,
        },
      }).schedule,
    ).not.toBeNull();
    expect(problem(() => resolve({ schedule: { type: 'ReduceLROnPlateau' } })).errors[0].pointer).toBe(
      '/schedule/type',
    );
    expect(
      problem(() =>
        resolve({ optimizer: { type: 'adagrad' }, schedule: { type: 'OneCycleLR', max_lr: 1, total_steps: 1000 } }),
      ).errors[0].pointer,
    ).toBe('/schedule');
    const bad = problem(() => resolve({ schedule: { type: 'StepLR', step_size: 10, foo: 1 } }));
    expect(bad.errors[0].detail).toMatch(/unexpected keyword argument 'foo'/);
    expect(
      problem(() => resolve({ schedule: { type: 'LinearLR', start_factor: 0, end_factor: 0, total_iters: 5 } })).status,
    ).toBe(400);
  });
});
