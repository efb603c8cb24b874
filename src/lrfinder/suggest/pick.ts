/**
 * One method on one recorded curve: trimming (the library's default, or the request's
 * skip_start / skip_end for every method), the handling of non-finite losses, the method itself
 * (./registry.ts), and what the answer needs to be read right — the window actually read, the
 * trimming actually applied, and warnings (a pick at the edge of its window; a pick next to a
 * non-finite loss; Lightning's regressed gradient).
 *
 * Non-finite losses (`non_finite`):
 * - "library" (what `emulate` uses): the library's own float behaviour — fastai cuts before the
 *   first NaN and keeps ±inf, torch-lr-finder's and keras's argmin land on the first NaN,
 *   Lightning drops non-finite points, ignite's argmin of the curve stops at the first NaN. A null
 *   (unknown non-finite) reads as NaN, with a warning.
 * - "cut" (the service's own behaviour, the default): the window ends before its first
 *   non-finite value of any kind (zero_lag_steepest skips them instead: it fits finite points only).
 *
 * Picks are the caller's own LR values (float64), for `minimum` exactly lrs[i] / 10; where a
 * library computes in float32 only the index follows float32.
 */
import { libraryFloat, type LossValue } from '../losses.js';
import type { Window } from '../trim.js';
import type { CurveWarning } from '../warnings.js';
import { f32, pySlice } from './numeric.js';
import type { Skips } from '../trim.js';
import { METHODS, type MethodName, type MethodOrigin, type MethodParams } from './registry.js';

export type NonFinitePolicy = 'cut' | 'library';

export interface MethodOptions extends MethodParams {
  /** points dropped at the front, for every method (default: each library's own) */
  skip_start?: number;
  /** points dropped at the end, for every method (default: each library's own) */
  skip_end?: number;
  non_finite?: NonFinitePolicy;
}

export interface RecordedCurve {
  lrs: readonly number[];
  /** the recorded series (smoothed, as the library stored it) */
  losses: readonly LossValue[];
  /** the raw series, when known: zero_lag_steepest reads it instead of `losses` */
  raw_losses?: readonly LossValue[];
}

export interface AppliedTrim extends Skips {
  /** "library": the method's own default; "request": the caller's skip_start / skip_end */
  source: 'library' | 'request';
  /** where the window was cut before a non-finite loss (null: not cut) */
  cut_at: number | null;
}

export interface MethodPick {
  method: MethodName;
  origin: MethodOrigin;
  lr: number | null;
  index: number | null;
  reason?: string;
  /** the half-open window [start, end) of the curve the method read */
  window: Window;
  trim: AppliedTrim;
  warnings: CurveWarning[];
}

/** Shape problems common to every method; null when fine. */
export function checkRecordedCurve(c: RecordedCurve): string | null {
  if (c.lrs.length !== c.losses.length)
    return `lrs and losses differ in length (${c.lrs.length} vs ${c.losses.length})`;
  if (c.raw_losses !== undefined && c.raw_losses.length !== c.lrs.length)
    return `raw_losses and lrs differ in length (${c.raw_losses.length} vs ${c.lrs.length})`;
  for (let i = 0; i < c.lrs.length; i++) {
    const lr = c.lrs[i];
    if (!(lr > 0) || !Number.isFinite(lr)) return `lrs[${i}] must be a finite number > 0, got ${lr}`;
  }
  return null;
}

const nonNeg = (x: number | undefined): number | undefined =>
  x === undefined || !Number.isFinite(x) || x < 0 ? undefined : Math.floor(x);

/** The trimmed window of a method, before any cut at a non-finite loss. */
export function trimmedWindow(
  method: MethodName,
  n: number,
  opts: MethodOptions = {},
): { window: Window; skips: Skips; source: 'library' | 'request' } {
  const spec = METHODS[method];
  const d = spec.defaultSkips(n, opts);
  const reqStart = nonNeg(opts.skip_start);
  const reqEnd = nonNeg(opts.skip_end);
  const skips = { skip_start: reqStart ?? d.skip_start, skip_end: reqEnd ?? d.skip_end };
  const source = reqStart !== undefined || reqEnd !== undefined ? 'request' : 'library';
  const window =
    skips.skip_end === 0 && spec.skipEndZero === 'keep_end'
      ? pySlice(n, skips.skip_start, n)
      : pySlice(n, skips.skip_start, -skips.skip_end);
  return { window, skips, source };
}

function cutIndex(series: readonly number[], w: Window, isBad: (v: number) => boolean): number | null {
  for (let i = w.start; i < w.end; i++) if (isBad(series[i])) return i;
  return null;
}

