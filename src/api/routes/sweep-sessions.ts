/**
 * Sweep sessions: an LR range test driven by the client's own training loop.
 *   POST /v1/sweep-sessions              plan (201 + Location): next = {iteration: 0, lr: start_lr}
 *   POST /v1/sweep-sessions/{id}/losses  report {iteration, loss} (or a batch) → running + next, or stopped + result
 *   GET  /v1/sweep-sessions/{id}         the session: points so far, next, result once stopped
 *   POST /v1/sweep-sessions/{id}/stop    end early; the result on the points so far
 *   GET  /v1/sweep-sessions/{id}/plot.svg the result as a range-test job's plot (409 while running)
 * What a session is and how reports apply: src/sync/sweep-sessions/ (contract, resource, store).
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { retentionOf, type Config } from '../../config.js';
import { IdempotencyHeaders, JobParams, problemResponses } from '../../contracts/common.js';
import { limitExceeded, notFound, ProblemError } from '../../contracts/problems.js';
import { newSweep } from '../../lrfinder/session.js';
import type { SweepLossesRequest, SweepSessionRequest } from '../../sync/sweep-sessions/contract.js';
import { resolveSweepSession, sweepOptionsOf } from '../../sync/sweep-sessions/request.js';
import {
  applyReports,
  BASE,
  reportsIn,
  sessionReport,
  sessionResource,
  stopSession,
} from '../../sync/sweep-sessions/resource.js';
import { SweepSessionStore } from '../../sync/sweep-sessions/store.js';
import { renderSweepPlot } from '../../sync/sweep-sessions/plot.js';
import { sendSvg, SVG_RESPONSE } from '../views/svg-reply.js';
import {
  SweepLossesRequest as LossesSchema,
  SweepSessionRequest as RequestSchema,
} from '../../sync/sweep-sessions/contract.js';
import { sweepSessionExamples } from '../openapi-examples.js';

const sessionNotFound = (id: string) => notFound(`no sweep session ${id} (it may have expired)`);

export function sweepSessionRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  const store = new SweepSessionStore(app.jobs.redis, {
    prefix: config.queuePrefix,
    ttlSeconds: retentionOf(config, 'sweep-sessions'),
    quota: app.jobs.storage,
  });
  const tags = ['sweep-sessions'];
  const ex = sweepSessionExamples(
    (RequestSchema as unknown as { example: SweepSessionRequest }).example,
    (LossesSchema as unknown as { example: SweepLossesRequest }).example,
  );

  app.post(
    BASE,
    {
      config: {
        idempotent: true,
        openapiExamples: {
          responses: {
            201: {
              description: 'Created: the session and its first `next`; `Location` is the session',
              examples: ex.created,
            },
          },
        },
      },
      schema: {
        tags,
        summary: 'Start an LR range test in your own training loop',
        description:
          'The service plans the LRs exactly as torch-lr-finder (`start_lr` → `end_lr` over `num_iter` steps, `exp` or `linear`). ' +
          "Loop: set the optimizer's LR to `next.lr`, train one minibatch, POST its loss to `links.losses` as `{iteration, loss}`; " +
          'the answer has the next LR, or `status: "stopped"` with the suggestion (torch-lr-finder\'s EMA and stop rule, every suggestion method). ' +
          "`param_groups: [{name, lr_mult}]` gives each group's LR in `next.param_groups`; `emulate` runs a library's whole pipeline " +
          '(its LR plan in `next`, its smoothing, stop rule, trimming and methods). ' +
          `At most ${config.limits.numIter} iterations (LIMIT_NUM_ITER). Sessions expire RESULT_TTL_S after their last update.`,
        headers: IdempotencyHeaders,
        body: Type.Ref('SweepSessionRequest'),
        response: { 201: Type.Ref('SweepSession'), ...problemResponses(400, 401, 409, 413, 415, 422, 503) },
      },
    },
    async (req: FastifyRequest<{ Body: SweepSessionRequest }>, reply: FastifyReply) => {
      const request = resolveSweepSession(req.body, config.limits);
      const doc = await store.create(request, newSweep(sweepOptionsOf(request)), req.owner);
      return reply.code(201).header('location', `${BASE}/${doc.id}`).send(sessionResource(doc));
    },
  );

  app.post(
    `${BASE}/:id/losses`,
    {
      config: {
        openapiExamples: {
          responses: {
            200: { description: 'Running with the next LR, or stopped with the result', examples: ex.report },
          },
        },
      },
      schema: {
        tags,
        summary: 'Report the loss of the step trained at next.lr',
        description:
          'One report per optimizer step (with gradient accumulation: the mean loss of its micro-batches): `{iteration, loss}` or a batch ' +
          '`{losses: [{iteration, loss}, ...]}`, in order. `loss` is a number, "NaN", "Infinity", "-Infinity" or null (non-finite, kind ' +
          "unknown); a non-finite loss stops the service's pipeline (`non_finite`). `{iteration, skipped: true}`: the GradScaler skipped " +
          'the step — no point, the plan does not advance; more than `max_skipped_steps` in a row stop the session (`non_finite`); an ' +
          'emulating session records it with its `loss`, as the library would. Re-sending a recorded report is harmless (same answer); ' +
          'a different one for its iteration, or a gap, is a 409 naming the expected iteration. Reports of a batch after its stopping ' +
          'point are not recorded (`ignored`).',
        params: JobParams,
        body: Type.Ref('SweepLossesRequest'),
        response: { 200: Type.Ref('SweepSessionReport'), ...problemResponses(400, 401, 404, 409, 413, 415, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string }; Body: SweepLossesRequest }>) => {
      const items = reportsIn(req.body);
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
    },
  );

  app.get(
    `${BASE}/:id`,
    {
      config: {
        openapiExamples: {
          responses: {
            200: { description: 'The session: the points so far, next, the result once stopped', examples: ex.session },
          },
        },
      },
      schema: {
        tags,
        summary: 'Get a sweep session: the points so far, next, the result once stopped',
        params: JobParams,
        response: { 200: Type.Ref('SweepSession'), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>) => {
      const doc = await store.get(req.params.id, req.owner);
      if (!doc) throw sessionNotFound(req.params.id);
      return sessionResource(doc);
    },
  );

  app.post(
    `${BASE}/:id/stop`,
    {
      config: {
        openapiExamples: {
          responses: { 200: { description: 'Stopped: the result on the points so far', examples: ex.stopped } },
        },
      },
      schema: {
        tags,
        summary: 'End a sweep session early and get the result on the points so far',
        description: 'stop_reason `stopped_by_client`. Stopping a stopped session returns it unchanged.',
        params: JobParams,
        response: { 200: Type.Ref('SweepSessionReport'), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>) => {
      const now = new Date();
      const doc = await store.update(req.params.id, req.owner, (cur) => stopSession(cur, now));
      if (!doc) throw sessionNotFound(req.params.id);
      return sessionReport(doc);
    },
  );

  app.get(
    `${BASE}/:id/plot.svg`,
    {
      schema: {
        tags,
        summary: 'The result as an SVG plot',
        description:
          'The loss against the LR on a log axis — raw loss faint, smoothed loss solid, the suggested ' +
          "LR marked, every method's pick shown faintly — as a range-test job's plot.svg; the subtitle names the LR " +
          'plan, the skipped steps and the parameter groups. A self-contained SVG. 409 while the session runs (stop ' +
          'it early with `links.stop` to plot the points so far).',
        params: JobParams,
        response: { 200: SVG_RESPONSE, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const doc = await store.get(req.params.id, req.owner);
      if (!doc) throw sessionNotFound(req.params.id);
      const svg = renderSweepPlot(doc);
      if (svg === null) {
        throw new ProblemError(
          409,
          'not_finished',
          'Session not finished',
          `sweep session ${doc.id} is running; its result (and so its plot) exists once it stops — ` +
            `follow next, or POST ${BASE}/${doc.id}/stop`,
        );
      }
      return sendSvg(reply, `sweep-session-${doc.id}.svg`, svg);
    },
  );
}
