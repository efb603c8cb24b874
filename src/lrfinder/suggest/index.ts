/**
 * The suggestion methods by name. Each entry applies its origin's trimming (../trim.ts) to a
 * recorded curve and returns {lr, index} with `index` into the ORIGINAL arrays, or
 * {lr: null, index: null, reason}. Never throws, never returns NaN.
 *
 * | name              | origin           | sees                                                   |
 * |-------------------|------------------|--------------------------------------------------------|
 * | minimum           | fastai           | `losses`, fastai window [num_it//10 : -5], cut at null |
 * | steep             | fastai           | same                                                   |
 * | valley            | fastai           | same (fastai's default)                                |
 * | slide             | fastai           | same                                                   |
 * | steepest          | torch-lr-finder  | `losses`, [skip_start : -skip_end] (10/5), cut at null |
 * | zero_lag_steepest | lr-finder (ours) | `raw_losses` if given else `losses`, every finite point|
 */
import { fastaiSkips, fastaiWindow, torchSkips, torchWindow, type Skips, type TrimOptions, type Window } from '../trim.js';
import { minimum } from './minimum.js';
import { slide, SLIDE_DEFAULTS, type SlideOptions } from './slide.js';
import { steep } from './steep.js';
import { steepest } from './steepest.js';
import { noSuggestion, type Suggestion } from './types.js';
import { valley } from './valley.js';
import { zeroLagSteepest } from './zero-lag-steepest.js';

export type { Suggestion } from './types.js';
export { minimum, steep, valley, slide, steepest, zeroLagSteepest };

export type SuggestionMethodName = 'minimum' | 'steep' | 'valley' | 'slide' | 'steepest' | 'zero_lag_steepest';
export type SuggestionOrigin = 'fastai' | 'torch-lr-finder' | 'lr-finder';

export interface SuggestionCurve {
  lrs: readonly number[];
  /** the recorded (smoothed) series, null where non-finite */
  losses: readonly (number | null)[];
  /** the raw series, when known (only zero_lag_steepest uses it) */
  raw_losses?: readonly (number | null)[];
}

export interface SuggestionMethod {
  name: SuggestionMethodName;
  origin: SuggestionOrigin;
  /** the part of the curve the method reads */
  window(curve: SuggestionCurve, trim?: TrimOptions): Window;
  suggest(curve: SuggestionCurve, trim?: TrimOptions, opts?: { slide?: SlideOptions }): Suggestion;
}

function windowed(
  name: SuggestionMethodName,
  origin: SuggestionOrigin,
  windowOf: (losses: readonly (number | null)[], trim?: TrimOptions) => Window,
  skipsOf: (n: number, trim?: TrimOptions) => Skips,
  minPoints: (opts?: { slide?: SlideOptions }) => number,
  fn: (lrs: number[], losses: number[], opts?: { slide?: SlideOptions }) => Suggestion,
): SuggestionMethod {
  const window = (c: SuggestionCurve, trim?: TrimOptions): Window => windowOf(c.losses, trim);
  return {
    name,
    origin,
    window,
    suggest(c, trim, opts) {
      const bad = checkCurve(c);
      if (bad) return noSuggestion(`${name}: ${bad}`);
      const n = c.losses.length;
      const w = window(c, trim);
      const have = w.end - w.start;
      const need = minPoints(opts);
      if (have < need) {
        const k = skipsOf(n, trim);
        const total = k.skip_start + k.skip_end + need;
        const uncutEnd = k.skip_end === 0 ? n : n - k.skip_end;
        const cut = w.end < uncutEnd ? `, cut before the first non-finite loss at index ${w.end}` : '';
        return noSuggestion(
          `${name} needs at least ${need} point${need === 1 ? '' : 's'} after ${origin} trimming (skip_start ${k.skip_start}, skip_end ${k.skip_end}${cut}), ` +
          `i.e. at least ${total} recorded points; got ${have} of ${n} (window [${w.start}, ${w.end}))`,
        );
      }
      const s = fn(c.lrs.slice(w.start, w.end), c.losses.slice(w.start, w.end) as number[], opts); // no null inside
      return s.lr === null ? s : { lr: s.lr, index: s.index + w.start };
    },
  };
}

/** Shape problems common to every method; null when fine. */
export function checkCurve(c: SuggestionCurve): string | null {
  if (c.lrs.length !== c.losses.length) return `lrs and losses differ in length (${c.lrs.length} vs ${c.losses.length})`;
  if (c.raw_losses !== undefined && c.raw_losses.length !== c.lrs.length) return `raw_losses and lrs differ in length (${c.raw_losses.length} vs ${c.lrs.length})`;
  for (let i = 0; i < c.lrs.length; i++) {
    const lr = c.lrs[i];
    if (!(lr > 0) || !Number.isFinite(lr)) return `lrs[${i}] must be a finite number > 0, got ${lr}`;
  }
  return null;
}

export const SUGGESTION_METHODS: Readonly<Record<SuggestionMethodName, SuggestionMethod>> = Object.freeze({
  minimum: windowed('minimum', 'fastai', fastaiWindow, fastaiSkips, () => 1, (l, y) => minimum(l, y)),
  steep: windowed('steep', 'fastai', fastaiWindow, fastaiSkips, () => 2, (l, y) => steep(l, y)),
  valley: windowed('valley', 'fastai', fastaiWindow, fastaiSkips, () => 1, (l, y) => valley(l, y)),
  slide: windowed('slide', 'fastai', fastaiWindow, fastaiSkips,
    (o) => Math.max(2, (o?.slide?.lr_diff ?? SLIDE_DEFAULTS.lr_diff) + 1), (l, y, o) => slide(l, y, o?.slide)),
  steepest: windowed('steepest', 'torch-lr-finder', torchWindow, torchSkips, () => 2, (l, y) => steepest(l, y)),
  zero_lag_steepest: {
    name: 'zero_lag_steepest',
    origin: 'lr-finder',
    window: (c: SuggestionCurve): Window => ({ start: 0, end: c.lrs.length }),
    suggest(c: SuggestionCurve): Suggestion {
      const bad = checkCurve(c);
      if (bad) return noSuggestion(`zero_lag_steepest: ${bad}`);
      return zeroLagSteepest(c.lrs, c.raw_losses ?? c.losses);
    },
  },
});

export const SUGGESTION_METHOD_NAMES = Object.freeze(Object.keys(SUGGESTION_METHODS) as SuggestionMethodName[]);

export function isSuggestionMethodName(x: string): x is SuggestionMethodName {
  return Object.prototype.hasOwnProperty.call(SUGGESTION_METHODS, x);
}