export function suggest(method: MethodName, curve: RecordedCurve, opts: MethodOptions = {}): MethodPick {
  const spec = METHODS[method];
  const policy: NonFinitePolicy = opts.non_finite ?? 'cut';
  const n = curve.lrs.length;
  const { window: trimmed, skips, source } = trimmedWindow(method, n, opts);
  const base = { method, origin: spec.origin };
  const bad = checkRecordedCurve(curve);
  if (bad) {
    return {
      ...base,
      lr: null,
      index: null,
      reason: `${method}: ${bad}`,
      window: { start: 0, end: 0 },
      trim: { ...skips, source, cut_at: null },
      warnings: [],
    };
  }
  const src = method === 'zero_lag_steepest' && curve.raw_losses !== undefined ? curve.raw_losses : curve.losses;
  const y = src.map(libraryFloat);
  const warnings: CurveWarning[] = [];

  let cut: number | null = null;
  if (method !== 'zero_lag_steepest') {
    if (policy === 'cut') cut = cutIndex(y, trimmed, (v) => !Number.isFinite(v));
    else if (spec.cutsAtNaN) cut = cutIndex(y, trimmed, (v) => Number.isNaN(f32(v)));
  }
  const window = cut === null ? trimmed : { start: trimmed.start, end: cut };
  const trim: AppliedTrim = { ...skips, source, cut_at: cut };

  if (policy === 'library' && method !== 'zero_lag_steepest') {
    let unknown = 0;
    for (let i = window.start; i < window.end; i++) if (src[i] === null) unknown++;
    if (cut !== null && src[cut] === null) unknown++;
    if (unknown > 0) {
      warnings.push({
        code: 'unknown_non_finite_read_as_nan',
        message: `${method}: ${unknown} loss value(s) in its window are null (non-finite, kind unknown) and were read as NaN; send "NaN", "Infinity" or "-Infinity" to reproduce ${spec.origin} exactly`,
      });
    }
  }

  const have = window.end - window.start;
  const need = spec.minPoints(opts);
  if (have < need && method !== 'lightning' && method !== 'lightning_legacy' && method !== 'zero_lag_steepest') {
    const cutMsg = cut !== null ? `, cut before the first non-finite loss at index ${cut}` : '';
    const empty =
      skips.skip_end === 0 && spec.skipEndZero === 'empty'
        ? ` (${spec.origin} slices [${skips.skip_start}:-0], which is empty)`
        : '';
    return {
      ...base,
      lr: null,
      index: null,
      window,
      trim,
      warnings,
      reason:
        `${method} needs at least ${need} point${need === 1 ? '' : 's'} after ${spec.origin} trimming (skip_start ${skips.skip_start}, skip_end ${skips.skip_end}${cutMsg})${empty}, ` +
        `i.e. at least ${skips.skip_start + skips.skip_end + need} recorded points; got ${have} of ${n} (window [${window.start}, ${window.end}))`,
    };
  }

  const r = spec.run(curve.lrs, y, window.start, window.end, opts);
  const s = r.suggestion;
  if (s.lr === null) {
    return { ...base, lr: null, index: null, reason: s.reason, window, trim, warnings };
  }
  const range = r.candidates ?? window;
  if (s.index <= range.start || s.index >= range.end - 1) {
    const first = s.index <= range.start;
    warnings.push({
      code: 'pick_at_window_edge',
      message:
        `the ${method} pick is the ${first ? 'first' : 'last'} point it could choose (index ${s.index}, window [${range.start}, ${range.end})): ` +
        (first
          ? 'the loss may already be falling fastest before it (lower start_lr or skip_start)'
          : 'the curve may not have reached its turning point (raise end_lr or lower skip_end)'),
      iteration: s.index,
    });
  }
  for (
    let i = Math.max(window.start, s.index - 1);
    method !== 'lightning' && i <= Math.min(window.end - 1, s.index + 1);
    i++
  ) {
    if (!Number.isFinite(y[i])) {
      warnings.push({
        code: 'pick_near_non_finite',
        message: `the ${method} pick (index ${s.index}) sits next to a non-finite loss at index ${i}: ${spec.origin}'s arithmetic on NaN/Inf decided it, not the curve`,
        iteration: s.index,
      });
      break;
    }
  }
  if (method === 'lightning') {
    warnings.push({
      code: 'lightning_regressed',
      message:
        'Lightning >= 2.5.3 differentiates the loss in LINEAR learning-rate coordinates (d loss / d lr) while sweeping exponentially, which pulls the pick toward the start of the window (Lightning issue #21141); lightning_legacy is the index-based gradient of Lightning <= 2.5.2',
    });
  }
  if (method === 'lightning_legacy' && (r.dropped ?? 0) > 0) {
    warnings.push({
      code: 'lightning_legacy_offset',
      message: `Lightning <= 2.5.2 removed ${r.dropped} non-finite point(s) before the gradient and then added skip_begin back, so its pick is ${r.dropped} point(s) left of the point the gradient chose (Lightning issue #14248)`,
      iteration: s.index,
    });
  }
  return { ...base, lr: s.lr, index: s.index, window, trim, warnings };
}
