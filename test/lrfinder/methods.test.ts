/**
 * The method registry and `suggest`: each library's default trimming and the trimming actually
 * applied, the caller's skip_start / skip_end for every method, Python's [a:-0] where the library
 * has it, edge warnings for every method, Lightning's regression warning, the zero_lag_steepest
 * fix (issue 10), typed non-finite values, and the float helpers.
 */
import { describe, expect, it } from 'vitest';
import {
  analyzeMethods,
  decodeLoss,
  encodeLoss,
  FASTAI_DEFAULTS,
  IGNITE_DEFAULTS,
  KERAS_LR_FINDER_DEFAULTS,
  LIGHTNING_DEFAULTS,
  loadFloat,
  lossKind,
  METHOD_NAMES,
  METHODS,
  storeFloat,
  suggest,
  TORCH_LR_FINDER_DEFAULTS,
  trimmedWindow,
  type MethodName,
} from '../../src/lrfinder/index.js';
import { fmaF32, torchGradientCoordsF32 } from '../../src/lrfinder/suggest/numeric.js';
import { LRS, NOISY, NOISY_RAW } from './fixtures.js';

const geo = (n: number, lo: number, step: number) => Array.from({ length: n }, (_, i) => 10 ** (lo + i * step));

describe("each method's default trimming, as its library", () => {
  it.each([
    ['valley', 100, { skip_start: 10, skip_end: 5 }, { start: 10, end: 95 }],
    ['steepest', 100, { skip_start: 10, skip_end: 5 }, { start: 10, end: 95 }],
    ['lightning', 100, { skip_start: 10, skip_end: 1 }, { start: 10, end: 99 }],
    ['lightning_legacy', 100, { skip_start: 10, skip_end: 1 }, { start: 10, end: 99 }],
    ['keras_sma', 100, { skip_start: 10, skip_end: 5 }, { start: 10, end: 95 }],
    ['ignite', 100, { skip_start: 0, skip_end: 0 }, { start: 0, end: 100 }],
    ['zero_lag_steepest', 100, { skip_start: 0, skip_end: 0 }, { start: 0, end: 100 }],
  ] as const)('%s on %i points', (m, n, skips, window) => {
    expect(trimmedWindow(m as MethodName, n)).toEqual({ window, skips, source: 'library' });
  });

  it('defaults come from one table', () => {
    expect(FASTAI_DEFAULTS).toMatchObject({
      start_lr: 1e-7,
      end_lr: 10,
      num_it: 100,
      beta: 0.98,
      skip_end: 5,
      stop_factor: 4,
    });
    expect(TORCH_LR_FINDER_DEFAULTS).toMatchObject({
      end_lr: 10,
      num_iter: 100,
      smooth_f: 0.05,
      diverge_th: 5,
      skip_start: 10,
      skip_end: 5,
    });
    expect(LIGHTNING_DEFAULTS).toMatchObject({
      min_lr: 1e-8,
      max_lr: 1,
      num_training: 100,
      early_stop_threshold: 4,
      skip_begin: 10,
      skip_end: 1,
    });
    expect(KERAS_LR_FINDER_DEFAULTS).toMatchObject({ sma: 1, n_skip_beginning: 10, n_skip_end: 5 });
    expect(IGNITE_DEFAULTS).toMatchObject({ smooth_f: 0.05, diverge_th: 5, skip_start: 0, skip_end: 0 });
  });

  it('fastai trims num_it//10 of the REQUESTED num_it (an early-stopped run still loses 10 of 100)', () => {
    expect(trimmedWindow('minimum', 50, { num_it: 100 }).window).toEqual({ start: 10, end: 45 });
    expect(trimmedWindow('minimum', 50).window).toEqual({ start: 5, end: 45 });
  });

  it("the caller's skip_start / skip_end apply to every method, and the result says so", () => {
    const curve = { lrs: LRS.slice(0, 98), losses: NOISY };
    for (const m of METHOD_NAMES) {
      const p = suggest(m, curve, { skip_start: 20, skip_end: 3 });
      expect(p.trim).toMatchObject({ skip_start: 20, skip_end: 3, source: 'request' });
      expect(p.window).toEqual({ start: 20, end: 95 });
      if (p.index !== null) expect(p.index).toBeGreaterThanOrEqual(20);
    }
  });

  it('skip_end = 0: Lightning and keras_lr_finder slice [10:-0], which is empty; the others keep the end', () => {
    const curve = { lrs: LRS.slice(0, 98), losses: NOISY };
    for (const m of ['lightning', 'lightning_legacy', 'keras_sma'] as const) {
      const p = suggest(m, curve, { skip_end: 0 });
      expect(p.lr).toBeNull();
      expect(p.window).toEqual({ start: 10, end: 10 });
    }
    expect(suggest('keras_sma', curve, { skip_end: 0 }).reason).toMatch(/\[10:-0\], which is empty/);
    expect(suggest('steepest', curve, { skip_end: 0 }).window).toEqual({ start: 10, end: 98 });
    expect(suggest('valley', curve, { skip_end: 0 }).window).toEqual({ start: 9, end: 98 });
  });
});

