/**
 * What the sweep-session routes answer and how a report changes a session (pure): the session
 * resource and the short report, and the application of reports (idempotent re-sends, 409 on
 * conflicts and gaps). The numbers come from src/lrfinder/session.ts (the service's pipeline, or
 * the emulated library's).
 *
 * `iteration` numbers reports, skipped ones included: a retried report is recognised by its
 * number, and two skips in a row are two reports. In the service's pipeline a skipped report is
 * not a point, so a point's index in `lrs` can be below its report's iteration; in an emulating
 * session every report is a point.
 */
import { wireEmulation, wirePicks, wireSuggestion, wireWarning } from '../../contracts/picks.js';
import { invalid, ProblemError } from '../../contracts/problems.js';
import { appliedLrs, emulationLimit } from '../../lrfinder/emulate/index.js';
import { decodeLoss, encodeLoss, loadLoss, type LossValue } from '../../lrfinder/losses.js';
import { lrPlan } from '../../lrfinder/lr-plan.js';
import {
  reportsOf,
  sweepEmulation,
  sweepNext,
  sweepPoints,
  sweepReport,
  sweepResult,
  sweepStop,
  type SweepResult,
  type SweepState,
} from '../../lrfinder/session.js';
import type { SweepLossesRequest, SweepLossReport, SweepSessionResultWire } from './contract.js';
import { sweepOptionsOf, type ResolvedSweepSession } from './request.js';
import type { SweepDoc } from './store.js';

/** The sessions' path: resources link to it, conflicts point the client at it. */
export const BASE = '/v1/sweep-sessions';

const links = (id: string) => ({
  self: `${BASE}/${id}`,
  losses: `${BASE}/${id}/losses`,
  stop: `${BASE}/${id}/stop`,
  plot: `${BASE}/${id}/plot.svg`,
});
const statusOf = (doc: SweepDoc) => (doc.state.stop_reason === null ? 'running' : 'stopped');
const emulating = (s: SweepState) => s.emulation !== undefined;

/** The report number of each recorded point. */
function pointIterations(s: SweepState): number[] {
  if (emulating(s) || !s.skipped || s.skipped.length === 0) return s.losses.map((_, i) => i);
  const skipped = new Set(s.skipped);
  const out: number[] = [];
  for (let it = 0; it < reportsOf(s); it++) if (!skipped.has(it)) out.push(it);
  return out;
}

/** The whole plan: the LR each point is trained at (the library's, when emulating). */
export function plannedLrs(r: ResolvedSweepSession): number[] {
  const e = sweepEmulation(sweepOptionsOf(r));
  if (e === null) return lrPlan(r.start_lr, r.end_lr, r.num_iter, r.step_mode);
  return appliedLrs(e, emulationLimit(e) as number);
}

/** The stored result; one stored before picks carried their window and trimming is recomputed from the state. */
export function resultOf(doc: SweepDoc): SweepDoc['result'] {
  const r = doc.result;
  if (r === null || Object.values(r.suggestions).every((p) => p && 'trim' in p)) return r;
  return wireSweepResult(sweepResult(doc.state, sweepOptionsOf(doc.request)));
}

export function sessionResource(doc: SweepDoc) {
  const opts = sweepOptionsOf(doc.request);
  const points = sweepPoints(doc.state, opts);
  let best: (typeof points)[number] | null = null;
  for (const p of points)
    if (p.smoothed_loss !== null && (best === null || p.smoothed_loss < (best.smoothed_loss as number))) best = p;
  return {
    id: doc.id,
    status: statusOf(doc),
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    request: doc.request,
    lrs_planned: plannedLrs(doc.request),
    iterations: points.length,
    reports: reportsOf(doc.state),
    skipped: [...(doc.state.skipped ?? [])],
    next: sweepNext(doc.state, opts),
    lrs: points.map((p) => p.lr),
    losses: points.map((p) => p.loss),
    smoothed_losses: points.map((p) => p.smoothed_loss),
    best_lr: best?.lr ?? null,
    best_loss: best?.smoothed_loss ?? null,
    stop_reason: doc.state.stop_reason,
    result: resultOf(doc),
    links: links(doc.id),
  };
}

