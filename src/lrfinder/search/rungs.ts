/**
 * The rung planner: which LRs train for how many steps next — the screen (rung 0), then each
 * later rung's window around the previous rung's best, ties, and the budget fit (./plan.ts).
 */
import { scaleFor } from './confidence.js';
import { latticeLr, STEPS_PER_DECADE } from './lattice.js';
import { laterCost, rungSteps } from './plan.js';
import { candidateAt, finish, fmt, fromSteps, lowestDiverged, metricAt, push, spent, WHY } from './candidates.js';
import { probeReserve } from './horizon.js';
import type { Candidate, CandidateReason, SearchState } from './types.js';
import { minOf } from '../../core/extent.js';

/** how far below the range test's divergence point the search extends at most */
const MAX_DECADES_BELOW = 8;

/** Plans the trials of rung `s.rung` (or finishes when nothing fits the budget). */
export function schedule(s: SearchState): void {
  const o = s.options;
  const K = o.train_steps;
  const plan = o.plan;
  const sp = plan.spacing;
  const rt = s.range_test!;
  // screened LRs sit on the half-decade grid (1, 3.16, 10, …): the top one at or below the divergence point
  const kTop = Math.floor(Math.floor(Math.log10(rt.top_lr) * STEPS_PER_DECADE + 1e-9) / sp) * sp;
  // in priority order: the budget drops from the end
  let ks: number[];
  let reasonOf: (k: number) => [CandidateReason, string];

  if (s.rung === 0) {
    // the highest LRs last: they are the likeliest to diverge
    ks = Array.from({ length: plan.screen }, (_, j) => kTop - (plan.screen - 1 - j) * sp);
    reasonOf = () => ['screen', WHY.screen(fmt(rt.top_lr))];
  } else {
    const prev = rungSteps(plan, s.rung - 1, K);
    const measured = s.candidates.filter((c) => metricAt(c, prev) !== null);
    if (measured.length === 0) {
      // everything diverged: try lower LRs at the same rung
      const low = minOf(s.candidates.map((c) => c.k));
      if (low < kTop - MAX_DECADES_BELOW * STEPS_PER_DECADE) {
        s.warnings.push({
          code: 'all_diverged',
          message: `every LR tried, down to ${fmt(latticeLr(low))}, diverged or went non-finite`,
        });
        finish(s);
        return;
      }
      s.rung -= 1;
      ks = [low - sp, low - 2 * sp, low - 3 * sp];
      reasonOf = () => ['extend_low', WHY.extend_low(`all LRs down to ${fmt(latticeLr(low))} diverged`)];
    } else {
      const m = (c: Candidate): number => metricAt(c, prev)!;
      const best = measured.reduce((a, b) => (m(b) < m(a) || (m(b) === m(a) && b.k < a.k) ? b : a));
      const [left, right] = plan.windows[s.rung - 1];
      const lowest = minOf(s.candidates.map((c) => c.k));
      // the window: alternately one lower / one higher, lower first
      const window: number[] = [];
      for (let j = 1; j <= Math.max(left, right); j++) {
        if (j <= left) window.push(best.k - j * sp);
        if (j <= right) window.push(best.k + j * sp);
      }
      // candidates tied with the best (within plan.tie in the comparison scale) survive too
      const scale = scaleFor(m(best), s.initial_metric, o.tolerance);
      const tie = plan.tie[s.rung - 1] ?? 0;
      const ties = measured
        .filter((c) => c.k !== best.k && !window.includes(c.k) && scale.z(m(c)) - scale.z(m(best)) <= tie)
        .sort((a, b) => m(a) - m(b))
        .map((c) => c.k);
      // priority (the budget drops from the end): the best, window LRs that continue, ties, new window LRs
      const continues = (k: number): boolean => measured.some((c) => c.k === k);
      ks = [best.k, ...window.filter(continues), ...ties, ...window.filter((k) => !continues(k))];
      reasonOf = (k) =>
        k < lowest ? ['extend_low', WHY.extend_low(fmt(latticeLr(k)))] : ['window', WHY.window(String(prev))];
    }
  }
  const divergedK = lowestDiverged(s);
  ks = ks.filter((k) => k < divergedK);
  const steps = rungSteps(plan, s.rung, K);
  const costOf = (list: number[]): number =>
    list.reduce(
      (a, k) =>
        a +
        steps -
        fromSteps(
          s,
          s.candidates.find((c) => c.k === k),
          steps,
        ),
      0,
    );
  const remaining = o.budget_steps - spent(s) - probeReserve(s);
  // fit the budget, worst case (no early stops): first leave room for the later rungs down to a
  // minimum width, then fit this rung alone
  const minWidth = s.rung === 0 ? 4 : 2;
  const later = laterCost(plan, s.rung, K, o.resumable, plan.reserve);
  while (ks.length > minWidth && costOf(ks) + later > remaining) ks = ks.slice(0, -1);
  while (ks.length > 1 && costOf(ks) > remaining) ks = ks.slice(0, -1);
  if (ks.length === 0 || costOf(ks) > remaining) {
    s.warnings.push({
      code: 'budget_exhausted',
      message: `budget_steps (${o.budget_steps}) ran out after ${spent(s)} steps, before every planned trial`,
    });
    finish(s);
    return;
  }
  ks.sort((a, b) => a - b);
  // keep the trainer of the LR just below the survivors: the last rung may extend down to it
  const keep = new Set([...ks, ks[0] - sp]);
  s.release = s.candidates.filter((c) => c.open && !keep.has(c.k)).map((c) => c.lr);
  for (const c of s.candidates) if (!keep.has(c.k)) c.open = false;
  for (const k of ks) {
    const [reason, why] = reasonOf(k);
    push(s, candidateAt(s, k, reason, why), steps);
  }
  if (s.pending.length === 0) finish(s);
}
