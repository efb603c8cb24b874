/**
 * transformers schedules against huggingface/transformers tests/optimization/test_optimization.py
 * (ScheduleInitTest.test_schedulers: AdamW lr 10, num_warmup_steps 2, num_training_steps 10, 10 steps).
 * The published lists are rounded to 2–3 decimals and asserted upstream at delta 1e-2: we check them at
 * that published tolerance, and check the exact values (hand-derived from the λ formulas in
 * src/transformers/optimization.py) at 1e-12 relative.
 */
import { describe, expect, it } from 'vitest';
import { expect64, expectClose, lrs, range } from './helpers.js';

const common = { num_warmup_steps: 2, num_training_steps: 10 };
const warm = (t: number, W: number): number => t / Math.max(1, W);

// [function name, lr_scheduler_type name, kwargs, published list, exact λ]
const TABLE: [string, string, object, number[], (t: number) => number][] = [
  ['get_constant_schedule', 'constant', {}, Array(10).fill(10.0), () => 1],
  [
    'get_constant_schedule_with_warmup',
    'constant_with_warmup',
    { num_warmup_steps: 4 },
    [0.0, 2.5, 5.0, 7.5, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0],
    (t) => (t < 4 ? warm(t, 4) : 1),
  ],
  [
    'get_linear_schedule_with_warmup',
    'linear',
    common,
    [0.0, 5.0, 10.0, 8.75, 7.5, 6.25, 5.0, 3.75, 2.5, 1.25],
    (t) => (t < 2 ? warm(t, 2) : Math.max(0, (10 - t) / 8)),
  ],
  [
    'get_cosine_schedule_with_warmup',
    'cosine',
    common,
    [0.0, 5.0, 10.0, 9.61, 8.53, 6.91, 5.0, 3.08, 1.46, 0.38],
    (t) => (t < 2 ? warm(t, 2) : 0.5 * (1 + Math.cos(Math.PI * ((t - 2) / 8)))),
  ],
  [
    'get_cosine_with_hard_restarts_schedule_with_warmup',
    'cosine_with_restarts',
    { ...common, num_cycles: 2 },
    [0.0, 5.0, 10.0, 8.53, 5.0, 1.46, 10.0, 8.53, 5.0, 1.46],
    (t) => (t < 2 ? warm(t, 2) : 0.5 * (1 + Math.cos(Math.PI * (((2 * (t - 2)) / 8) % 1)))),
  ],
  [
    'get_polynomial_decay_schedule_with_warmup',
    'polynomial',
    { ...common, power: 2.0, lr_end: 1e-7 },
    [0.0, 5.0, 10.0, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156],
    (t) => (t < 2 ? warm(t, 2) : ((10 - 1e-7) * (1 - (t - 2) / 8) ** 2 + 1e-7) / 10),
  ],
  [
    'get_inverse_sqrt_schedule',
    'inverse_sqrt',
    { num_warmup_steps: 2 },
    [0.0, 5.0, 10.0, 8.165, 7.071, 6.325, 5.774, 5.345, 5.0, 4.714],
    (t) => (t < 2 ? warm(t, 2) : 1 / Math.sqrt(t / 2)),
  ],
];

describe('transformers ScheduleInitTest.test_schedulers (lr 10)', () => {
  for (const [fn, name, kw, published, lambda] of TABLE) {
    it(`${fn}: published list (delta 1e-2, as upstream) and exact λ (1e-12)`, () => {
      const got = lrs({ type: fn, lr: 10, ...kw }, 10);
      expectClose(got, published, 0, 1e-2);
      expect64(
        got,
        range(10).map((t) => 10 * lambda(t)),
      );
    });
    it(`lr_scheduler_type '${name}' through get_scheduler gives the same list`, () => {
      expect(lrs({ type: name, lr: 10, ...kw }, 10)).toEqual(lrs({ type: fn, lr: 10, ...kw }, 10));
    });
  }

  it('cosine is not clamped after num_training_steps (it rises again)', () => {
    const got = lrs({ type: 'cosine', lr: 10, ...common }, 14);
    expect(got[10]).toBe(0);
    expect(got[13]).toBeGreaterThan(got[11]);
  });
  it('inverse_sqrt: timescale defaults to num_warmup_steps, or 10_000 when that is 0', () => {
    expect64(lrs({ type: 'get_inverse_sqrt_schedule', lr: 1, num_warmup_steps: 0 }, 3), [
      1,
      1 / Math.sqrt(10001 / 10000),
      1 / Math.sqrt(10002 / 10000),
    ]);
    expect64(lrs({ type: 'get_inverse_sqrt_schedule', lr: 1, num_warmup_steps: 2, timescale: 4 }, 4), [
      0,
      0.5,
      1,
      1 / Math.sqrt(5 / 4),
    ]);
  });
});

