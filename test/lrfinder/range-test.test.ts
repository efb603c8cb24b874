import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../src/core/types.js';
import {
  rangeTest,
  RANGE_TEST_OPTION_DEFAULTS,
  summarizeRangeTest,
  type RangePoint,
  type RangeTestOptions,
  type RangeTestOutcome,
} from '../../src/lrfinder/range-test.js';
import { divergenceThreshold } from '../../src/lrfinder/smoothing.js';
import { lrPlan } from '../../src/lrfinder/lr-plan.js';
import { LRS, NOISY, NOISY_RAW } from './fixtures.js';

const ok = (loss: number, grad_norm = 1): StepResult => ({ loss, grad_norm, non_finite: !Number.isFinite(loss) });

function drive(
  opts: RangeTestOptions,
  step: (lr: number, i: number) => StepResult,
): { points: RangePoint[]; outcome: RangeTestOutcome; calls: number } {
  let calls = 0;
  const gen = rangeTest(opts, (lr, i) => {
    calls++;
    return step(lr, i);
  });
  const points: RangePoint[] = [];
  for (;;) {
    const r = gen.next();
    if (r.done) return { points, outcome: r.value, calls };
    points.push(r.value);
  }
}

const opts = (o: Partial<RangeTestOptions>): RangeTestOptions => ({ ...RANGE_TEST_OPTION_DEFAULTS, ...o });

describe('rangeTest smoothing (torch-lr-finder range_test EMA)', () => {
  it('defaults are torch-lr-finder’s', () => {
    expect(RANGE_TEST_OPTION_DEFAULTS).toEqual({
      start_lr: 1e-7,
      end_lr: 10,
      num_iter: 100,
      step_mode: 'exp',
      smooth_f: 0.05,
      diverge_th: 5,
    });
  });

  it('hand-computed EMA, seeded with the first raw loss, no bias correction', () => {
    // smooth_f = 0.5, raw [1, 2, 0.5, 0.5]:
    //   s0 = 1; s1 = .5*2 + .5*1 = 1.5; s2 = .5*.5 + .5*1.5 = 1.0; s3 = .5*.5 + .5*1 = 0.75
    //   best = 1, 1, 1, 0.75
    const raw = [1, 2, 0.5, 0.5];
    const { points, outcome } = drive(opts({ num_iter: 4, smooth_f: 0.5, start_lr: 1e-3, end_lr: 1 }), (_lr, i) =>
      ok(raw[i], i + 10),
    );
    expect(points.map((p) => p.smoothed_loss)).toEqual([1, 1.5, 1.0, 0.75]);
    expect(points.map((p) => p.best_loss)).toEqual([1, 1, 1, 0.75]);
    expect(points.map((p) => p.loss)).toEqual(raw);
    expect(points.map((p) => p.iteration)).toEqual([0, 1, 2, 3]);
    expect(outcome.stop_reason).toBe('completed');
    expect(outcome.iterations).toBe(4);
    expect(outcome.lrs).toEqual(lrPlan(1e-3, 1, 4, 'exp'));
    expect(outcome.best_loss).toBe(0.75);
    expect(outcome.best_lr).toBe(1);
    expect(outcome.grad_norms).toEqual([10, 11, 12, 13]);
  });

  it('smooth_f = 0 means no smoothing (torch-lr-finder `if smooth_f > 0`)', () => {
    const raw = [3, 1, 2, 0.5];
    const { outcome } = drive(opts({ num_iter: 4, smooth_f: 0 }), (_lr, i) => ok(raw[i]));
    expect(outcome.smoothed_losses).toEqual(raw);
  });

  it('bit-identical to torch-lr-finder on a 98-point Python run (fixture NOISY)', () => {
    // the step returns NOISY_RAW[i]; Python's range_test recorded NOISY and stopped after 98 points
    const { outcome } = drive(opts({}), (_lr, i) => ok(NOISY_RAW[i]));
    expect(outcome.smoothed_losses).toEqual(NOISY);
    expect(outcome.iterations).toBe(98);
    expect(outcome.stop_reason).toBe('diverged');
    outcome.lrs.forEach((lr, i) => expect(lr / LRS[i]).toBeCloseTo(1, 14));
  });
});

