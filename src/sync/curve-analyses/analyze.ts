/**
 * A curve analysis request answered (pure): the checks its schema cannot express, then every
 * requested method on the recorded curve (analyzeMethods), or the emulated library's whole
 * pipeline on raw losses (emulate). Picks are the caller's own LRs (float64), `minimum` exactly
 * lrs[i] / 10; with `emulate` and no `lrs`, the library's own planned LRs.
 */
import { resolveEmulate } from '../../contracts/emulate.js';
import { wireEmulation, wirePicks, wireSuggestion, wireWarning } from '../../contracts/picks.js';
import { invalid, limitExceeded } from '../../contracts/problems.js';
import { analyzeMethods, decodeLoss, emulate, METHOD_NAMES, type MethodPick } from '../../lrfinder/index.js';
import type { CurveAnalysisRequest, CurveAnalysisResult } from './contract.js';

/** Shape checks the schema cannot express; throws 400 problems naming the field. */
export function checkCurveRequest(b: CurveAnalysisRequest, limitPoints: number): void {
  if (b.lrs !== undefined && b.lrs.length > limitPoints)
    throw limitExceeded('/lrs', 'the number of points', b.lrs.length, limitPoints, 'LIMIT_NUM_ITER');
  if (b.losses.length > limitPoints)
    throw limitExceeded('/losses', 'the number of points', b.losses.length, limitPoints, 'LIMIT_NUM_ITER');
  if (b.lrs === undefined) {
    if (b.emulate === undefined)
      throw invalid(
        '/lrs',
        'is required: the LR of each loss (or send raw losses with `emulate`, whose LR plan gives them)',
      );
    return;
  }
  if (b.losses.length !== b.lrs.length) {
    throw invalid('/losses', `must have one loss per LR: ${b.losses.length} losses for ${b.lrs.length} lrs`);
  }
  for (let i = 1; i < b.lrs.length; i++) {
    if (!(b.lrs[i] > b.lrs[i - 1])) {
      throw invalid(
        `/lrs/${i}`,
        `lrs must be strictly increasing: lrs[${i}] = ${b.lrs[i]} is not above lrs[${i - 1}] = ${b.lrs[i - 1]}`,
      );
    }
  }
}

const windowsOf = (ps: Record<string, MethodPick | undefined>) => {
  const out: Record<string, { start: number; end: number }> = {};
  for (const [m, p] of Object.entries(ps)) if (p) out[m] = { start: p.window.start, end: p.window.end };
  return out;
};

/** The analysis of a validated body, at most `limitPoints` points (LIMIT_NUM_ITER); throws 400 problems. */
export function analyzeCurveRequest(b: CurveAnalysisRequest, limitPoints: number): CurveAnalysisResult {
  checkCurveRequest(b, limitPoints);
  const losses = b.losses.map(decodeLoss);
  const analysis = {
    suggestion: b.suggestion,
    methods: b.methods ?? METHOD_NAMES,
    skip_start: b.skip_start,
    skip_end: b.skip_end,
    sma: b.sma,
    slide: b.slide,
  };

  if (b.emulate === undefined) {
    const a = analyzeMethods(
      { lrs: b.lrs as number[], losses },
      { ...analysis, num_it: b.num_iter, non_finite: b.non_finite ?? 'library' },
    );
    return {
      suggested_lr: a.suggested_lr,
      suggestion: wireSuggestion(a.suggestion),
      suggestions: wirePicks(a.suggestions),
      windows: windowsOf(a.suggestions),
      warnings: a.warnings.map(wireWarning),
    };
  }

  if (b.non_finite === 'cut') {
    throw invalid(
      '/non_finite',
      'with `emulate` every loss is read as the library reads it (non_finite "library"): a cut would not be the library\'s answer',
    );
  }
  const em = resolveEmulate(b.emulate, { pointer: '/emulate', fill: { num_iter: b.num_iter } });
  const r = emulate(em.resolved.library, losses, { ...em.options, lrs: b.lrs }, analysis);
  const s = r.suggestion;
  const warnings = [...r.warnings, ...s.warnings];
  if (s.lr === null) warnings.push({ code: 'no_suggestion', message: `no ${s.method} suggestion: ${s.reason}` });
  return {
    suggested_lr: s.lr,
    suggestion: wireSuggestion(s),
    suggestions: wirePicks(r.suggestions),
    windows: windowsOf(r.suggestions),
    emulation: wireEmulation(r),
    warnings: warnings.map(wireWarning),
  };
}