describe('transformers schedules without a published list (hand-derived from optimization.py)', () => {
  it('cosine_with_min_lr (min_lr_rate 0.1): factor·(1−r) + r', () => {
    const lam = (t: number): number =>
      t < 2 ? warm(t, 2) : 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * ((t - 2) / 8))) * 0.9 + 0.1;
    expect64(
      lrs({ type: 'cosine_with_min_lr', lr: 10, ...common, min_lr_rate: 0.1 }, 12),
      range(12).map((t) => 10 * lam(t)),
    );
    // min_lr is divided by optimizer.defaults["lr"]
    expect64(
      lrs({ type: 'cosine_with_min_lr', lr: 10, ...common, min_lr: 1 }, 12),
      range(12).map((t) => 10 * lam(t)),
    );
  });
  it('cosine_warmup_with_min_lr: shifted warmup (t+1)/W and progress (t−W+1)/(N−W)', () => {
    const lam = (t: number): number =>
      t < 2 ? (t + 1) / 2 : 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * ((t - 2 + 1) / 8))) * 0.9 + 0.1;
    expect64(
      lrs({ type: 'cosine_warmup_with_min_lr', lr: 10, ...common, min_lr_rate: 0.1 }, 10),
      range(10).map((t) => 10 * lam(t)),
    );
    const lam2 = (t: number): number => 0.2 + ((1 - 0.2) * t) / Math.max(1, 4 - 1);
    const got = lrs(
      {
        type: 'get_cosine_with_min_lr_schedule_with_warmup_lr_rate',
        lr: 1,
        num_warmup_steps: 4,
        num_training_steps: 10,
        min_lr_rate: 0,
        warmup_lr_rate: 0.2,
      },
      4,
    );
    expect64(got, range(4).map(lam2));
  });
  it('warmup_stable_decay: warmup from min_lr_ratio, stable, linear decay, then min_lr_ratio', () => {
    const got = lrs(
      {
        type: 'warmup_stable_decay',
        lr: 1,
        num_warmup_steps: 2,
        num_training_steps: 10,
        num_decay_steps: 4,
        decay_type: 'linear',
        min_lr_ratio: 0.1,
      },
      12,
    );
    expect64(got, [0.1, 0.55, 1, 1, 1, 1, 1, 0.775, 0.55, 0.325, 0.1, 0.1]);
  });
  it('warmup_stable_decay: num_stable_steps wins over num_training_steps; cosine and 1-sqrt shapes', () => {
    const got = lrs(
      {
        type: 'get_wsd_schedule',
        lr: 1,
        num_warmup_steps: 4,
        num_decay_steps: 4,
        num_training_steps: 100,
        num_stable_steps: 1,
        warmup_type: 'cosine',
        decay_type: '1-sqrt',
      },
      10,
    );
    const w = (t: number): number => 0.5 * (1 - Math.cos(Math.PI * (t / 4)));
    expect64(got, [
      w(0),
      w(1),
      w(2),
      w(3),
      1,
      1 - Math.sqrt(0),
      1 - Math.sqrt(0.25),
      1 - Math.sqrt(0.5),
      1 - Math.sqrt(0.75),
      0,
    ]);
  });
});
