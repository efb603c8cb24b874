/**
 * An end-to-end range test on an analytic loss-vs-LR curve:
 *   L(lr) = 2.3 - 2·½(1 + tanh(1.5·(log10 lr + 3))) + 2·lr²
 * The loss falls from 2.3 to 0.3 around lr = 1e-3 (the steepest descent in log-lr is exactly at
 * 1e-3), stays near its floor, and blows up beyond lr ≈ 1.
 */
import { describe, expect, it } from 'vitest';
import type { StepResult } from '../../src/core/types.js';
import { analyzeRangeTest } from '../../src/lrfinder/analyze.js';
import { rangeTest, RANGE_TEST_OPTION_DEFAULTS, type RangeTestOutcome } from '../../src/lrfinder/range-test.js';

const L = (lr: number) => 2.3 - 2 * 0.5 * (1 + Math.tanh(1.5 * (Math.log10(lr) + 3))) + 2 * lr * lr;

function run(noise: number): RangeTestOutcome {
  const gen = rangeTest({ ...RANGE_TEST_OPTION_DEFAULTS }, (lr, i): StepResult => ({
    loss: L(lr) + noise * Math.sin(i * 12.9898) * Math.cos(i * 78.233),
    grad_norm: 1 / (1 + lr),
    non_finite: false,
  }));
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

for (const noise of [0, 0.08, 0.3]) {
  describe(`synthetic range test (noise ${noise})`, () => {
    const out = run(noise);
    const a = analyzeRangeTest(out, { num_iter: 100 });

    it('stops with `diverged` after the blow-up beyond lr = 1', () => {
      expect(out.stop_reason).toBe('diverged');
      const lastLr = out.lrs[out.iterations - 1];
      expect(lastLr).toBeGreaterThan(1);
      expect(out.iterations).toBeLessThan(100);
      // the last recorded smoothed loss is what triggered the stop: > 5 × best
      expect(out.smoothed_losses[out.iterations - 1] as number).toBeGreaterThan(5 * (out.best_loss as number));
    });

    it('everything is finite and JSON-safe', () => {
      for (const arr of [out.lrs, out.losses, out.smoothed_losses, out.grad_norms]) {
        expect(arr).toHaveLength(out.iterations);
        for (const v of arr) expect(Number.isFinite(v)).toBe(true);
      }
      for (const s of Object.values(a.suggestions)) {
        expect(s?.lr).not.toBeNull();
        expect(Number.isFinite(s?.lr)).toBe(true);
      }
      expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    });

    it('valley and steepest land in the expected decades; minimum (the default) is suggested_lr', () => {
      const v = a.suggestions.valley!.lr as number;
      const st = a.suggestions.steepest!.lr as number;
      // valley: about halfway through the descending run of the smoothed curve → 1e-4 … 1e-2
      expect(v).toBeGreaterThanOrEqual(1e-4);
      expect(v).toBeLessThanOrEqual(1e-2);
      // steepest: the true steepest point is 1e-3; the causal EMA (smooth_f .05) lags it to the right,
      // but by less than a decade
      expect(st).toBeGreaterThanOrEqual(1e-3);
      expect(st).toBeLessThan(1e-2);
      expect(a.suggested_lr).toBe(a.suggestions.minimum!.lr);
      expect(a.suggestion.method).toBe('minimum');
    });

    it('zero_lag_steepest (raw series, two-sided smoothing) finds the true steepest point 1e-3', () => {
      const z = a.suggestions.zero_lag_steepest!.lr as number;
      expect(Math.abs(Math.log10(z) - -3)).toBeLessThan(0.15);
      // and it is to the left of the lagged steepest
      expect(z).toBeLessThan(a.suggestions.steepest!.lr as number);
    });

    it('no curve warnings on a healthy 12.4 points/decade run', () => {
      expect(a.warnings.map((w) => w.code)).toEqual([]);
    });
  });
}
