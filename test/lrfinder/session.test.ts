/**
 * A sweep session fed one loss at a time must reproduce `rangeTest` bit for bit when both see
 * the same loss(lr, i): the LRs, raw and smoothed losses, best, stop reason and every suggestion.
 * Curves: the analytic curve of synthetic.test.ts (diverges past lr ≈ 1), a flat curve (runs to
 * `completed`), a NaN mid-run (`non_finite`), a NaN first, a negative-loss curve (the sign-safe
 * stop rule), linear step_mode and smooth_f = 0.
 */
import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../src/core/types.js';
import { analyzeRangeTest } from '../../src/lrfinder/analyze.js';
import {
  rangeTest,
  RANGE_TEST_OPTION_DEFAULTS,
  type RangeTestOptions,
  type RangeTestOutcome,
} from '../../src/lrfinder/range-test.js';
import { lrPlan } from '../../src/lrfinder/lr-plan.js';
import {
  checkSweepOptions,
  newSweep,
  sweepNext,
  sweepPoints,
  sweepResult,
  sweepStep,
  sweepStop,
  type SweepState,
} from '../../src/lrfinder/session.js';

type LossFn = (lr: number, i: number) => number;

const L: LossFn = (lr, i) =>
  2.3 - (1 + Math.tanh(1.5 * (Math.log10(lr) + 3))) + 2 * lr * lr + 0.08 * Math.sin(i * 12.9898) * Math.cos(i * 78.233);

function viaRangeTest(opts: RangeTestOptions, f: LossFn): RangeTestOutcome {
  const gen = rangeTest(opts, (lr, i): StepResult => ({ loss: f(lr, i), grad_norm: 1, non_finite: false }));
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

/** The client's loop: train at next.lr, report, until the session stops. */
function viaSession(opts: RangeTestOptions, f: LossFn): SweepState {
  let s = newSweep();
  for (let next = sweepNext(s, opts); next; next = sweepNext(s, opts)) {
    const loss = f(next.lr, next.iteration);
    s = sweepStep(s, opts, Number.isFinite(loss) ? loss : null); // the wire carries NaN/Inf as null
  }
  return s;
}

const CASES: [string, Partial<RangeTestOptions>, LossFn, string][] = [
  ['the analytic curve (default options)', {}, L, 'diverged'],
  ['a flat curve', { num_iter: 60 }, () => 1.5, 'completed'],
  ['a NaN at iteration 37', {}, (lr, i) => (i === 37 ? NaN : L(lr, i)), 'non_finite'],
  ['an Inf at iteration 0', {}, (lr, i) => (i === 0 ? Infinity : L(lr, i)), 'non_finite'],
  ['negative losses (sign-safe divergence)', { num_iter: 80 }, (lr, i) => L(lr, i) - 3, 'diverged'],
  [
    'linear step_mode, smooth_f = 0',
    { step_mode: 'linear', start_lr: 1e-4, end_lr: 2, num_iter: 50, smooth_f: 0 },
    L,
    'diverged',
  ],
  ['diverge_th = 1.5, smooth_f = 0.3', { diverge_th: 1.5, smooth_f: 0.3 }, L, 'diverged'],
];

describe('sweep session ≡ rangeTest', () => {
  it.each(CASES)('%s', (_name, o, f, reason) => {
    const opts: RangeTestOptions = { ...RANGE_TEST_OPTION_DEFAULTS, ...o };
    const ref = viaRangeTest(opts, f);
    const s = viaSession(opts, f);
    expect(ref.stop_reason).toBe(reason);
    expect(s.stop_reason).toBe(ref.stop_reason);
    // Object.is per element: bit-identical doubles (toEqual would accept -0 vs 0 too)
    const pts = sweepPoints(s, opts);
    expect(pts.length).toBe(ref.iterations);
    pts.forEach((p, i) => {
      expect(Object.is(p.lr, ref.lrs[i])).toBe(true);
      expect(Object.is(p.loss, ref.losses[i])).toBe(true);
      expect(Object.is(p.smoothed_loss, ref.smoothed_losses[i])).toBe(true);
    });
    const res = sweepResult(s, { ...opts, suggestion: 'steepest', skip_start: 10, skip_end: 5 });
    const a = analyzeRangeTest(ref, { num_iter: opts.num_iter, suggestion: 'steepest', skip_start: 10, skip_end: 5 });
    expect(res.lrs).toEqual(ref.lrs);
    expect(res.losses).toEqual(ref.losses);
    expect(res.smoothed_losses).toEqual(ref.smoothed_losses);
    expect(res.best_lr).toBe(ref.best_lr);
    expect(res.best_loss).toBe(ref.best_loss);
    expect(res.iterations).toBe(ref.iterations);
    expect(res.suggestions).toEqual(a.suggestions);
    expect(res.suggestion).toEqual(a.suggestion);
    expect(res.suggested_lr).toBe(a.suggested_lr);
    expect(res.warnings.slice(0, a.warnings.length)).toEqual(a.warnings);
  });

  it('the analytic curve gets a valley suggestion in the falling part (lr ≈ 1e-3 region)', () => {
    const opts = { ...RANGE_TEST_OPTION_DEFAULTS };
    const res = sweepResult(viaSession(opts, L), { ...opts, suggestion: 'valley' });
    expect(res.suggestion.method).toBe('valley');
    expect(res.suggested_lr).toBeGreaterThan(1e-5);
    expect(res.suggested_lr).toBeLessThan(1e-1);
  });

  it('next follows the plan: lrPlan[i] at iteration i, first start_lr, last end_lr', () => {
    const opts = { ...RANGE_TEST_OPTION_DEFAULTS, num_iter: 20 };
    const plan = lrPlan(opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode);
    let s = newSweep();
    const seen: number[] = [];
    for (let n = sweepNext(s, opts); n; n = sweepNext(s, opts)) {
      expect(n.iteration).toBe(seen.length);
      seen.push(n.lr);
      s = sweepStep(s, opts, 1);
    }
    expect(seen).toEqual(plan);
    expect(s.stop_reason).toBe('completed');
  });

  it('a stopped session refuses more losses; stop is idempotent and keeps the points', () => {
    const opts = { ...RANGE_TEST_OPTION_DEFAULTS };
    let s = newSweep();
    for (let i = 0; i < 12; i++) s = sweepStep(s, opts, 2 - i * 0.01);
    const stopped = sweepStop(s);
    expect(stopped.stop_reason).toBe('stopped_by_client');
    expect(stopped.losses).toEqual(s.losses);
    expect(sweepStop(stopped)).toBe(stopped);
    expect(() => sweepStep(stopped, opts, 1)).toThrow(RangeError);
    expect(sweepNext(stopped, opts)).toBeNull();
    expect(sweepResult(stopped, opts)).toMatchObject({ stop_reason: 'stopped_by_client', iterations: 12 });
    const nan = sweepStep(newSweep(), opts, null);
    expect(() => sweepStep(nan, opts, 1)).toThrow(/non_finite/);
  });

  it('options torch-lr-finder rejects are RangeErrors', () => {
    const d = { ...RANGE_TEST_OPTION_DEFAULTS };
    expect(() => checkSweepOptions({ ...d, num_iter: 1 })).toThrow(RangeError);
    expect(() => checkSweepOptions({ ...d, smooth_f: 1 })).toThrow(RangeError);
    expect(() => checkSweepOptions({ ...d, diverge_th: 1 })).toThrow(RangeError);
    expect(() => checkSweepOptions(d)).not.toThrow();
  });
});
