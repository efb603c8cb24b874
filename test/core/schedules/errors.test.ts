/**
 * Invalid arguments raise the error the library itself raises (message and, via `exception`, the Python
 * exception class), at a JSON pointer into the request. Sources: torch/optim/lr_scheduler.py __init__
 * checks and test_lrscheduler.py (test_linearlr_start_factor_limits*, test_cycle_lr_invalid_mode,
 * test_onecycle_lr_invalid_*, test_onecycle_lr_cannot_calculate_total_steps); transformers optimization.py;
 * optax _schedule.py and _schedule_test.py (test_nonpositive_transition_steps, test_invalid_type/scale).
 */
import { describe, expect, it } from 'vitest';
import { SCHEDULE_TYPES, simulateSchedule } from '../../../src/core/schedules/index.js';
import { errorOf } from './helpers.js';

const run =
  (spec: unknown, steps = 3, metrics?: number[]) =>
  () =>
    simulateSchedule(spec as never, steps, metrics ? { metrics } : {});
const expectError = (fn: () => unknown, path: string, message: string | RegExp, exception?: string): void => {
  const e = errorOf(fn);
  expect(e.path).toBe(path);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  if (exception) expect(e.exception).toBe(exception);
};

describe('PyTorch argument errors', () => {
  it('CosineAnnealingWarmRestarts T_0 / T_mult / eta_min', () => {
    expectError(
      run({ type: 'CosineAnnealingWarmRestarts', lr: 1, T_0: -1 }),
      '/schedule/T_0',
      'Expected positive integer T_0, but got -1',
      'ValueError',
    );
    expectError(
      run({ type: 'CosineAnnealingWarmRestarts', lr: 1, T_0: 2.5 }),
      '/schedule/T_0',
      'Expected positive integer T_0, but got 2.5',
    );
    expectError(
      run({ type: 'CosineAnnealingWarmRestarts', lr: 1, T_0: 10, T_mult: 0 }),
      '/schedule/T_mult',
      'Expected integer T_mult >= 1, but got 0',
    );
    expectError(
      run({ type: 'CosineAnnealingWarmRestarts', lr: 1, T_0: 10, eta_min: 'x' }),
      '/schedule/eta_min',
      "Expected float or int eta_min, but got x of type <class 'str'>",
    );
  });
  it('LinearLR factor ranges (test_linearlr_start_factor_limits1/2)', () => {
    const msg = 'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.';
    expectError(run({ type: 'LinearLR', lr: 1, start_factor: 0.0, total_iters: 4 }), '/schedule/start_factor', msg);
    expectError(run({ type: 'LinearLR', lr: 1, start_factor: 1.1, total_iters: 4 }), '/schedule/start_factor', msg);
    expectError(
      run({ type: 'LinearLR', lr: 1, end_factor: -0.1 }),
      '/schedule/end_factor',
      'Ending multiplicative factor expected to be between 0 and 1.',
    );
  });
  it('ConstantLR factor range', () => {
    expectError(
      run({ type: 'ConstantLR', lr: 1, factor: 1.5 }),
      '/schedule/factor',
      'Constant multiplicative factor expected to be between 0 and 1.',
    );
  });
  it('CyclicLR invalid mode (test_cycle_lr_invalid_mode)', () => {
    expectError(
      run({ type: 'CyclicLR', base_lr: 0, max_lr: 0, mode: 'CATS' }),
      '/schedule/mode',
      'mode is invalid and scale_fn is None',
    );
  });
  it('OneCycleLR (test_onecycle_lr_invalid_anneal_strategy / invalid_pct_start / cannot_calculate_total_steps)', () => {
    expectError(
      run({ type: 'OneCycleLR', max_lr: 1e-3, total_steps: 10, anneal_strategy: 'CATS' }),
      '/schedule/anneal_strategy',
      "anneal_strategy must be one of 'cos' or 'linear', instead got CATS",
    );
    expectError(
      run({ type: 'OneCycleLR', max_lr: 1e-3, total_steps: 10, pct_start: 1.1 }),
      '/schedule/pct_start',
      'Expected float between 0 and 1 pct_start, but got 1.1',
    );
    expectError(
      run({ type: 'OneCycleLR', max_lr: 1e-3 }),
      '/schedule/total_steps',
      'You must define either total_steps OR (epochs AND steps_per_epoch)',
    );
    expectError(
      run({ type: 'OneCycleLR', max_lr: 1e-3, total_steps: 0 }),
      '/schedule/total_steps',
      'Expected positive integer total_steps, but got 0',
    );
    expectError(
      run({ type: 'OneCycleLR', max_lr: 1e-3, epochs: 2, steps_per_epoch: -3 }),
      '/schedule/steps_per_epoch',
      'Expected positive integer steps_per_epoch, but got -3',
    );
  });
  it('OneCycleLR: stepping past total_steps raises like torch; epochs·steps_per_epoch sets the length', () => {
    expectError(
      run({ type: 'OneCycleLR', max_lr: 1, total_steps: 10 }, 12),
      '/steps',
      'Tried to step 11 times. The specified number of total steps is 10',
    );
    expect(simulateSchedule({ type: 'OneCycleLR', max_lr: 1, epochs: 2, steps_per_epoch: 5 }, 11).lrs).toHaveLength(11);
  });
  it('OneCycleLR: pct_start·total_steps == 1 makes construction divide by zero, as in torch', () => {
    expectError(
      run({ type: 'OneCycleLR', max_lr: 1, total_steps: 10, pct_start: 0.1 }),
      '/schedule/pct_start',
      'float division by zero',
      'ZeroDivisionError',
    );
  });
  it('StepLR step_size 0 fails at the first step (Python modulo by zero)', () => {
    expect(simulateSchedule({ type: 'StepLR', lr: 1, step_size: 0 }, 1).lrs).toEqual([1]);
    expectError(run({ type: 'StepLR', lr: 1, step_size: 0 }, 2), '/schedule/step_size', /modulo/, 'ZeroDivisionError');
  });
  it('ConstantLR factor 0 divides by zero at t = total_iters (1.0 / factor), as in torch', () => {
    expectError(
      run({ type: 'ConstantLR', lr: 1, factor: 0, total_iters: 2 }, 3),
      '/schedule/factor',
      'float division by zero',
      'ZeroDivisionError',
    );
  });
  it('ReduceLROnPlateau arguments', () => {
    expectError(
      run({ type: 'ReduceLROnPlateau', lr: 1, factor: 1.0 }, 1, []),
      '/schedule/factor',
      'Factor should be < 1.0.',
    );
    expectError(run({ type: 'ReduceLROnPlateau', lr: 1, mode: 'up' }, 1, []), '/schedule/mode', 'mode up is unknown!');
    expectError(
      run({ type: 'ReduceLROnPlateau', lr: 1, threshold_mode: 'x' }, 1, []),
      '/schedule/threshold_mode',
      'threshold mode x is unknown!',
    );
    expectError(
      run({ type: 'ReduceLROnPlateau', lr: 1, min_lr: [0.1, 0.2] }, 1, []),
      '/schedule/min_lr',
      'expected 1 min_lrs, got 2',
    );
  });
  it('unknown and missing keyword arguments: Python TypeErrors', () => {
    expectError(
      run({ type: 'StepLR', lr: 1, step_size: 2, foo: 1 }),
      '/schedule/foo',
      "StepLR.__init__() got an unexpected keyword argument 'foo'",
      'TypeError',
    );
    expectError(
      run({ type: 'StepLR', lr: 1 }),
      '/schedule/step_size',
      "StepLR.__init__() missing 1 required positional argument: 'step_size'",
      'TypeError',
    );
    expectError(
      run({ type: 'MultiplicativeLR', lr: 1, lr_lambda: 'lambda e: 0.9' }),
      '/schedule/lr_lambda',
      /cannot travel over JSON/,
    );
    expectError(run({ type: 'StepLR', lr: 1, step_size: 2, last_epoch: 5 }), '/schedule/last_epoch', /not supported/);
  });
  it('numbers are never coerced from strings or booleans', () => {
    expectError(
      run({ type: 'StepLR', lr: '0.1', step_size: 2 }),
      '/schedule/lr',
      /lr must be a finite number/,
      'TypeError',
    );
    expectError(
      run({ type: 'ExponentialLR', lr: 1, gamma: true }),
      '/schedule/gamma',
      /gamma must be a number/,
      'TypeError',
    );
    expectError(run({ type: 'StepLR', lr: -1, step_size: 2 }), '/schedule/lr', 'Invalid learning rate: -1');
  });
});

