import { describe, expect, it } from 'vitest';
import { analyzeCurve, analyzeRangeTest } from '../../src/lrfinder/analyze.js';
import { fastaiWindow, sliceWindow, torchWindow } from '../../src/lrfinder/trim.js';
import { SUGGESTION_METHOD_NAMES, V1_METHOD_NAMES } from '../../src/lrfinder/suggest/index.js';
import { zeroLagSteepest, localLinearLogLr } from '../../src/lrfinder/suggest/zero-lag-steepest.js';
import type { RangeTestOutcome } from '../../src/lrfinder/range-test.js';
import { LRS, NOISY, NOISY_RAW, SMOOTH } from './fixtures.js';

const geo = (n: number, lo: number, hi: number) =>
  Array.from({ length: n }, (_, i) => 10 ** (lo + ((hi - lo) * i) / (n - 1)));

describe('trimming windows', () => {
  it('Python slice semantics: seq[a:-b], seq[a:] when b = 0, clamped', () => {
    expect(sliceWindow(100, 10, 5)).toEqual({ start: 10, end: 95 });
    expect(sliceWindow(100, 10, 0)).toEqual({ start: 10, end: 100 });
    expect(sliceWindow(3, 0, 5)).toEqual({ start: 0, end: 0 }); // [0:-5] of 3 items is empty
    expect(sliceWindow(12, 10, 5)).toEqual({ start: 10, end: 10 });
  });
  it('fastai: [num_it//10 : -5] with the REQUESTED num_it, cut before the first null', () => {
    const losses = Array(50).fill(1);
    expect(fastaiWindow(losses, { num_it: 100 })).toEqual({ start: 10, end: 45 }); // early-stopped run
    expect(fastaiWindow(losses)).toEqual({ start: 5, end: 45 }); // num_it defaults to the length
    expect(fastaiWindow(losses, { fastai_skip_start: 0, fastai_skip_end: 0 })).toEqual({ start: 0, end: 50 });
    const withNull = [...losses];
    withNull[30] = null;
    expect(fastaiWindow(withNull, { num_it: 100 })).toEqual({ start: 10, end: 30 });
  });
  it('torch-lr-finder: [skip_start : -skip_end], defaults 10 / 5', () => {
    const losses = Array(50).fill(1);
    expect(torchWindow(losses)).toEqual({ start: 10, end: 45 });
    expect(torchWindow(losses, { skip_start: 0, skip_end: 0 })).toEqual({ start: 0, end: 50 });
  });
});

