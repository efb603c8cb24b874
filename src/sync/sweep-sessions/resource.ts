/**
 * What the sweep-session routes answer and how a report changes a session (pure): the request
 * resolved as torch-lr-finder's arguments, the session resource and the short report, and the
 * application of loss reports (idempotent re-sends, 409 on conflicts and gaps). The numbers come
 * from src/lrfinder/session.ts (rangeTest's EMA and stop rule, analyzeRangeTest).
 */
import type { Limits } from '../../config.js';
import { invalid, ProblemError } from '../../contracts/problems.js';
import { resolveSweep, type ResolvedSweep } from '../../contracts/resolve.js';
import { lrPlan } from '../../lrfinder/lr-plan.js';
import { checkSweepOptions, sweepNext, sweepPoints, sweepResult, sweepStep, sweepStop } from '../../lrfinder/session.js';
import type { SweepLossesRequest, SweepLossReport, SweepSessionRequest } from './contract.js';
import type { SweepDoc } from './store.js';

/** The sessions' path: resources link to it, conflicts point the client at it. */
export const BASE = '/v1/sweep-sessions';

/** torch-lr-finder's arguments resolved as for a range test, then checked by the session state machine. */
export function resolveSweepSession(b: SweepSessionRequest, limits: Limits): ResolvedSweep {
  const r = resolveSweep(b, limits);
  try {
    checkSweepOptions(r);
  } catch (err) {
    throw invalid('/', (err as Error).message);
  }
  return r;
}

const links = (id: string) => ({ self: `${BASE}/${id}`, losses: `${BASE}/${id}/losses`, stop: `${BASE}/${id}/stop` });
const statusOf = (doc: SweepDoc) => (doc.state.stop_reason === null ? 'running' : 'stopped');

export function sessionResource(doc: SweepDoc) {
  const opts = doc.request;
  const points = sweepPoints(doc.state, opts);
  let best: (typeof points)[number] | null = null;
  for (const p of points) if (p.smoothed_loss !== null && (best === null || p.smoothed_loss < (best.smoothed_loss as number))) best = p;
  return {
    id: doc.id,
    status: statusOf(doc),
    created_at: doc.created_at,
    updated_at: doc.updated_at,
    request: doc.request,
    lrs_planned: lrPlan(opts.start_lr, opts.end_lr, opts.num_iter, opts.step_mode),
    iterations: points.length,
    next: sweepNext(doc.state, opts),
    lrs: points.map((p) => p.lr),
    losses: doc.state.losses,
    smoothed_losses: doc.state.smoothed_losses,
    best_lr: best?.lr ?? null,
    best_loss: best?.smoothed_loss ?? null,
    stop_reason: doc.state.stop_reason,
    result: doc.result,
    links: links(doc.id),
  };
}

export function sessionReport(doc: SweepDoc, ignored = 0) {
  const n = doc.state.losses.length;
  const opts = doc.request;
  const last = n === 0 ? null : sweepPoints({ ...doc.state }, opts)[n - 1];
  return {
    id: doc.id,
    status: statusOf(doc),
    iterations: n,
    next: sweepNext(doc.state, opts),
    last: last && { iteration: last.iteration, lr: last.lr, loss: last.loss, smoothed_loss: last.smoothed_loss },
    stop_reason: doc.state.stop_reason,
    result: doc.result,
    ignored,
    links: links(doc.id),
  };
}

function conflict(code: string, pointer: string, detail: string): ProblemError {
  return new ProblemError(409, code, 'Conflict', `${pointer}: ${detail}`, [{ pointer, detail }]);
}

const sameLoss = (a: number | null, b: number | null) => a === b;

/**
 * Applies reports in order. A report of a recorded iteration with the same loss is a no-op (a
 * retried request); with another loss, or a gap: 409. Reports that follow the stopping point in the
 * same request are not recorded (`ignored`: a batch, or its retry, may run past the stop); a request
 * that starts after the stop is a 409. Returns the same doc when nothing changed.
 */
export function applyReports(doc: SweepDoc, items: SweepLossReport[], pointerOf: (k: number) => string, now: Date): { doc: SweepDoc; ignored: number } {
  let state = doc.state;
  const opts = doc.request;
  // did this request reach the stopping point (recorded it now, or re-sent it)? Then what follows it is ignored
  let reachedStop = false;
  let ignored = 0;
  for (let k = 0; k < items.length; k++) {
    const { iteration, loss } = items[k];
    const n = state.losses.length;
    if (iteration < n) {
      if (!sameLoss(state.losses[iteration], loss)) {
        throw conflict('loss_conflict', `${pointerOf(k)}/loss`,
          `iteration ${iteration} was already recorded with loss ${String(state.losses[iteration])}, not ${String(loss)}; the next expected iteration is ${state.stop_reason === null ? n : 'none (the session stopped)'}`);
      }
      if (iteration === n - 1) reachedStop = true;
      continue;
    }
    if (state.stop_reason !== null) {
      if (reachedStop) { ignored = items.length - k; break; }
      throw conflict('session_stopped', `${pointerOf(k)}/iteration`,
        `the session stopped (${state.stop_reason}) after ${n} iterations; nothing more is recorded (GET ${BASE}/${doc.id} for the result)`);
    }
    if (iteration > n) {
      throw conflict('out_of_order', `${pointerOf(k)}/iteration`, `expected iteration ${n} (losses must arrive in order), got ${iteration}`);
    }
    state = sweepStep(state, opts, loss);
    reachedStop = true;
  }
  if (state === doc.state) return { doc, ignored };
  return { doc: finish({ ...doc, state, updated_at: now.toISOString() }), ignored };
}

function finish(doc: SweepDoc): SweepDoc {
  if (doc.state.stop_reason === null || doc.result !== null) return doc;
  return { ...doc, result: sweepResult(doc.state, doc.request) };
}

/** `{iteration, loss}` or `{losses: [...]}`, never both, never half of the first. */
export function reportsOf(b: SweepLossesRequest): SweepLossReport[] {
  if (b.losses !== undefined) {
    if (b.iteration !== undefined) throw invalid('/iteration', 'send either {iteration, loss} or a batch {losses: [...]}, not both');
    if (b.loss !== undefined) throw invalid('/loss', 'send either {iteration, loss} or a batch {losses: [...]}, not both');
    return b.losses;
  }
  if (b.iteration === undefined) throw invalid('/iteration', 'is required (or send a batch as {losses: [{iteration, loss}, ...]})');
  if (b.loss === undefined) throw invalid('/loss', 'is required: the loss of the step, null when it was NaN/Inf');
  return [{ iteration: b.iteration, loss: b.loss }];
}

/** POST .../stop: the session stopped by the client (stop_reason stopped_by_client) with its result; a stopped one unchanged. */
export function stopSession(doc: SweepDoc, now: Date): SweepDoc {
  if (doc.state.stop_reason !== null) return doc;
  return finish({ ...doc, state: sweepStop(doc.state), updated_at: now.toISOString() });
}