describe('composite errors (paths point into children)', () => {
  it('a bad child argument is reported at /schedule/schedulers/<i>/<name>', () => {
    const spec = {
      type: 'SequentialLR',
      lr: 1,
      milestones: [2],
      schedulers: [{ type: 'LinearLR' }, { type: 'ExponentialLR', gamma: 'x' }],
    };
    expectError(run(spec), '/schedule/schedulers/1/gamma', /gamma must be a number/);
  });
  it('milestones must number one less than schedulers', () => {
    const spec = {
      type: 'SequentialLR',
      lr: 1,
      milestones: [2, 4],
      schedulers: [{ type: 'LinearLR' }, { type: 'ExponentialLR', gamma: 0.9 }],
    };
    expectError(
      run(spec),
      '/schedule/milestones',
      'Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers 2 and the number of milestones to be equal to 2',
    );
  });
  it('ReduceLROnPlateau is rejected inside SequentialLR / ChainedScheduler', () => {
    const spec = {
      type: 'SequentialLR',
      lr: 1,
      milestones: [2],
      schedulers: [{ type: 'LinearLR' }, { type: 'ReduceLROnPlateau' }],
    };
    expectError(
      run(spec),
      '/schedule/schedulers/1',
      'SequentialLR does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when calling `step`, but got one at index 1 in the given schedulers sequence.',
    );
    expectError(
      run({ type: 'ChainedScheduler', lr: 1, schedulers: [{ type: 'ReduceLROnPlateau' }] }),
      '/schedule/schedulers/0',
      /ChainedScheduler does not support `ReduceLROnPlateau`/,
    );
  });
  it('empty composites', () => {
    expectError(
      run({ type: 'ChainedScheduler', lr: 1, schedulers: [] }),
      '/schedule/schedulers',
      'ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.',
    );
    expectError(
      run({ type: 'SequentialLR', lr: 1, schedulers: [], milestones: [] }),
      '/schedule/schedulers',
      'SequentialLR expects at least one scheduler, but got no scheduler.',
    );
  });
  it('children must not carry lr, and must be PyTorch / transformers schedules', () => {
    expectError(
      run({ type: 'ChainedScheduler', lr: 1, schedulers: [{ type: 'StepLR', lr: 2, step_size: 1 }] }),
      '/schedule/schedulers/0/lr',
      /share the optimizer's lr/,
    );
    expectError(
      run({ type: 'ChainedScheduler', lr: 1, schedulers: [{ type: 'constant_schedule', value: 1 }] }),
      '/schedule/schedulers/0/type',
      /cannot be a child/,
    );
  });
  it('a composite after a SequentialLR milestone raises NotImplementedError, as torch does', () => {
    const spec = {
      type: 'SequentialLR',
      lr: 1,
      milestones: [1],
      schedulers: [
        { type: 'LinearLR' },
        { type: 'ChainedScheduler', schedulers: [{ type: 'ExponentialLR', gamma: 0.9 }] },
      ],
    };
    expectError(run(spec, 3), '/schedule/schedulers/1', /NotImplementedError|get_lr/, 'NotImplementedError');
  });
});