describe('analyzeCurve', () => {
  const outcome = (losses: readonly number[], raw: readonly number[]): RangeTestOutcome => ({
    lrs: LRS.slice(0, losses.length),
    losses: [...raw],
    smoothed_losses: [...losses],
    grad_norms: losses.map(() => 1),
    stop_reason: 'diverged',
    iterations: losses.length,
    best_lr: null,
    best_loss: null,
  });

  it("end of a range test: every method, the smoothed series to the libraries' methods, raw to ours; minimum by default", () => {
    const a = analyzeRangeTest(outcome(NOISY, NOISY_RAW), { num_iter: 100 });
    expect(Object.keys(a.suggestions).sort()).toEqual([...SUGGESTION_METHOD_NAMES].sort());
    expect(SUGGESTION_METHOD_NAMES).toHaveLength(10);
    // values transcribed from fastai / torch-lr-finder code run in Python on the same curve
    // fastai returns float32(LRS[54]) = 0.002310129813849926; the pick is the caller's own LRS[54]
    expect(a.suggestions.valley).toMatchObject({ lr: LRS[54], index: 54 });
    expect(a.suggestions.steepest).toMatchObject({ lr: 0.004037017258596558, index: 57 });
    // the default suggestion is fastai's minimum: the smoothed loss's minimum, its LR / 10
    const min = a.suggestions.minimum!;
    expect(min.lr).toBe(LRS[min.index!] / 10);
    expect(a.suggested_lr).toBe(min.lr);
    expect(a.suggestion).toMatchObject({ method: 'minimum', lr: min.lr, index: min.index });
    // each method's own library's trimming: fastai [num_it//10 : -5], torch-lr-finder [10 : -5], Lightning [10 : -1],
    // ignite none
    expect(a.suggestions.valley!.window).toEqual({ start: 10, end: 93 });
    expect(a.suggestions.valley!.trim).toEqual({ skip_start: 10, skip_end: 5, source: 'library', cut_at: null });
    expect(a.suggestions.steepest!.window).toEqual({ start: 10, end: 93 });
    expect(a.suggestions.lightning!.window).toEqual({ start: 10, end: 97 });
    expect(a.suggestions.ignite!.window).toEqual({ start: 0, end: 98 });
    expect(a.suggestions.zero_lag_steepest!.window).toEqual({ start: 0, end: 98 });
    // zero_lag_steepest reads the raw series: different input, different answer than on NOISY
    const onSmoothed = zeroLagSteepest(LRS.slice(0, 98), NOISY);
    const onRaw = zeroLagSteepest(LRS.slice(0, 98), NOISY_RAW);
    expect(a.suggestions.zero_lag_steepest).toMatchObject(onRaw);
    expect(onRaw).not.toEqual(onSmoothed);
  });

  it("end of a range test: skip_start / skip_end set every method's trimming", () => {
    const a = analyzeRangeTest(outcome(NOISY, NOISY_RAW), { num_iter: 100, skip_start: 20, skip_end: 0 });
    for (const p of Object.values(a.suggestions))
      expect(p!.trim).toMatchObject({ skip_start: 20, skip_end: 0, source: 'request' });
    expect(a.suggestions.valley!.window).toEqual({ start: 20, end: 98 });
  });

  it('the chosen method and the method subset', () => {
    const a = analyzeCurve({ lrs: LRS.slice(0, 98), losses: SMOOTH, suggestion: 'steepest', methods: ['minimum'] });
    expect(Object.keys(a.suggestions).sort()).toEqual(['minimum', 'steepest']);
    expect(a.suggestion).toEqual({ method: 'steepest', lr: 0.004037017258596558, index: 57 });
    expect(a.suggested_lr).toBe(0.004037017258596558);
  });

  it('skip options are explicit: torch skips move steepest, fastai ones move the fastai methods', () => {
    const base = analyzeCurve({
      lrs: LRS.slice(0, 98),
      losses: SMOOTH,
      skip_start: 60,
      methods: ['steepest', 'steep'],
    });
    expect(base.windows.steepest).toEqual({ start: 60, end: 93 });
    expect(base.windows.steep).toEqual({ start: 9, end: 93 }); // num_it = 98 → 98//10 = 9
    expect(base.suggestions.steepest!.index).toBeGreaterThanOrEqual(60);
    const f = analyzeCurve({ lrs: LRS.slice(0, 98), losses: SMOOTH, fastai_skip_start: 60, methods: ['steep'] });
    expect(f.windows.steep).toEqual({ start: 60, end: 93 });
  });

  it('too few points: null with the needed and actual counts, no throw, no NaN', () => {
    const a = analyzeCurve({ lrs: [1e-3, 1e-2, 1e-1], losses: [3, 2, 1] });
    for (const name of V1_METHOD_NAMES) {
      const s = a.suggestions[name]!;
      expect(s.lr).toBeNull();
      expect(s.index).toBeNull();
    }
    const v = a.suggestions.valley!;
    expect(v).toEqual({
      lr: null,
      index: null,
      reason:
        'valley needs at least 1 point after fastai trimming (skip_start 0, skip_end 5), i.e. at least 6 recorded points; got 0 of 3 (window [0, 0))',
    });
    const st = a.suggestions.steepest!;
    if (st.lr === null)
      expect(st.reason).toMatch(
        /steepest needs at least 2 points .*skip_start 10, skip_end 5.*at least 17 recorded points; got 0 of 3/,
      );
    const sl = a.suggestions.slide!;
    if (sl.lr === null) expect(sl.reason).toMatch(/slide needs at least 16 points/);
    // a null cut is named in the reason
    const cut = analyzeCurve({
      lrs: geo(30, -6, -3),
      losses: [...Array(11).fill(1), null, ...Array(18).fill(1)],
      methods: ['steepest'],
    });
    expect(cut.suggestions.steepest).toMatchObject({
      lr: null,
      reason: expect.stringMatching(/cut before the first non-finite loss at index 11.*got 1 of 30/),
    });
    expect(a.suggested_lr).toBeNull();
    expect(a.suggestion).toMatchObject({ method: 'minimum', lr: null, index: null });
    expect(a.warnings.map((w) => w.code)).toContain('no_suggestion');
    expect(JSON.stringify(a)).not.toMatch(/NaN|Infinity/);
  });

  it('large curves (100k points) are analysed with every method, all finite', () => {
    const n = 100_000;
    const lrs = geo(n, -7, 1);
    const losses = lrs.map(
      (lr, i) => 2.3 - Math.tanh(1.5 * (Math.log10(lr) + 3)) + 2 * lr * lr + 0.01 * Math.sin(i * 12.9898),
    );
    const a = analyzeCurve({ lrs, losses, num_it: n });
    for (const name of V1_METHOD_NAMES) expect(Number.isFinite(a.suggestions[name]!.lr)).toBe(true);
    expect(Math.abs(Math.log10(a.suggestions.zero_lag_steepest!.lr as number) + 3)).toBeLessThan(0.1);
  });

  it('invalid curves never throw', () => {
    const a = analyzeCurve({ lrs: [1, 2], losses: [1] });
    expect(a.warnings[0].code).toBe('invalid_curve');
    expect(a.suggested_lr).toBeNull();
    const b = analyzeCurve({ lrs: [0, 1, 2], losses: [3, 2, 1] });
    expect(b.warnings[0]).toMatchObject({ code: 'invalid_curve', message: expect.stringMatching(/lrs\[0\]/) });
  });

  it('non-finite losses: fastai and steepest stop before the first null; ours skips it', () => {
    const losses: (number | null)[] = [...NOISY];
    losses[70] = null;
    const a = analyzeCurve({ lrs: LRS.slice(0, 98), losses, num_it: 100 });
    expect(a.windows.valley).toEqual({ start: 10, end: 70 });
    expect(a.windows.steepest).toEqual({ start: 10, end: 70 });
    expect(a.warnings).toContainEqual(expect.objectContaining({ code: 'non_finite_losses', iteration: 70 }));
    expect(a.suggestions.zero_lag_steepest!.lr).not.toBeNull();
  });

  it('warns on a flat curve (LR too small or zero gradients)', () => {
    const lrs = geo(100, -7, -5);
    const a = analyzeCurve({ lrs, losses: lrs.map((_, i) => 2.3 + 1e-4 * Math.sin(i)) });
    expect(a.warnings.map((w) => w.code)).toContain('flat_curve');
    expect(a.warnings.find((w) => w.code === 'flat_curve')!.message).toMatch(/LR too small.*zero gradients/);
  });

  it('warns when the curve diverges at once', () => {
    const lrs = geo(100, -1, 1);
    const a = analyzeCurve({ lrs, losses: lrs.map((lr) => 1 + lr * lr) });
    expect(a.warnings.map((w) => w.code)).toContain('diverges_immediately');
    expect(a.warnings.map((w) => w.code)).not.toContain('flat_curve');
  });

  it('warns on fewer than 12 points per decade, not at 12.4', () => {
    const coarse = geo(30, -7, 1);
    const a = analyzeCurve({ lrs: coarse, losses: coarse.map((lr) => 2 - Math.tanh(Math.log10(lr) + 3)) });
    expect(a.warnings.map((w) => w.code)).toContain('too_few_points_per_decade');
    const fine = analyzeCurve({ lrs: LRS.slice(0, 98), losses: SMOOTH });
    expect(fine.warnings.map((w) => w.code)).not.toContain('too_few_points_per_decade');
  });

  it('warns when steepest picks the first point of its window', () => {
    const lrs = geo(40, -6, 0);
    // steep before the window (hidden by skip_start 10), then a fall whose slope only weakens:
    // g10 = l11 - l10 = -1.42 (one-sided at the window start) < g11 = (l12 - l10)/2 = -1.22 < …
    const losses = lrs.map((_, i) => (i <= 10 ? 100 - 10 * i : -5 * (1 - Math.exp(-(i - 10) / 3))));
    const a = analyzeCurve({ lrs, losses, suggestion: 'steepest' });
    expect(a.suggestion.index).toBe(10);
    expect(a.warnings).toContainEqual(
      expect.objectContaining({
        code: 'pick_at_window_edge',
        iteration: 10,
        message: expect.stringMatching(/first point/),
      }),
    );
  });
});