export function sessionReport(doc: SweepDoc, ignored = 0) {
  const n = doc.state.losses.length;
  const opts = sweepOptionsOf(doc.request);
  const last = n === 0 ? null : sweepPoints(doc.state, opts)[n - 1];
  return {
    id: doc.id,
    status: statusOf(doc),
    iterations: n,
    reports: reportsOf(doc.state),
    next: sweepNext(doc.state, opts),
    last: last && {
      iteration: pointIterations(doc.state)[n - 1],
      lr: last.lr,
      loss: last.loss,
      smoothed_loss: last.smoothed_loss,
    },
    stop_reason: doc.state.stop_reason,
    result: resultOf(doc),
    ignored,
    links: links(doc.id),
  };
}

function conflict(code: string, pointer: string, detail: string): ProblemError {
  return new ProblemError(409, code, 'Conflict', `${pointer}: ${detail}`, [{ pointer, detail }]);
}

/** One report as the state machine reads it. */
interface Report {
  iteration: number;
  skipped: boolean;
  /** undefined: not sent (a skipped report of the service's pipeline) */
  loss: LossValue | undefined;
}

/** What report `it` (< reports) was: skipped or not, and its loss as stored (the service's pipeline keeps non-finite
 * losses as null). */
function recorded(s: SweepState, it: number): { skipped: boolean; loss: LossValue | undefined } {
  const skipped = s.skipped?.includes(it) ?? false;
  if (emulating(s)) return { skipped, loss: loadLoss(s.emulation!.raw_losses[it]) };
  if (skipped) return { skipped, loss: undefined };
  const before = (s.skipped ?? []).filter((k) => k < it).length;
  return { skipped, loss: s.losses[it - before] };
}

const show = (v: LossValue | undefined) => (v === undefined ? 'none' : JSON.stringify(encodeLoss(v)));

/** A re-sent report equals the recorded one (the service's pipeline stores every non-finite loss as null). */
function sameReport(s: SweepState, was: { skipped: boolean; loss: LossValue | undefined }, r: Report): boolean {
  if (was.skipped !== r.skipped) return false;
  if (!emulating(s)) {
    if (r.skipped) return true;
    if (was.loss === null) return r.loss === null || (typeof r.loss === 'number' && !Number.isFinite(r.loss));
    return r.loss === was.loss;
  }
  return r.loss !== undefined && was.loss !== undefined && encodeLoss(r.loss) === encodeLoss(was.loss);
}

/**
 * Applies reports in order. A report of a recorded iteration equal to the recorded one is a no-op
 * (a retried request); a different one, or a gap: 409. Reports that follow the stopping point in
 * the same request are not recorded (`ignored`: a batch, or its retry, may run past the stop); a
 * request that starts after the stop is a 409. Returns the same doc when nothing changed.
 */
export function applyReports(
  doc: SweepDoc,
  items: SweepLossReport[],
  pointerOf: (k: number) => string,
  now: Date,
): { doc: SweepDoc; ignored: number } {
  let state = doc.state;
  const opts = sweepOptionsOf(doc.request);
  const library = doc.request.emulate?.library;
  // did this request reach the stopping point (recorded it now, or re-sent it)? Then what follows it is ignored
  let reachedStop = false;
  let ignored = 0;
  for (let k = 0; k < items.length; k++) {
    const report: Report = {
      iteration: items[k].iteration,
      skipped: items[k].skipped === true,
      loss: items[k].loss === undefined ? undefined : decodeLoss(items[k].loss!),
    };
    if (report.skipped && library !== undefined && report.loss === undefined) {
      throw invalid(
        `${pointerOf(k)}/loss`,
        `is required with skipped: true in a session emulating ${library}: ${library} does not know the GradScaler skipped the step and records its loss like any other`,
      );
    }
    const { iteration } = report;
    const n = reportsOf(state);
    if (iteration < n) {
      const was = recorded(state, iteration);
      if (!sameReport(state, was, report)) {
        throw conflict(
          'loss_conflict',
          `${pointerOf(k)}/${report.skipped !== was.skipped ? 'skipped' : 'loss'}`,
          `iteration ${iteration} was already reported ${was.skipped ? 'as skipped' : 'with'}${was.loss === undefined ? '' : ` loss ${show(was.loss)}`}, ` +
            `not ${report.skipped ? 'as skipped' : 'with'}${report.loss === undefined ? '' : ` loss ${show(report.loss)}`}; ` +
            `the next expected iteration is ${state.stop_reason === null ? n : 'none (the session stopped)'}`,
        );
      }
      if (iteration === n - 1) reachedStop = true;
      continue;
    }
    if (state.stop_reason !== null) {
      if (reachedStop) {
        ignored = items.length - k;
        break;
      }
      throw conflict(
        'session_stopped',
        `${pointerOf(k)}/iteration`,
        `the session stopped (${state.stop_reason}) after ${n} reports; nothing more is recorded (GET ${BASE}/${doc.id} for the result)`,
      );
    }
    if (iteration > n) {
      throw conflict(
        'out_of_order',
        `${pointerOf(k)}/iteration`,
        `expected iteration ${n} (reports must arrive in order), got ${iteration}`,
      );
    }
    state = sweepReport(state, opts, { loss: report.loss, skipped: report.skipped });
    reachedStop = true;
  }
  if (state === doc.state) return { doc, ignored };
  return { doc: finish({ ...doc, state, updated_at: now.toISOString() }), ignored };
}

