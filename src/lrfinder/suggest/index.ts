/**
 * The suggestion methods. ./registry.ts lists every method as data (library, default trimming,
 * precision); ./pick.ts runs one on a curve (`suggest`). Requests may name any of them
 * (SUGGESTION_METHOD_NAMES = METHOD_NAMES). This file also keeps the v1 view of `analyzeCurve`:
 * six methods (V1_METHOD_NAMES) with fastai's and torch-lr-finder's trimming options set
 * separately (TrimOptions) and a non-finite loss cutting each window.
 */
import type { TrimOptions, Window } from '../trim.js';
import { minimum } from './minimum.js';
import { suggest, type MethodOptions, type MethodPick, type RecordedCurve } from './pick.js';
import { METHOD_NAMES, type MethodName } from './registry.js';
import { slide, type SlideOptions } from './slide.js';
import { steep } from './steep.js';
import { steepest } from './steepest.js';
import type { Suggestion } from './types.js';
import { valley } from './valley.js';
import { zeroLagSteepest } from './zero-lag-steepest.js';

export type { Suggestion } from './types.js';
export { minimum, steep, valley, slide, steepest, zeroLagSteepest };
export * from './registry.js';
export * from './pick.js';
export { lightningSuggestion, lightningLegacySuggestion } from './lightning.js';
export { kerasSma, kerasDerivatives } from './keras-sma.js';
export { igniteSuggestion } from './ignite.js';

/** The methods a request may name (`suggestion`, `methods`): every method of ./registry.ts. */
export const SUGGESTION_METHOD_NAMES = METHOD_NAMES;
export type SuggestionMethodName = MethodName;

/** `analyzeCurve`'s methods (the v1 set, with its v1 trimming options). */
export const V1_METHOD_NAMES = Object.freeze([
  'minimum',
  'steep',
  'valley',
  'slide',
  'steepest',
  'zero_lag_steepest',
] as const);
export type V1MethodName = (typeof V1_METHOD_NAMES)[number];
export type SuggestionOrigin = 'fastai' | 'torch-lr-finder' | 'lr-finder';

export type SuggestionCurve = RecordedCurve;

export interface SuggestionMethod {
  name: V1MethodName;
  origin: SuggestionOrigin;
  /** the part of the curve the method reads (after trimming and the cut at a non-finite loss) */
  window(curve: SuggestionCurve, trim?: TrimOptions): Window;
  suggest(curve: SuggestionCurve, trim?: TrimOptions, opts?: { slide?: SlideOptions }): Suggestion;
  /** the full pick: window, trimming applied, warnings */
  pick(curve: SuggestionCurve, trim?: TrimOptions, opts?: { slide?: SlideOptions }): MethodPick;
}

/** v1 trimming options → the method's options. */
function v1Options(name: V1MethodName, trim: TrimOptions = {}, opts: { slide?: SlideOptions } = {}): MethodOptions {
  if (name === 'steepest' || name === 'zero_lag_steepest')
    return { skip_start: trim.skip_start, skip_end: trim.skip_end, non_finite: 'cut' };
  return {
    skip_start: trim.fastai_skip_start,
    skip_end: trim.fastai_skip_end,
    num_it: trim.num_it,
    slide: opts.slide,
    non_finite: 'cut',
  };
}

function v1(name: V1MethodName, origin: SuggestionOrigin): SuggestionMethod {
  return {
    name,
    origin,
    window: (c, trim) => suggest(name as MethodName, c, v1Options(name, trim)).window,
    pick: (c, trim, opts) => suggest(name as MethodName, c, v1Options(name, trim, opts)),
    suggest(c, trim, opts) {
      const p = suggest(name as MethodName, c, v1Options(name, trim, opts));
      return p.lr === null
        ? { lr: null, index: null, reason: p.reason ?? `${name}: no suggestion` }
        : { lr: p.lr, index: p.index as number };
    },
  };
}

export { checkRecordedCurve as checkCurve } from './pick.js';

export const SUGGESTION_METHODS: Readonly<Record<V1MethodName, SuggestionMethod>> = Object.freeze({
  minimum: v1('minimum', 'fastai'),
  steep: v1('steep', 'fastai'),
  valley: v1('valley', 'fastai'),
  slide: v1('slide', 'fastai'),
  steepest: v1('steepest', 'torch-lr-finder'),
  zero_lag_steepest: v1('zero_lag_steepest', 'lr-finder'),
});

export function isSuggestionMethodName(x: string): x is SuggestionMethodName {
  return (SUGGESTION_METHOD_NAMES as readonly string[]).includes(x);
}

export function isV1MethodName(x: string): x is V1MethodName {
  return (V1_METHOD_NAMES as readonly string[]).includes(x);
}