describe('warnings', () => {
  it('every method warns when its pick is the first or last point it could choose', () => {
    // falling fastest at the very start, then flattening: steepest-type methods pick the window start
    const lrs = geo(60, -6, 0.1);
    const falling = lrs.map((_, i) => 5 * Math.exp(-i / 8));
    for (const m of ['steepest', 'steep', 'lightning_legacy', 'keras_sma', 'ignite'] as const) {
      const p = suggest(
        m,
        m === 'ignite' ? { lrs: lrs.slice(0, 51), losses: [...falling.slice(0, 50), 10] } : { lrs, losses: falling },
        { skip_start: 0, skip_end: m === 'lightning_legacy' || m === 'keras_sma' ? 1 : 0 },
      );
      if (m === 'ignite') expect(p.index, m).toBe(1); // ignite's central difference starts at index 1 of the descending part
      expect(
        p.warnings.map((w) => w.code),
        m,
      ).toContain('pick_at_window_edge');
    }
    // minimum: the loss is lowest at the last point (the run never turned)
    const p = suggest('minimum', { lrs, losses: falling });
    expect(p.index).toBe(p.window.end - 1);
    expect(p.warnings.find((w) => w.code === 'pick_at_window_edge')?.message).toMatch(/last point/);
  });

  it('lightning (>= 2.5.3) always says it is the regressed d loss / d lr version (#21141)', () => {
    const p = suggest('lightning', { lrs: LRS.slice(0, 98), losses: NOISY });
    expect(p.warnings.map((w) => w.code)).toContain('lightning_regressed');
    expect(p.warnings.find((w) => w.code === 'lightning_regressed')?.message).toMatch(/21141/);
  });

  it('Lightning <= 2.5.2 picks a NaN position after dropping non-finite points (#14248): reproduced, and flagged', () => {
    // [5,4,nan,nan,nan,3,1,...] with skip_begin 0: finite [5,4,3,1,...] → gradient argmin at 2 (the 3→1 drop)… + 0 =
    // index 2, a NaN
    const losses = [5, 4, NaN, NaN, NaN, 3, 1, 0.9, 0.85, 0.8, 0.78];
    const lrs = geo(losses.length, -5, 0.3);
    const p = suggest('lightning_legacy', { lrs, losses }, { skip_start: 0, skip_end: 1, non_finite: 'library' });
    expect(p.index).toBe(2);
    expect(Number.isNaN(losses[p.index as number])).toBe(true);
    expect(p.warnings.map((w) => w.code)).toEqual(
      expect.arrayContaining(['lightning_legacy_offset', 'pick_near_non_finite']),
    );
    // the current version maps back through the finite indices
    expect(suggest('lightning', { lrs, losses }, { skip_start: 0, skip_end: 1, non_finite: 'library' }).index).not.toBe(
      2,
    );
  });

  it('non_finite "library": torch-lr-finder argmins onto the first NaN; "cut" (the default) stops before it', () => {
    const losses: (number | null)[] = [...NOISY];
    losses[60] = NaN;
    const lib = suggest('steepest', { lrs: LRS.slice(0, 98), losses }, { non_finite: 'library' });
    expect([59, 61]).toContain(lib.index); // np.gradient is NaN next to the NaN; argmin returns the first NaN
    expect(lib.warnings.map((w) => w.code)).toContain('pick_near_non_finite');
    const cut = suggest('steepest', { lrs: LRS.slice(0, 98), losses });
    expect(cut.window.end).toBe(60);
    expect(cut.trim.cut_at).toBe(60);
    // null reads as NaN for the library, with a warning
    losses[60] = null;
    const unk = suggest('steepest', { lrs: LRS.slice(0, 98), losses }, { non_finite: 'library' });
    expect(unk.index).toBe(lib.index);
    expect(unk.warnings.map((w) => w.code)).toContain('unknown_non_finite_read_as_nan');
  });

  it('fastai keeps ±Inf and cuts at the first NaN', () => {
    const losses: number[] = [...NOISY];
    losses[50] = Infinity;
    const inf = suggest('valley', { lrs: LRS.slice(0, 98), losses }, { num_it: 100, non_finite: 'library' });
    expect(inf.window).toEqual({ start: 10, end: 93 });
    losses[50] = NaN;
    expect(suggest('valley', { lrs: LRS.slice(0, 98), losses }, { num_it: 100, non_finite: 'library' }).window).toEqual(
      { start: 10, end: 50 },
    );
  });
});