describe('zero_lag_steepest', () => {
  it('local-linear slope is exact on a straight line in log10(lr)', () => {
    const lrs = geo(40, -6, -2);
    const fit = localLinearLogLr(
      lrs,
      lrs.map((lr) => 3 - 0.5 * Math.log10(lr)),
    )!;
    for (const s of fit.slope) expect(s).toBeCloseTo(-0.5, 10);
  });
  it('finds the steepest point of a symmetric drop, without lag, and only before the minimum', () => {
    const lrs = geo(120, -7, 1);
    // drop centred at 1e-4, then a rise after 1e-1 that is steeper (negative-slope search stops at the minimum)
    const losses = lrs.map((lr) => 2 - Math.tanh(2 * (Math.log10(lr) + 4)) + 50 * lr * lr);
    const s = zeroLagSteepest(lrs, losses);
    expect(s.lr).not.toBeNull();
    expect(Math.abs(Math.log10(s.lr as number) + 4)).toBeLessThan(0.1);
  });
  it('needs 8 finite points; a rising-only curve has no pick', () => {
    const lrs = geo(7, -3, 0);
    expect(
      zeroLagSteepest(
        lrs,
        lrs.map(() => 1),
      ),
    ).toMatchObject({ lr: null, reason: expect.stringMatching(/at least 8 points.*got 7/) });
    const up = geo(20, -3, 0);
    expect(
      zeroLagSteepest(
        up,
        up.map((lr) => lr),
      ).lr,
    ).toBeNull();
  });
});