describe('transformers argument errors', () => {
  it('get_scheduler names: missing num_warmup_steps / num_training_steps', () => {
    expectError(
      run({ type: 'linear', lr: 1, num_training_steps: 10 }),
      '/schedule/num_warmup_steps',
      'linear requires `num_warmup_steps`, please provide that argument.',
    );
    expectError(
      run({ type: 'cosine', lr: 1, num_warmup_steps: 1 }),
      '/schedule/num_training_steps',
      'cosine requires `num_training_steps`, please provide that argument.',
    );
  });
  it('function names: Python TypeErrors for missing / unexpected arguments', () => {
    expectError(
      run({ type: 'get_linear_schedule_with_warmup', lr: 1 }),
      '/schedule/num_warmup_steps',
      "get_linear_schedule_with_warmup() missing 2 required positional arguments: 'num_warmup_steps' and 'num_training_steps'",
      'TypeError',
    );
    expectError(
      run({ type: 'get_cosine_schedule_with_warmup', lr: 1, num_warmup_steps: 0, num_training_steps: 5, cycles: 2 }),
      '/schedule/cycles',
      "get_cosine_schedule_with_warmup() got an unexpected keyword argument 'cycles'",
      'TypeError',
    );
  });
  it('arguments get_scheduler would silently drop are rejected', () => {
    expectError(
      run({ type: 'inverse_sqrt', lr: 1, num_warmup_steps: 2, timescale: 5 }),
      '/schedule/timescale',
      /does not pass scheduler_specific_kwargs/,
    );
    expectError(
      run({ type: 'constant', lr: 1, num_warmup_steps: 5 }),
      '/schedule/num_warmup_steps',
      /ignores num_warmup_steps/,
    );
  });
  it('polynomial lr_end must be below lr', () => {
    expectError(
      run({ type: 'polynomial', lr: 1e-7, num_warmup_steps: 0, num_training_steps: 5 }),
      '/schedule/lr_end',
      'lr_end (1e-07) must be smaller than initial lr (1e-07)',
    );
  });
  it('cosine_with_min_lr needs exactly one of min_lr / min_lr_rate', () => {
    const base = { type: 'cosine_with_min_lr', lr: 1, num_warmup_steps: 0, num_training_steps: 5 };
    expectError(
      run({ ...base, min_lr: 0.1, min_lr_rate: 0.1 }),
      '/schedule/min_lr',
      'Only one of min_lr or min_lr_rate should be set',
    );
    expectError(
      run(base),
      '/schedule/min_lr_rate',
      'One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`',
    );
  });
  it('warmup_stable_decay', () => {
    expectError(
      run({ type: 'warmup_stable_decay', lr: 1, num_warmup_steps: 1, num_decay_steps: 2 }),
      '/schedule/num_training_steps',
      'Either num_training_steps or num_stable_steps must be specified.',
    );
    expectError(
      run({
        type: 'warmup_stable_decay',
        lr: 1,
        num_warmup_steps: 1,
        num_decay_steps: 2,
        num_training_steps: 5,
        decay_type: 'exp',
      }),
      '/schedule/decay_type',
      "Unknown decay type: exp, expected 'linear', 'cosine' or '1-sqrt'",
    );
    expectError(
      run({ type: 'get_wsd_schedule', lr: 1, num_warmup_steps: 1, num_training_steps: 5 }),
      '/schedule/num_decay_steps',
      "get_wsd_schedule() missing 1 required positional argument: 'num_decay_steps'",
    );
  });
  it('polynomial with num_warmup_steps == num_training_steps divides by zero at t = N (as transformers)', () => {
    expectError(
      run({ type: 'polynomial', lr: 1, num_warmup_steps: 2, num_training_steps: 2 }, 4),
      '/schedule/num_training_steps',
      'float division by zero',
      'ZeroDivisionError',
    );
  });
});