/** The result on the wire: picks with their windows and trimming, an emulation's losses with NaN / ±Infinity as
 * strings. */
export function wireSweepResult(r: SweepResult): SweepSessionResultWire {
  const out: SweepSessionResultWire = {
    lrs: r.lrs,
    losses: r.losses,
    smoothed_losses: r.smoothed_losses,
    suggested_lr: r.suggested_lr,
    suggestion: wireSuggestion(r.suggestion),
    suggestions: wirePicks(r.suggestions),
    best_lr: r.best_lr,
    best_loss: r.best_loss,
    stop_reason: r.stop_reason,
    iterations: r.iterations,
    warnings: r.warnings.map(wireWarning),
  };
  if (r.reports !== undefined) out.reports = r.reports;
  if (r.skipped !== undefined) out.skipped = r.skipped;
  if (r.param_groups !== undefined) out.param_groups = r.param_groups;
  if (r.emulation !== undefined) out.emulation = wireEmulation(r.emulation);
  return out;
}

function finish(doc: SweepDoc): SweepDoc {
  if (doc.state.stop_reason === null || doc.result !== null) return doc;
  return { ...doc, result: wireSweepResult(sweepResult(doc.state, sweepOptionsOf(doc.request))) };
}

/** `{iteration, loss}` / `{iteration, skipped: true}` or `{losses: [...]}`, never both, never half of the first. */
export function reportsIn(b: SweepLossesRequest): SweepLossReport[] {
  let items: SweepLossReport[];
  if (b.losses !== undefined) {
    if (b.iteration !== undefined)
      throw invalid('/iteration', 'send either {iteration, loss} or a batch {losses: [...]}, not both');
    if (b.loss !== undefined)
      throw invalid('/loss', 'send either {iteration, loss} or a batch {losses: [...]}, not both');
    if (b.skipped !== undefined)
      throw invalid('/skipped', 'send either {iteration, skipped} or a batch {losses: [...]}, not both');
    items = b.losses;
  } else {
    if (b.iteration === undefined)
      throw invalid('/iteration', 'is required (or send a batch as {losses: [{iteration, loss}, ...]})');
    items = [
      {
        iteration: b.iteration,
        ...(b.loss !== undefined ? { loss: b.loss } : {}),
        ...(b.skipped !== undefined ? { skipped: b.skipped } : {}),
      },
    ];
  }
  items.forEach((it, k) => {
    if (it.loss === undefined && it.skipped !== true) {
      throw invalid(
        b.losses !== undefined ? `/losses/${k}/loss` : '/loss',
        'is required: the loss of the step (a number, "NaN", "Infinity", "-Infinity", or null when it was not finite), or skipped: true for a step the GradScaler skipped',
      );
    }
  });
  return items;
}

/** POST .../stop: the session stopped by the client (stop_reason stopped_by_client) with its result; a stopped one
 * unchanged. */
export function stopSession(doc: SweepDoc, now: Date): SweepDoc {
  if (doc.state.stop_reason !== null) return doc;
  return finish({ ...doc, state: sweepStop(doc.state), updated_at: now.toISOString() });
}