describe('zero_lag_steepest: issue 10 (it picked start_lr, index 0, with no warning)', () => {
  // the repro of issue 10: lrs 1e-6·10^(i/5), i = 0..35; losses [3.0, 2.4] + [2.3]×14 + 2.18 … 0.5 (−0.12 a step) +
  // [1.3, 2.1, 2.9, 3.7, 4.5]
  const lrs = Array.from({ length: 36 }, (_, i) => 1e-6 * 10 ** (i / 5));
  const fall = Array.from({ length: 15 }, (_, k) => 2.18 - 0.12 * k);
  const losses = [3.0, 2.4, ...Array(14).fill(2.3), ...fall, 1.3, 2.1, 2.9, 3.7, 4.5];

  it("the curve is the issue's (36 points, the fall ends at 0.5)", () => {
    expect(losses.length).toBe(36);
    expect(losses[30]).toBeCloseTo(0.5, 12);
  });

  it('picks in the falling part, not index 0', () => {
    const p = suggest('zero_lag_steepest', { lrs, losses });
    expect(p.index).toBeGreaterThanOrEqual(16);
    expect(p.index).toBeLessThanOrEqual(30);
    expect(p.lr).toBe(lrs[p.index as number]);
  });

  it('honours skip_start', () => {
    const p = suggest('zero_lag_steepest', { lrs, losses }, { skip_start: 20 });
    expect(p.window.start).toBe(20);
    expect(p.index).toBeGreaterThanOrEqual(20);
  });

  it('warns when the pick is the first point with a two-sided fit', () => {
    // a curve that falls fastest right at its start: the first two-sided point (index 3 for a 0.6-decade half-width) is
    // picked, and flagged
    const steep = lrs.map((_, i) => 3 * Math.exp(-i / 6));
    const p = suggest('zero_lag_steepest', { lrs, losses: steep });
    expect(p.index).toBe(3);
    expect(p.warnings.map((w) => w.code)).toContain('pick_at_window_edge');
  });

  it('still reads the raw series when given', () => {
    const a = analyzeMethods(
      { lrs: LRS.slice(0, 98), losses: NOISY, raw_losses: NOISY_RAW },
      { methods: ['zero_lag_steepest'] },
    );
    expect(a.suggestions.zero_lag_steepest?.lr).not.toBeNull();
  });
});