describe('optax argument errors', () => {
  it('cosine_decay_schedule / warmup_cosine_decay_schedule need positive decay steps', () => {
    expectError(
      run({ type: 'cosine_decay_schedule', init_value: 1, decay_steps: 0 }),
      '/schedule/decay_steps',
      'The cosine_decay_schedule requires positive decay_steps, got decay_steps=0.',
    );
    expectError(
      run({ type: 'warmup_cosine_decay_schedule', init_value: 0, peak_value: 1, warmup_steps: 10, decay_steps: 10 }),
      '/schedule/decay_steps',
      /requires positive decay_steps, got decay_steps=0/,
    );
  });
  it('OneCycleTest.test_nonpositive_transition_steps', () => {
    expectError(
      run({ type: 'cosine_onecycle_schedule', transition_steps: 0, peak_value: 5 }),
      '/schedule/transition_steps',
      'A cosine onecycle schedule was set with a non-positive `transition_steps`',
    );
    expectError(
      run({ type: 'linear_onecycle_schedule', transition_steps: 0, peak_value: 5 }),
      '/schedule/transition_steps',
      'A linear onecycle schedule was set with a non-positive `transition_steps`',
    );
  });
  it('PiecewiseInterpolateTest.test_invalid_type / test_invalid_scale; piecewise_constant negative scale', () => {
    expectError(
      run({ type: 'piecewise_interpolate_schedule', interpolate_type: 'linar', init_value: 13 }),
      '/schedule/interpolate_type',
      "`interpolate_type` must be either 'cosine' or 'linear'",
    );
    expectError(
      run({
        type: 'piecewise_interpolate_schedule',
        interpolate_type: 'linear',
        init_value: 13,
        boundaries_and_scales: { 5: -3 },
      }),
      '/schedule/boundaries_and_scales',
      '`piecewise_interpolate_schedule` expects non-negative scale factors',
    );
    expectError(
      run({ type: 'piecewise_constant_schedule', init_value: 1, boundaries_and_scales: { 5: -3 } }),
      '/schedule/boundaries_and_scales',
      '`piecewise_constant_schedule` expects non-negative scale factors',
    );
    expectError(
      run({ type: 'piecewise_constant_schedule', init_value: 1, boundaries_and_scales: { abc: 1 } }),
      '/schedule/boundaries_and_scales/abc',
      /integer step counts/,
    );
  });
  it('optax schedules take no lr; sgdr items are checked like warmup_cosine_decay_schedule(**kwargs)', () => {
    expectError(run({ type: 'constant_schedule', value: 1, lr: 1 }), '/schedule/lr', /carry their own values/);
    expectError(
      run({
        type: 'sgdr_schedule',
        cosine_kwargs: [{ init_value: 0, peak_value: 1, warmup_steps: 1, decay_steps: 5, foo: 1 }],
      }),
      '/schedule/cosine_kwargs/0/foo',
      "warmup_cosine_decay_schedule() got an unexpected keyword argument 'foo'",
    );
  });
});

