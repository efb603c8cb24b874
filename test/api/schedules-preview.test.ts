/**
 * POST /v1/schedules/preview through HTTP against the libraries' published values (PyTorch
 * test_lrscheduler.py, transformers test_optimization.py, optax _schedule_test.py), and the
 * mapping of the simulator's errors and the service limits to 400 problems. Also the submit-time
 * validation of POST /v1/schedule-simulations. The app's Redis is a closed port: a body that
 * passes validation answers 503 there, never 202.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithoutRedis } from '../helpers/app.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis({ LIMIT_SCHEDULE_STEPS: '1000', LIMIT_NUM_ITER: '500', LIMIT_SIMULATION_STEPS: '5000' });
});
afterAll(async () => {
  await t.close();
});

type Json = Record<string, any>;

async function post(body: unknown, url = '/v1/schedules/preview') {
  const res = await t.app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { res, json: res.json() as Json };
}

async function preview(body: unknown): Promise<Json> {
  const { res, json } = await post(body);
  expect(res.statusCode, JSON.stringify(json)).toBe(200);
  return json;
}

async function problem(body: unknown, url?: string, code = 'invalid_request'): Promise<Json> {
  const { res, json } = await post(body, url);
  expect(res.statusCode, JSON.stringify(json)).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(json).toMatchObject({ status: 400, code, type: `https://lr-finder.dev/problems/${code}` });
  expect(json.errors).toHaveLength(1);
  return json;
}

function expectRel(got: number[], want: number[], rel: number): void {
  expect(got).toHaveLength(want.length);
  got.forEach((g, i) =>
    expect(Math.abs(g - want[i]), `index ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(rel * Math.abs(want[i])),
  );
}

describe('POST /v1/schedules/preview: published values', () => {
  it('PyTorch StepLR (test_step_lr: lr 0.05, gamma 0.1, step_size 3)', async () => {
    const r = await preview({ schedule: { type: 'StepLR', lr: 0.05, step_size: 3, gamma: 0.1 }, steps: 10 });
    expectRel(r.lrs, [0.05, 0.05, 0.05, 0.005, 0.005, 0.005, 0.0005, 0.0005, 0.0005, 0.00005], 1e-12);
    expect(r).toMatchObject({ steps: 10, family: 'pytorch' });
    expect(r.momentum).toBeUndefined();
    expect(r.index).toBeUndefined();
  });

  it('PyTorch SequentialLR: LinearLR warmup into CosineAnnealingLR (the Swagger example, hand-derived)', async () => {
    const r = await preview({
      schedule: {
        type: 'SequentialLR',
        lr: 0.1,
        milestones: [3],
        schedulers: [
          { type: 'LinearLR', start_factor: 0.1, total_iters: 3 },
          { type: 'CosineAnnealingLR', T_max: 7, eta_min: 0.001 },
        ],
      },
      steps: 10,
    });
    // warmup 0.1·(0.1 + 0.9·t/3); at the milestone the cosine restarts from the base lr and counts T_max from there
    const cos = (k: number) => 0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * k) / 7))) / 2;
    expectRel(r.lrs, [0.01, 0.04, 0.07, ...[0, 1, 2, 3, 4, 5, 6].map(cos)], 1e-12);
  });

  it('transformers get_scheduler("cosine", num_warmup_steps=2, num_training_steps=10), lr 10 (test_schedulers)', async () => {
    const r = await preview({
      schedule: { type: 'cosine', lr: 10, num_warmup_steps: 2, num_training_steps: 10 },
      steps: 10,
    });
    const published = [0.0, 5.0, 10.0, 9.61, 8.53, 6.91, 5.0, 3.08, 1.46, 0.38];
    r.lrs.forEach((x: number, i: number) => expect(Math.abs(x - published[i])).toBeLessThanOrEqual(1e-2));
    const exact = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) =>
      s < 2 ? 10 * (s / 2) : 10 * 0.5 * (1 + Math.cos(Math.PI * ((s - 2) / 8))),
    );
    expect(r.lrs[0]).toBe(0);
    expectRel(r.lrs.slice(1), exact.slice(1), 1e-12);
    expect(r.family).toBe('transformers');
  });

  it('optax warmup_cosine_decay_schedule (WarmupCosineDecayTest.test_with_exponent, float32 bit-exact), downsampled with points', async () => {
    const r = await preview({
      schedule: {
        type: 'warmup_cosine_decay_schedule',
        init_value: 0.2,
        peak_value: 1.21,
        end_value: -3.0,
        warmup_steps: 50,
        decay_steps: 100,
        exponent: 2,
      },
      steps: 101,
      points: 5,
    });
    expect(r.index).toEqual([0, 25, 50, 75, 100]);
    expect(r.steps).toBe(101);
    expect(r.family).toBe('optax');
    expect([r.lrs[0], r.lrs[2], r.lrs[3], r.lrs[4]]).toEqual([
      0.20000004768371582, 1.2100000381469727, -1.947500228881836, -3.000000238418579,
    ]);
    const full = await preview({
      schedule: {
        type: 'warmup_cosine_decay_schedule',
        init_value: 0.2,
        peak_value: 1.21,
        end_value: -3.0,
        warmup_steps: 50,
        decay_steps: 100,
        exponent: 2,
      },
      steps: 101,
    });
    expect(full.lrs[10]).toBe(0.4020000100135803);
    expect(r.lrs).toEqual(r.index.map((i: number) => full.lrs[i]));
  });

  it('points keeps the first and the last step and never more than steps; every step when points ≥ steps', async () => {
    const r = await preview({ schedule: { type: 'ExponentialLR', lr: 1, gamma: 0.99 }, steps: 1000, points: 7 });
    expect(r.index).toEqual([0, 167, 333, 500, 666, 833, 999]);
    expectRel(
      r.lrs,
      r.index.map((i: number) => 0.99 ** i),
      1e-12,
    );
    const all = await preview({ schedule: { type: 'ExponentialLR', lr: 1, gamma: 0.5 }, steps: 3, points: 10 });
    expect(all.index).toEqual([0, 1, 2]);
    expect(all.lrs).toEqual([1, 0.5, 0.25]);
  });

  it('OneCycleLR reports momentum (cycled between max_momentum and base_momentum)', async () => {
    const r = await preview({ schedule: { type: 'OneCycleLR', max_lr: 0.1, total_steps: 8 }, steps: 8 });
    expect(r.lrs[0]).toBeCloseTo(0.1 / 25, 15);
    expect(r.momentum).toHaveLength(8);
    expect(r.momentum[0]).toBe(0.95);
    expect(Math.min(...r.momentum)).toBeGreaterThanOrEqual(0.85);
  });

  it('ReduceLROnPlateau takes metrics; steps defaults to metrics.length + 1', async () => {
    const r = await preview({
      schedule: { type: 'ReduceLROnPlateau', lr: 0.1, patience: 2 },
      metrics: [1.0, 0.9, 0.9, 0.9, 0.9],
    });
    expect(r.steps).toBe(6);
    expectRel(r.lrs, [0.1, 0.1, 0.1, 0.1, 0.1, 0.01], 1e-12);
  });
});

describe('POST /v1/schedules/preview: errors are 400 problems naming the argument', () => {
  it('a string for T_max: TypeError worded as the library, pointer into the schedule', async () => {
    const p = await problem({ schedule: { type: 'CosineAnnealingLR', lr: 0.1, T_max: '10' }, steps: 5 });
    expect(p.errors[0]).toEqual({ pointer: '/schedule/T_max', detail: "T_max must be a number, got '10' of type str" });
    expect(p.detail).toBe("/schedule/T_max: TypeError: T_max must be a number, got '10' of type str");
  });

  it('a missing T_max and a T_max of 0 (Python raises at the first step)', async () => {
    const missing = await problem({ schedule: { type: 'CosineAnnealingLR', lr: 0.1 }, steps: 5 });
    expect(missing.errors[0]).toEqual({
      pointer: '/schedule/T_max',
      detail: "CosineAnnealingLR.__init__() missing 1 required positional argument: 'T_max'",
    });
    const zero = await problem({ schedule: { type: 'CosineAnnealingLR', lr: 0.1, T_max: 0 }, steps: 5 });
    expect(zero.errors[0].pointer).toBe('/schedule/T_max');
    expect(zero.detail).toContain('ZeroDivisionError');
  });

  it('an error in a child of SequentialLR points at the child', async () => {
    const p = await problem({
      schedule: {
        type: 'SequentialLR',
        lr: 0.1,
        milestones: [2],
        schedulers: [{ type: 'LinearLR' }, { type: 'CosineAnnealingWarmRestarts', T_0: -1 }],
      },
      steps: 5,
    });
    expect(p.errors[0]).toEqual({
      pointer: '/schedule/schedulers/1/T_0',
      detail: 'Expected positive integer T_0, but got -1',
    });
  });

  it('an unknown type lists every known type; an unknown argument is rejected like Python', async () => {
    const p = await problem({ schedule: { type: 'CosineAnnealing', lr: 0.1 }, steps: 5 });
    expect(p.errors[0].pointer).toBe('/schedule/type');
    expect(p.errors[0].detail).toMatch(/^'CosineAnnealing' is not a valid schedule type, please select one of \[/);
    for (const name of ['CosineAnnealingLR', 'cosine', 'get_wsd_schedule', 'warmup_cosine_decay_schedule'])
      expect(p.errors[0].detail).toContain(`'${name}'`);
    const extra = await problem({ schedule: { type: 'StepLR', lr: 0.1, step_size: 2, foo: 1 }, steps: 5 });
    expect(extra.errors[0]).toEqual({
      pointer: '/schedule/foo',
      detail: "StepLR.__init__() got an unexpected keyword argument 'foo'",
    });
  });

  it('steps over LIMIT_SCHEDULE_STEPS is limit_exceeded naming the limit; so are too many metrics', async () => {
    const p = await problem(
      { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: 1001 },
      undefined,
      'limit_exceeded',
    );
    expect(p.errors[0].pointer).toBe('/steps');
    expect(p.errors[0].detail).toBe("steps is 1001, above this service's limit of 1000 (LIMIT_SCHEDULE_STEPS)");
    const m = await problem(
      { schedule: { type: 'ReduceLROnPlateau', lr: 0.1 }, metrics: Array(1000).fill(1) },
      undefined,
      'limit_exceeded',
    );
    expect(m.errors[0].pointer).toBe('/metrics');
    expect(m.errors[0].detail).toContain('LIMIT_SCHEDULE_STEPS');
    // at the limit is fine
    expect((await preview({ schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: 1000 })).lrs).toHaveLength(
      1000,
    );
  });

  it.each([
    ['steps as a numeric string', { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: '10' }, '/steps'],
    ['lr as a numeric string', { schedule: { type: 'StepLR', lr: '0.1', step_size: 2 }, steps: 10 }, '/schedule/lr'],
    ['steps as a boolean', { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: true }, '/steps'],
    ['a float step count', { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: 2.5 }, '/steps'],
    ['points above 2000', { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: 10, points: 2001 }, '/points'],
    ['an unknown field', { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: 10, step: 3 }, '/step'],
    ['no schedule', { steps: 10 }, '/schedule'],
    ['no steps for a schedule that needs them', { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 } }, '/steps'],
    [
      'metrics for a schedule that takes none',
      { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: 3, metrics: [1, 2] },
      '/metrics',
    ],
    [
      'OneCycleLR stepped past total_steps',
      { schedule: { type: 'OneCycleLR', max_lr: 0.1, total_steps: 5 }, steps: 8 },
      '/steps',
    ],
  ])('rejects %s', async (_what, body, pointer) => {
    const p = await problem(body);
    expect(p.errors[0].pointer).toBe(pointer);
  });

  it('a curve that overflows is an error, never Infinity', async () => {
    const p = await problem({ schedule: { type: 'ExponentialLR', lr: 1, gamma: 10 }, steps: 400 });
    expect(p.errors[0].pointer).toBe('/schedule');
    expect(p.errors[0].detail).toMatch(/not finite at step \d+/);
  });
});

describe('POST /v1/schedule-simulations: checked before anything is queued', () => {
  const url = '/v1/schedule-simulations';
  const two = [
    { name: 'a', schedule: { type: 'constant', lr: 0.01 } },
    { name: 'b', schedule: { type: 'StepLR', lr: 0.01, step_size: 10 } },
  ];

  it('a valid body passes validation and reaches the queue (503 here: no Redis)', async () => {
    for (const body of [
      {},
      { preset: 'spirals-schedules' },
      { preset: 'step-decay', train: { seed: 3 } },
      { schedules: two, steps: 50 },
    ]) {
      const { res, json } = await post(body, url);
      expect(res.statusCode, JSON.stringify(json)).toBe(503);
    }
  });

  it('a schedule error points into schedules[i] with the library message', async () => {
    const p = await problem(
      { schedules: [two[0], { name: 'c', schedule: { type: 'CosineAnnealingLR', lr: 0.1, T_max: '10' } }], steps: 50 },
      url,
    );
    expect(p.errors[0]).toEqual({
      pointer: '/schedules/1/schedule/T_max',
      detail: "T_max must be a number, got '10' of type str",
    });
    const steps = await problem(
      { schedules: [two[0], { name: 'c', schedule: { type: 'OneCycleLR', max_lr: 0.1, total_steps: 10 } }], steps: 50 },
      url,
    );
    expect(steps.errors[0]).toEqual({
      pointer: '/steps',
      detail: 'Tried to step 11 times. The specified number of total steps is 10',
    });
  });

  it('names must be unique; 2 to 8 schedules', async () => {
    expect((await problem({ schedules: [two[0], { ...two[1], name: 'a' }] }, url)).errors[0].pointer).toBe(
      '/schedules/1/name',
    );
    expect((await problem({ schedules: [two[0]] }, url)).errors[0].pointer).toBe('/schedules');
    expect(
      (await problem({ schedules: Array.from({ length: 9 }, (_, i) => ({ ...two[0], name: `s${i}` })) }, url)).errors[0]
        .pointer,
    ).toBe('/schedules');
  });

  it('steps are bounded by LIMIT_SCHEDULE_STEPS and steps × schedules by LIMIT_SIMULATION_STEPS', async () => {
    const over = await problem({ schedules: two, steps: 1001 }, url, 'limit_exceeded');
    expect(over.errors[0]).toEqual({
      pointer: '/steps',
      detail: "steps is 1001, above this service's limit of 1000 (LIMIT_SCHEDULE_STEPS)",
    });
    const eight = Array.from({ length: 8 }, (_, i) => ({ name: `s${i}`, schedule: { type: 'constant', lr: 0.01 } }));
    const budget = await problem({ schedules: eight, steps: 700 }, url, 'limit_exceeded');
    expect(budget.errors[0]).toEqual({
      pointer: '/steps',
      detail: "steps × schedules (700 × 8) is 5600, above this service's limit of 5000 (LIMIT_SIMULATION_STEPS)",
    });
    const { res } = await post({ schedules: eight, steps: 625 }, url); // 5000: at the limit
    expect(res.statusCode).toBe(503);
  });

  it('training setup errors point under /train; a negative scheduled LR is refused', async () => {
    expect(
      (await problem({ schedules: two, train: { data: { name: 'iris', n_samples: 1000 } } }, url)).errors[0].pointer,
    ).toBe('/train/data/n_samples');
    expect((await problem({ schedules: two, train: { tain: 1 } }, url)).errors[0].pointer).toBe('/train/tain');
    expect((await problem({ schedules: two, train: { seed: '1' } }, url)).errors[0].pointer).toBe('/train/seed');
    const neg = await problem(
      { schedules: [two[0], { name: 'neg', schedule: { type: 'constant_schedule', value: -0.1 } }] },
      url,
    );
    expect(neg.errors[0].pointer).toBe('/schedules/1/schedule');
    expect(neg.errors[0].detail).toMatch(/negative at step 0/);
  });

  it('presets are per kind: a range-test preset is not a simulation preset and vice versa', async () => {
    expect((await problem({ preset: 'spirals-mlp' }, url)).errors[0].detail).toMatch(
      /known: spirals-schedules, warmup-cosine, one-cycle, step-decay/,
    );
    const rt = await problem({ preset: 'spirals-schedules' }, '/v1/lr-range-tests');
    expect(rt.errors[0].pointer).toBe('/preset');
    expect(rt.errors[0].detail).not.toContain('spirals-schedules,');
  });

  it('GET /v1/presets lists the schedule recipes for schedule-simulations', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/presets' });
    const presets = res.json().presets as Json[];
    for (const name of ['spirals-schedules', 'warmup-cosine', 'one-cycle', 'step-decay']) {
      const p = presets.find((x) => x.name === name);
      expect(p, name).toBeDefined();
      expect(p!.kinds).toEqual(['schedule-simulations']);
      expect(p!.body.schedules.length).toBeGreaterThanOrEqual(2);
    }
    expect(presets.find((x) => x.name === 'spirals-mlp')!.kinds).toEqual(['lr-range-tests']);
  });
});