describe('rangeTest stop rule', () => {
  it('the diverged point is recorded and the run stops there', () => {
    // smooth_f .5: s = 1, 1, 10.5 > 5*1 → stop after 3 points, never calls step a 4th time
    const raw = [1, 1, 20, 1, 1];
    const { points, outcome, calls } = drive(opts({ num_iter: 5, smooth_f: 0.5 }), (_lr, i) => ok(raw[i]));
    expect(calls).toBe(3);
    expect(points).toHaveLength(3);
    expect(outcome.smoothed_losses).toEqual([1, 1, 10.5]);
    expect(outcome.stop_reason).toBe('diverged');
    expect(outcome.iterations).toBe(3);
  });

  it('strict `>`: reaching exactly diverge_th·best does not stop', () => {
    // smooth_f .5: s2 = .5*9 + .5*1 = 5 = 5*best → continue; s3 = .5*11 + .5*5 = 8 > 5 → stop
    const raw = [1, 1, 9, 11, 1];
    const { outcome } = drive(opts({ num_iter: 5, smooth_f: 0.5 }), (_lr, i) => ok(raw[i]));
    expect(outcome.smoothed_losses).toEqual([1, 1, 5, 8]);
    expect(outcome.stop_reason).toBe('diverged');
  });

  it('NaN stops at once with non_finite; the point is recorded with nulls; the EMA is not poisoned', () => {
    const raw = [2, 1.5, NaN, 1, 1];
    const { points, outcome, calls } = drive(opts({ num_iter: 5, smooth_f: 0.5 }), (_lr, i) => ok(raw[i]));
    expect(calls).toBe(3);
    expect(points[2]).toMatchObject({ iteration: 2, loss: null, smoothed_loss: null, best_loss: 1.75 });
    expect(outcome.stop_reason).toBe('non_finite');
    expect(outcome.losses).toEqual([2, 1.5, null]);
    expect(outcome.smoothed_losses).toEqual([2, 1.75, null]);
    expect(outcome.best_loss).toBe(1.75);
    expect(outcome.best_lr).toBe(outcome.lrs[1]);
  });

  it('+Inf and a non_finite gradient also stop; grad_norm null when non-finite', () => {
    const inf = drive(opts({ num_iter: 5 }), (_lr, i) =>
      i === 1 ? { loss: Infinity, grad_norm: Infinity, non_finite: true } : ok(1),
    );
    expect(inf.outcome.stop_reason).toBe('non_finite');
    expect(inf.outcome.losses).toEqual([1, null]);
    expect(inf.outcome.grad_norms).toEqual([1, null]);
    // finite loss but NaN gradients (the trainer skipped the update): loss kept, smoothed null
    const g = drive(opts({ num_iter: 5 }), (_lr, i) =>
      i === 1 ? { loss: 0.9, grad_norm: NaN, non_finite: true } : ok(1),
    );
    expect(g.outcome.stop_reason).toBe('non_finite');
    expect(g.outcome.losses).toEqual([1, 0.9]);
    expect(g.outcome.smoothed_losses).toEqual([1, null]);
    expect(g.outcome.grad_norms).toEqual([1, null]);
  });

  it('a non-finite first loss: one point, no best', () => {
    const { outcome, points } = drive(opts({ num_iter: 5 }), () => ok(NaN));
    expect(points[0].best_loss).toBeNull();
    expect(outcome).toMatchObject({
      iterations: 1,
      stop_reason: 'non_finite',
      best_lr: null,
      best_loss: null,
      losses: [null],
    });
  });

  it('negative losses do not misfire (torch-lr-finder’s `> 5*best` would stop at once)', () => {
    // raw = 1 - i/10 for 40 steps: goes from 1 to -2.9; monotone decreasing, must complete
    const raw = Array.from({ length: 40 }, (_, i) => 1 - i / 10);
    const { outcome } = drive(opts({ num_iter: 40, smooth_f: 0.05 }), (_lr, i) => ok(raw[i]));
    expect(outcome.stop_reason).toBe('completed');
    expect(outcome.iterations).toBe(40);
    // proof that the naive rule misfires on this curve: first point where best < 0 stops it
    const s = outcome.smoothed_losses as number[];
    const naiveStop = s.findIndex((v, i) => v > 5 * Math.min(...s.slice(0, i + 1)));
    expect(naiveStop).toBeGreaterThan(0);
    expect(naiveStop).toBeLessThan(40);
  });

  it('negative best: diverged once the loss rises (diverge_th-1)·|best| above it', () => {
    // smooth_f 0 (raw): best -1 → threshold -1 + 4*1 = 3; 2.9 continues, 3.1 stops
    const raw = [0, -1, 2.9, 3.1, 0];
    const { outcome } = drive(opts({ num_iter: 5, smooth_f: 0 }), (_lr, i) => ok(raw[i]));
    expect(outcome.iterations).toBe(4);
    expect(outcome.stop_reason).toBe('diverged');
    expect(divergenceThreshold(-1, 5)).toBe(3);
    expect(divergenceThreshold(2, 5)).toBe(10);
    expect(divergenceThreshold(0, 5)).toBe(0);
    // continuous through 0
    expect(divergenceThreshold(1e-9, 5)).toBeCloseTo(divergenceThreshold(-1e-9, 5), 8);
  });

  it('positive losses: identical decisions to `loss > diverge_th * best` (random curves)', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 50; t++) {
      const th = 1.5 + 5 * rnd();
      const raw = Array.from({ length: 60 }, () => 0.01 + 3 * rnd() ** 3);
      const { outcome } = drive(opts({ num_iter: 60, smooth_f: 0.3, diverge_th: th }), (_lr, i) => ok(raw[i]));
      // replay torch-lr-finder verbatim
      const hist: number[] = [];
      let best = 0;
      for (let i = 0; i < 60; i++) {
        let loss = raw[i];
        if (i === 0) best = loss;
        else {
          loss = 0.3 * loss + (1 - 0.3) * hist[hist.length - 1];
          if (loss < best) best = loss;
        }
        hist.push(loss);
        if (loss > th * best) break;
      }
      expect(outcome.smoothed_losses).toEqual(hist);
    }
  });

  it('is lazy: the caller cancels by not pulling; summarizeRangeTest builds a partial outcome', () => {
    let calls = 0;
    const gen = rangeTest(opts({ num_iter: 100 }), () => {
      calls++;
      return ok(1);
    });
    const pts: RangePoint[] = [];
    for (const p of gen) {
      pts.push(p);
      if (pts.length === 7) break;
    }
    expect(calls).toBe(7);
    const partial = summarizeRangeTest(pts, 'completed');
    expect(partial.iterations).toBe(7);
  });

  it('rejects options torch-lr-finder rejects', () => {
    const run = (o: Partial<RangeTestOptions>) => () => rangeTest(opts(o), () => ok(1)).next();
    expect(run({ smooth_f: 1 })).toThrow(/smooth_f/);
    expect(run({ smooth_f: -0.1 })).toThrow(/smooth_f/);
    expect(run({ num_iter: 1 })).toThrow(/num_iter/);
    expect(run({ diverge_th: 1 })).toThrow(/diverge_th/);
  });
});
