/** Schedule-simulation resolution (presets, merge rules, defaults) and ranking. */
import { describe, expect, it } from 'vitest';
import { problem, resolveContext } from '../../helpers/resolve.js';
import type { ScheduleSimulationRequest } from '../../../src/kinds/schedule-simulations/contract.js';
import { PRESETS } from '../../../src/kinds/schedule-simulations/presets.js';
import { resolveScheduleSimulation } from '../../../src/kinds/schedule-simulations/resolve.js';
import { rankRuns } from '../../../src/kinds/schedule-simulations/run.js';

const ctx = resolveContext;
const resolve = (body: ScheduleSimulationRequest, env: Record<string, string> = {}) =>
  resolveScheduleSimulation(body, ctx(env));

const two = [
  { name: 'a', schedule: { type: 'constant', lr: 0.01 } },
  { name: 'b', schedule: { type: 'StepLR', lr: 0.01, step_size: 10 } },
];

describe('resolveScheduleSimulation', () => {
  it('{} is the spirals-schedules preset: constant vs warmup+cosine vs one-cycle, spirals-mlp setup', () => {
    const r = resolve({});
    expect(r).toMatchObject({ preset: 'spirals-schedules', steps: 200, eval_every: null, diverge_th: 5 });
    expect(r.schedules.map((s) => s.name)).toEqual(['constant', 'warmup-cosine', 'one-cycle']);
    expect(r.train).toMatchObject({
      batch_size: 64,
      seed: 0,
      clip_grad_norm: null,
      clip_grad_value: null,
      loss: { name: 'cross_entropy' },
      optimizer: { type: 'adam', betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
      data: { name: 'spirals', n_samples: 1000, noise: 0.2, seed: 0, val_fraction: 0.2 },
    });
    expect(r.train.model.layers.map((l) => l.type)).toEqual(['dense', 'dense']);
  });

  it('every schedule preset resolves and passes the simulator over its steps', () => {
    expect(PRESETS.map((p) => p.name)).toEqual(['spirals-schedules', 'warmup-cosine', 'one-cycle', 'step-decay']);
    for (const p of PRESETS) expect(resolve({ preset: p.name }).schedules.length).toBeGreaterThanOrEqual(2);
  });

  it("top-level fields replace the preset's; train is merged field by field, each field wholesale", () => {
    const r = resolve({ preset: 'step-decay', steps: 50, train: { seed: 7, optimizer: { type: 'sgd' } } });
    expect(r.steps).toBe(50);
    expect(r.train.seed).toBe(7);
    expect(r.train.data).toMatchObject({ name: 'spirals', n_samples: 1000, seed: 7 }); // the data seed follows the request seed
    expect(r.train.optimizer).toEqual({ type: 'sgd', momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 });
    expect(r.schedules.map((s) => s.name)).toEqual(['constant', 'step', 'multistep']);
    expect(resolve({ schedules: two, steps: 20 }).schedules).toEqual(two);
  });

  it('a request with its own schedules, model and data echoes no preset', () => {
    const r = resolve({ schedules: two, steps: 20, train: { model: { hidden: [8] }, data: { name: 'moons' } } });
    expect(r.preset).toBeNull();
    expect(r.train.data).toMatchObject({ name: 'moons' });
  });

  it('re-roots training-setup problems under /train and schedule problems under /schedules/i', () => {
    expect(problem(() => resolve({ train: { data: { name: 'sine' }, loss: 'cross_entropy' } })).errors[0].pointer).toBe(
      '/train/loss',
    );
    const p = problem(() => resolve({ schedules: [two[0], { name: 'x', schedule: { type: 'StepLR', lr: 0.1 } }] }));
    expect(p.errors[0]).toEqual({
      pointer: '/schedules/1/schedule/step_size',
      detail: "StepLR.__init__() missing 1 required positional argument: 'step_size'",
    });
    expect(p.message).toBe(
      "/schedules/1/schedule/step_size: TypeError: StepLR.__init__() missing 1 required positional argument: 'step_size'",
    );
  });

  it('limits: LIMIT_SCHEDULE_STEPS, the steps × schedules budget, batch size and model size', () => {
    expect(problem(() => resolve({ schedules: two, steps: 11 }, { LIMIT_SCHEDULE_STEPS: '10' })).code).toBe(
      'limit_exceeded',
    );
    const budget = problem(() => resolve({ schedules: two, steps: 11 }, { LIMIT_SIMULATION_STEPS: '20' }));
    expect(budget.errors[0].detail).toBe(
      "steps × schedules (11 × 2) is 22, above this service's limit of 20 (LIMIT_SIMULATION_STEPS)",
    );
    expect(() => resolve({ schedules: two, steps: 10 }, { LIMIT_SIMULATION_STEPS: '20' })).not.toThrow();
    // the range-test limits no longer bound a simulation
    expect(() => resolve({ schedules: two, steps: 11 }, { LIMIT_NUM_ITER: '10', LIMIT_REPEATS: '1' })).not.toThrow();
    expect(problem(() => resolve({ train: { batch_size: 100 } }, { LIMIT_BATCH_SIZE: '64' })).errors[0].pointer).toBe(
      '/train/batch_size',
    );
    expect(
      problem(() => resolve({ train: { model: { hidden: [512, 512] } } }, { LIMIT_MODEL_PARAMS: '1000' })).errors[0]
        .pointer,
    ).toBe('/train/model');
  });

  it('ReduceLROnPlateau is checked at construction (its metrics come from training)', () => {
    expect(() =>
      resolve({ schedules: [two[0], { name: 'p', schedule: { type: 'ReduceLROnPlateau', lr: 0.1 } }] }),
    ).not.toThrow();
    const p = problem(() =>
      resolve({ schedules: [two[0], { name: 'p', schedule: { type: 'ReduceLROnPlateau', lr: 0.1, mode: 'mean' } }] }),
    );
    expect(p.errors[0].pointer).toBe('/schedules/1/schedule/mode');
  });

  it('a schedule that cycles momentum needs an optimizer with momentum or betas, as torch checks', () => {
    const oc = { name: 'oc', schedule: { type: 'OneCycleLR', max_lr: 0.1, total_steps: 200 } };
    const p = problem(() => resolve({ schedules: [two[0], oc], train: { optimizer: { type: 'adagrad' } } }));
    expect(p.errors[0].pointer).toBe('/schedules/1/schedule');
    expect(p.errors[0].detail).toMatch(
      /^optimizer must support momentum or beta1 with `cycle_momentum` option enabled/,
    );
    expect(() =>
      resolve({
        schedules: [two[0], { name: 'oc', schedule: { ...oc.schedule, cycle_momentum: false } }],
        train: { optimizer: { type: 'adagrad' } },
      }),
    ).not.toThrow();
    expect(() => resolve({ schedules: [two[0], oc], train: { optimizer: { type: 'rmsprop' } } })).not.toThrow();
  });

  it('RMSprop whose cycled momentum is 0 at the first step and positive later is refused (torch has no momentum buffer then)', () => {
    // CyclicLR: momentum = max_momentum at step 0, then moves toward base_momentum
    const cyc = {
      name: 'cyc',
      schedule: {
        type: 'CyclicLR',
        base_lr: 0.001,
        max_lr: 0.01,
        step_size_up: 4,
        base_momentum: 0.8,
        max_momentum: 0,
      },
    };
    const p = problem(() =>
      resolve({ schedules: [two[0], cyc], steps: 10, train: { optimizer: { type: 'rmsprop', momentum: 0.9 } } }),
    );
    expect(p.errors[0].pointer).toBe('/schedules/1/schedule');
    expect(p.errors[0].detail).toBe(
      "RMSprop's momentum is 0 at the first step and 0.2 at step 1: torch allocates the momentum buffer only when the first step has momentum > 0 (KeyError: 'momentum_buffer')",
    );
    expect(() => resolve({ schedules: [two[0], cyc], steps: 10, train: { optimizer: { type: 'sgd' } } })).not.toThrow();
    const pos = { name: 'cyc', schedule: { ...cyc.schedule, base_momentum: 0, max_momentum: 0.8 } };
    expect(() =>
      resolve({ schedules: [two[0], pos], steps: 10, train: { optimizer: { type: 'rmsprop' } } }),
    ).not.toThrow();
  });
});

describe('rankRuns', () => {
  it('final loss ascending, ties by name, diverged and loss-less runs last by name', () => {
    expect(
      rankRuns([
        { name: 'z-diverged', diverged: true, loss: 0.001 },
        { name: 'b', diverged: false, loss: 0.2 },
        { name: 'a', diverged: false, loss: 0.2 },
        { name: 'c', diverged: false, loss: 0.1 },
        { name: 'no-loss', diverged: false, loss: null },
        { name: 'a-diverged', diverged: true, loss: null },
      ]),
    ).toEqual(['c', 'a', 'b', 'a-diverged', 'no-loss', 'z-diverged']);
  });
});
