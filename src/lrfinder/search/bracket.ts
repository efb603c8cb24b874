/**
 * What the search takes from the range test: every suggestion method's pick (reported, not used to
 * decide), and the top of the bracket — the LR where the range test diverged. At the user's
 * horizon the best LR lies below it (by 1.5–3 decades in the benchmark), so the screen starts
 * there and goes down.
 *
 * The top: the LR of the range test's last point when it stopped (diverged or non-finite);
 * otherwise (it completed) the first LR past the minimum of the smoothed curve where the smoothed
 * loss rose above 4× its best, or the last LR when it never did.
 */
import { analyzeMethods } from '../analyze.js';
import { emaStep } from '../smoothing.js';
import { METHOD_NAMES, type SuggestionMethodName } from '../suggest/index.js';
import type { RangeTestCurve, RangeTestSummary } from './types.js';
import type { RangeTestOptions } from '../range-test.js';

export interface AnalysisOptions {
  suggestion?: SuggestionMethodName;
  skip_start?: number;
  skip_end?: number;
}

const RISE = 4;

/** torch-lr-finder's EMA over the raw losses, stopping at the first non-finite one (as the range test does). */
export function smoothCurve(losses: readonly (number | null)[], smooth_f: number): (number | null)[] {
  const out: (number | null)[] = [];
  let prev = NaN;
  for (let i = 0; i < losses.length; i++) {
    const l = losses[i];
    if (l === null || !Number.isFinite(l)) {
      out.push(null);
      prev = NaN;
      continue;
    }
    const s = Number.isNaN(prev) ? l : emaStep(prev, l, smooth_f);
    out.push(s);
    prev = s;
  }
  return out;
}

export function checkCurve(c: RangeTestCurve): string | null {
  if (!Array.isArray(c.lrs) || !Array.isArray(c.losses)) return 'lrs and losses must be arrays';
  if (c.lrs.length !== c.losses.length)
    return `lrs and losses differ in length (${c.lrs.length} vs ${c.losses.length})`;
  if (c.lrs.length < 1) return 'the range test has no points';
  for (let i = 0; i < c.lrs.length; i++)
    if (!(c.lrs[i] > 0) || !Number.isFinite(c.lrs[i])) return `lrs[${i}] must be a finite number > 0`;
  if (c.smoothed_losses && c.smoothed_losses.length !== c.lrs.length) return 'smoothed_losses and lrs differ in length';
  return null;
}

export function summarizeCurve(c: RangeTestCurve, opts: RangeTestOptions & AnalysisOptions): RangeTestSummary {
  const lrs = c.lrs.slice();
  const losses = c.losses.map((l) => (l === null || !Number.isFinite(l) ? null : l));
  const smoothed = c.smoothed_losses
    ? c.smoothed_losses.map((l) => (l === null || !Number.isFinite(l) ? null : l))
    : smoothCurve(losses, opts.smooth_f);
  const nonFinite = losses.some((l) => l === null);
  const stop = c.stop_reason ?? (nonFinite ? 'non_finite' : 'completed');
  // every method as a range-test job runs them: its own library's trimming, the window cut before a non-finite loss
  const analysis = analyzeMethods(
    { lrs, losses: smoothed, raw_losses: losses },
    {
      num_it: opts.num_iter,
      suggestion: opts.suggestion,
      skip_start: opts.skip_start,
      skip_end: opts.skip_end,
      methods: METHOD_NAMES,
      non_finite: 'cut',
    },
  );
  const suggestions: RangeTestSummary['suggestions'] = {};
  for (const [m, p] of Object.entries(analysis.suggestions)) {
    if (p)
      suggestions[m as SuggestionMethodName] =
        p.lr === null
          ? { lr: null, index: null, reason: p.reason ?? 'no pick' }
          : { lr: p.lr, index: p.index as number };
  }
  return { lrs, losses, smoothed_losses: smoothed, stop_reason: stop, suggestions, top_lr: topLr(lrs, smoothed, stop) };
}

function topLr(lrs: readonly number[], smoothed: readonly (number | null)[], stop: string): number {
  const last = lrs.length - 1;
  if (stop === 'diverged' || stop === 'non_finite') return lrs[last];
  let best = Infinity,
    bestAt = -1;
  for (let i = 0; i < smoothed.length; i++) {
    const s = smoothed[i];
    if (s !== null && s < best) {
      best = s;
      bestAt = i;
    }
  }
  for (let i = bestAt + 1; i < smoothed.length; i++) {
    const s = smoothed[i];
    if (s === null || (best > 0 && s > RISE * best)) return lrs[i];
  }
  return lrs[last];
}