describe('service bounds', () => {
  it('unknown type lists the known ones', () => {
    const e = errorOf(run({ type: 'CosineAnnealing', lr: 1 }));
    expect(e.path).toBe('/schedule/type');
    expect(e.message).toMatch(/^'CosineAnnealing' is not a valid schedule type, please select one of \['StepLR', /);
    for (const t of Object.keys(SCHEDULE_TYPES)) expect(e.message).toContain(`'${t}'`);
  });
  it('steps must be an integer >= 1', () => {
    expectError(
      run({ type: 'StepLR', lr: 1, step_size: 1 }, 0),
      '/steps',
      /steps must be an integer >= 1/,
      'LimitError',
    );
    expectError(run({ type: 'StepLR', lr: 1, step_size: 1 }, 2.5), '/steps', /steps must be an integer >= 1/);
  });
  it('metrics belong to ReduceLROnPlateau only, which needs one per step after the first', () => {
    expectError(run({ type: 'StepLR', lr: 1, step_size: 1 }, 3, [1, 2]), '/metrics', /only used by ReduceLROnPlateau/);
    expectError(run({ type: 'ReduceLROnPlateau', lr: 1 }, 3), '/metrics', /needs metrics/);
    expectError(
      run({ type: 'ReduceLROnPlateau', lr: 1 }, 4, [1, 2]),
      '/steps',
      'steps = 4 needs 3 metrics (one per step after the first), got 2',
    );
    expect(simulateSchedule({ type: 'ReduceLROnPlateau', lr: 1 }, 2, { metrics: [1, 2, 3] }).lrs).toEqual([1, 1]);
  });
  it('a learning rate that overflows is an error, never Infinity in a response', () => {
    expectError(
      run({ type: 'ExponentialLR', lr: 1, gamma: 1e10 }, 40),
      '/schedule',
      /not finite at step 31/,
      'LimitError',
    );
  });
  it('SCHEDULE_TYPES maps every name to its library', () => {
    expect(SCHEDULE_TYPES.CosineAnnealingLR).toBe('pytorch');
    expect(SCHEDULE_TYPES.cosine).toBe('transformers');
    expect(SCHEDULE_TYPES.get_cosine_schedule_with_warmup).toBe('transformers');
    expect(SCHEDULE_TYPES.warmup_cosine_decay_schedule).toBe('optax');
  });
});