describe('analyzeMethods: all ten methods on one curve', () => {
  it("returns every method with its library, window, trimming and warnings; picks are the caller's LRs", () => {
    const lrs = LRS.slice(0, 98);
    const a = analyzeMethods({ lrs, losses: NOISY }, { num_it: 100 });
    expect(Object.keys(a.suggestions).sort()).toEqual([...METHOD_NAMES].sort());
    for (const m of METHOD_NAMES) {
      const p = a.suggestions[m]!;
      expect(p.origin).toBe(METHODS[m].origin);
      if (p.index !== null) expect(p.lr).toBe(m === 'minimum' ? lrs[p.index] / 10 : lrs[p.index]);
    }
    expect(a.suggestion.method).toBe('minimum');
    expect(JSON.stringify(a)).not.toMatch(/NaN|Infinity/);
  });
  it('user LRs are never float32-rounded: 1e-6 comes back as 1e-6', () => {
    const lrs = Array.from({ length: 40 }, (_, i) => 1e-6 * 10 ** (i / 8));
    const losses = lrs.map((_, i) => (i < 20 ? 2 : 1)); // the lowest loss first at index 20
    const a = analyzeMethods({ lrs, losses }, { skip_start: 0, skip_end: 0, methods: ['minimum', 'steep', 'valley'] });
    expect(a.suggestions.minimum?.lr).toBe(lrs[20] / 10);
    expect(a.suggestions.steep).toMatchObject({ index: 19, lr: lrs[19] });
  });
});

describe('typed loss values', () => {
  it('"NaN", "Infinity", "-Infinity" and null are four different things', () => {
    expect(['NaN', 'Infinity', '-Infinity', null, 1.5].map((v) => lossKind(decodeLoss(v as never)))).toEqual([
      'nan',
      'inf',
      '-inf',
      'unknown',
      'finite',
    ]);
    for (const v of [NaN, Infinity, -Infinity, null, 0, -2.5]) {
      const back = decodeLoss(encodeLoss(v));
      expect(Object.is(back, v)).toBe(true);
    }
    expect(JSON.stringify([NaN, Infinity, -Infinity, null].map(encodeLoss))).toBe(
      '["NaN","Infinity","-Infinity",null]',
    );
  });
  it('state floats survive JSON bit for bit (NaN, ±Infinity, -0)', () => {
    for (const x of [NaN, Infinity, -Infinity, -0, 0, 1e-310, 2.299999952316284]) {
      expect(Object.is(loadFloat(JSON.parse(JSON.stringify(storeFloat(x)))), x)).toBe(true);
    }
  });
});

describe('float32 helpers', () => {
  it('fmaF32 rounds a·b + c once, including on a float32 midpoint', () => {
    const f32 = Math.fround;
    expect(fmaF32(f32(0.5), f32(3), f32(1))).toBe(2.5);
    // a·b = 2^-24 - 2^-60, c = 1 + 2^-23: the exact sum lies just below the float32 midpoint 1 + 3·2^-24,
    // so one rounding gives 1 + 2^-23; in a double the sum lands ON the midpoint and ties-to-even gives 1 + 2^-22
    const a = f32(2 ** -12 * (1 + 2 ** -18));
    const b = f32(2 ** -12 * (1 - 2 ** -18));
    const c = 1 + 2 ** -23;
    expect(a * b + c).toBe(1 + 3 * 2 ** -24);
    expect(f32(a * b + c)).toBe(1 + 2 ** -22);
    expect(fmaF32(a, b, c)).toBe(1 + 2 ** -23);
  });
  it('torch.gradient with coordinates: second-order interior, first-order edges', () => {
    const x = [0, 2, 4, 6];
    // a = -dx2/(dx1(dx1+dx2)) = -0.25, b = 0, c = 0.25: interior 2x exactly on x²; edges (4-0)/2, (36-16)/2
    expect(
      torchGradientCoordsF32(
        x.map((v) => v * v),
        x,
      ),
    ).toEqual([2, 4, 8, 10]);
  });
});
