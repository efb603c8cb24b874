/**
 * Sweep sessions: an LR range test driven by the client's own training loop.
 *   POST /v1/sweep-sessions              plan (201 + Location): next = {iteration: 0, lr: start_lr}
 *   POST /v1/sweep-sessions/{id}/losses  report {iteration, loss} (or a batch) → running + next, or stopped + result
 *   GET  /v1/sweep-sessions/{id}         the session: points so far, next, result once stopped
 *   POST /v1/sweep-sessions/{id}/stop    end early; the result on the points so far
 * The numbers come from src/lrfinder/session.ts (rangeTest's EMA and stop rule, analyzeRangeTest).
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config, Limits } from '../../config.js';
import { JobParams, problemResponses } from '../../contracts/common.js';
import { invalid, limitExceeded, notFound, ProblemError } from '../../contracts/problems.js';
import type { SweepLossesRequest, SweepLossReport, SweepSessionRequest } from '../../sync/sweep-sessions/contract.js';
import {
  checkSweepOptions, newSweep, sweepNext, sweepPoints, sweepResult, sweepStep, sweepStop,
} from '../../lrfinder/session.js';
import { lrPlan } from '../../lrfinder/lr-plan.js';
import { resolveSweep, type ResolvedSweep } from '../../contracts/resolve.js';
import { SweepSessionStore, type SweepDoc } from '../../sync/sweep-sessions/store.js';

const BASE = '/v1/sweep-sessions';

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
function applyReports(doc: SweepDoc, items: SweepLossReport[], pointerOf: (k: number) => string, now: Date): { doc: SweepDoc; ignored: number } {
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
function reportsOf(b: SweepLossesRequest): SweepLossReport[] {
  if (b.losses !== undefined) {
    if (b.iteration !== undefined) throw invalid('/iteration', 'send either {iteration, loss} or a batch {losses: [...]}, not both');
    if (b.loss !== undefined) throw invalid('/loss', 'send either {iteration, loss} or a batch {losses: [...]}, not both');
    return b.losses;
  }
  if (b.iteration === undefined) throw invalid('/iteration', 'is required (or send a batch as {losses: [{iteration, loss}, ...]})');
  if (b.loss === undefined) throw invalid('/loss', 'is required: the loss of the step, null when it was NaN/Inf');
  return [{ iteration: b.iteration, loss: b.loss }];
}

const sessionNotFound = (id: string) => notFound(`no sweep session ${id} (it may have expired)`);

export function sweepSessionRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  const store = new SweepSessionStore(app.jobs.redis, { prefix: config.queuePrefix, ttlSeconds: config.resultTtlSeconds });
  const tags = ['sweep-sessions'];

  app.post(BASE, {
    schema: {
      tags,
      summary: 'Start an LR range test in your own training loop',
      description:
        'The service plans the LRs exactly as torch-lr-finder (`start_lr` → `end_lr` over `num_iter` steps, `exp` or `linear`). ' +
        'Loop: set the optimizer\'s LR to `next.lr`, train one minibatch, POST its loss to `links.losses` as `{iteration, loss}`; ' +
        'the answer has the next LR, or `status: "stopped"` with the suggestion (torch-lr-finder\'s EMA and stop rule, every suggestion method). ' +
        `At most ${config.limits.numIter} iterations (LIMIT_NUM_ITER). Sessions expire RESULT_TTL_S after their last update.`,
      body: Type.Ref('SweepSessionRequest'),
      response: { 201: Type.Ref('SweepSession'), ...problemResponses(400, 401, 413, 415, 503) },
    },
  }, async (req: FastifyRequest<{ Body: SweepSessionRequest }>, reply: FastifyReply) => {
    const request = resolveSweepSession(req.body, config.limits);
    const doc = await store.create(request, newSweep(), req.owner);
    return reply.code(201).header('location', `${BASE}/${doc.id}`).send(sessionResource(doc));
  });

  app.post(`${BASE}/:id/losses`, {
    schema: {
      tags,
      summary: 'Report the loss of the step trained at next.lr',
      description:
        '`{iteration, loss}` or a batch `{losses: [{iteration, loss}, ...]}`, in order; `loss: null` for NaN/Inf (stops the session, ' +
        '`non_finite`). Re-sending a recorded point with the same loss is harmless (same answer); another loss for it, or a skipped ' +
        'iteration, is a 409 naming the expected iteration. Reports of a batch after its stopping point are not recorded (`ignored`).',
      params: JobParams,
      body: Type.Ref('SweepLossesRequest'),
      response: { 200: Type.Ref('SweepSessionReport'), ...problemResponses(400, 401, 404, 409, 413, 415, 503) },
    },
  }, async (req: FastifyRequest<{ Params: { id: string }; Body: SweepLossesRequest }>) => {
    const items = reportsOf(req.body);
    const batch = req.body.losses !== undefined;
    if (items.length > config.limits.numIter) {
      throw limitExceeded('/losses', 'the number of reports', items.length, config.limits.numIter, 'LIMIT_NUM_ITER');
    }
    const pointerOf = (k: number) => (batch ? `/losses/${k}` : '');
    let ignored = 0;
    const now = new Date();
    const doc = await store.update(req.params.id, req.owner, (cur) => {
      const r = applyReports(cur, items, pointerOf, now);
      ignored = r.ignored;
      return r.doc;
    });
    if (!doc) throw sessionNotFound(req.params.id);
    return sessionReport(doc, ignored);
  });

  app.get(`${BASE}/:id`, {
    schema: {
      tags,
      summary: 'Get a sweep session: the points so far, next, the result once stopped',
      params: JobParams,
      response: { 200: Type.Ref('SweepSession'), ...problemResponses(400, 401, 404, 503) },
    },
  }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const doc = await store.get(req.params.id, req.owner);
    if (!doc) throw sessionNotFound(req.params.id);
    return sessionResource(doc);
  });

  app.post(`${BASE}/:id/stop`, {
    schema: {
      tags,
      summary: 'End a sweep session early and get the result on the points so far',
      description: 'stop_reason `stopped_by_client`. Stopping a stopped session returns it unchanged.',
      params: JobParams,
      response: { 200: Type.Ref('SweepSessionReport'), ...problemResponses(400, 401, 404, 503) },
    },
  }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const now = new Date();
    const doc = await store.update(req.params.id, req.owner, (cur) => {
      if (cur.state.stop_reason !== null) return cur;
      return finish({ ...cur, state: sweepStop(cur.state), updated_at: now.toISOString() });
    });
    if (!doc) throw sessionNotFound(req.params.id);
    return sessionReport(doc);
  });
}
