/**
 * LR search sessions: the LR search in the client's own training loop.
 *   POST /v1/lr-search-sessions               plan (201 + Location): next = the range test's first step
 *   POST /v1/lr-search-sessions/{id}/reports  a range-test loss {iteration, loss} (or a batch), or a trial's {trial,
 * metric}
 *   POST /v1/lr-search-sessions/{id}/leases   a parallel session: hands out up to `parallelism` trials on leases
 *   GET  /v1/lr-search-sessions/{id}          the session: next, progress, the result once done
 *   GET  /v1/lr-search-sessions/{id}/plot.svg the result as an LR search job's plot (409 until done)
 * What a session is and how reports apply: src/sync/lr-search-sessions/ (contract, session, store).
 */
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { retentionOf, type Config } from '../../config.js';
import { IdempotencyHeaders, JobParams, problemResponses } from '../../contracts/common.js';
import { limitExceeded, notFound, ProblemError } from '../../contracts/problems.js';
import { renderSessionPlot } from '../../sync/lr-search-sessions/plot.js';
import { sendSvg, SVG_RESPONSE } from '../views/svg-reply.js';
import type {
  LrSearchSessionLeaseRequest,
  LrSearchSessionReport,
  LrSearchSessionRequest,
} from '../../sync/lr-search-sessions/contract.js';
import { grantLeases, type LeasedTrial } from '../../sync/lr-search-sessions/leases.js';
import {
  applyReport,
  BASE,
  resolveSearchSession,
  sessionResource,
  startSession,
} from '../../sync/lr-search-sessions/session.js';
import { SearchSessionStore } from '../../sync/lr-search-sessions/store.js';
import { LrSearchSessionRequest as RequestSchema } from '../../sync/lr-search-sessions/contract.js';
import { searchSessionExamples } from '../openapi-examples.js';

const sessionNotFound = (id: string) => notFound(`no LR search session ${id} (it may have expired)`);

export function lrSearchSessionRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  const store = new SearchSessionStore(app.jobs.redis, {
    prefix: config.queuePrefix,
    ttlSeconds: retentionOf(config, 'lr-search-sessions'),
    quota: app.jobs.storage,
  });
  const tags = ['lr-search-sessions'];
  const ex = searchSessionExamples((RequestSchema as unknown as { example: LrSearchSessionRequest }).example);

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
        summary: 'Start an LR search in your own training loop',
        description:
          'The same search as an LR search job, for a model the service cannot train. First a range test, one step at a time as in a sweep session: ' +
          'set the LR to `next.lr`, train one minibatch, report `{iteration, loss}`. Then trials: for `next` of type `trial`, train `next.steps` steps at ' +
          "`next.lr` (your schedule's peak LR) FROM THE SAME INITIAL WEIGHTS AND BATCH ORDER every time, and report `{trial, metric}` (your validation " +
          'loss, say; null when it diverged). The answer has the next trial, or `status: "done"` and the `result` (the fields of an LR search job\'s result). ' +
          `Limits: train_steps ≤ ${config.limits.scheduleSteps}, budget_steps ≤ ${config.limits.simulationSteps}, num_iter ≤ ${config.limits.numIter}. ` +
          'Sessions expire RESULT_TTL_S after their last update.',
        headers: IdempotencyHeaders,
        body: Type.Ref('LrSearchSessionRequest'),
        response: { 201: Type.Ref('LrSearchSession'), ...problemResponses(400, 401, 409, 413, 415, 422, 503) },
      },
    },
    async (req: FastifyRequest<{ Body: LrSearchSessionRequest }>, reply: FastifyReply) => {
      const request = resolveSearchSession(req.body, config.limits);
      const doc = await store.create(request, startSession(request), req.owner);
      return reply.code(201).header('location', `${BASE}/${doc.id}`).send(sessionResource(doc));
    },
  );

  app.post(
    `${BASE}/:id/reports`,
    {
      config: {
        openapiExamples: {
          responses: {
            200: { description: 'The session: what to train next, the result once done', examples: ex.report },
          },
        },
      },
      schema: {
        tags,
        summary: "Report a range-test loss or a trial's metric",
        description:
          'During the range test: `{iteration, loss}` or a batch `{losses: [{iteration, loss}, ...]}` in order (`loss: null` for NaN/Inf). ' +
          'Then: `{trial, metric}` for the trial in `next` (optionally `metrics_at` for its `eval_at` step counts; `steps` for a trial that diverged early). ' +
          'Re-sending a report with the same value is harmless (same answer); ' +
          'another value, a skipped step or another trial than `next` is a 409 naming what is expected. ' +
          "A parallel session's trial: `{trial, lease, metric}` with the lease it was handed out with, in any order. " +
          'The first report of a trial counts, also one under a lease that expired; ' +
          'then a report under another lease of it is a 409 (`lease_expired`, `already_reported`); ' +
          'a lease the session never issued for that trial is a 409 `unknown_lease`.',
        params: JobParams,
        body: Type.Ref('LrSearchSessionReport'),
        response: { 200: Type.Ref('LrSearchSession'), ...problemResponses(400, 401, 404, 409, 413, 415, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string }; Body: LrSearchSessionReport }>) => {
      if (req.body.losses && req.body.losses.length > config.limits.numIter) {
        throw limitExceeded(
          '/losses',
          'the number of reports',
          req.body.losses.length,
          config.limits.numIter,
          'LIMIT_NUM_ITER',
        );
      }
      const now = new Date();
      const doc = await store.update(req.params.id, req.owner, (cur) => applyReport(cur, req.body, now));
      if (!doc) throw sessionNotFound(req.params.id);
      return sessionResource(doc, now);
    },
  );

  app.post(
    `${BASE}/:id/leases`,
    {
      config: {
        openapiExamples: {
          responses: { 200: { description: 'The trials handed to you, and the session', examples: ex.leases } },
        },
      },
      schema: {
        tags,
        summary: 'Be handed trials of a parallel session',
        description:
          'For a session started with `parallelism: N`: hands out up to `max` (default N) of the trials the search is ' +
          "waiting for, at most N out at once, each on a lease of the session's `lease_seconds`. " +
          'Train each as a trial in next would be trained and report `{trial, lease, metric}`, in any order; ' +
          'the result is the same whatever N and the order. ' +
          'A trial unreported when its lease expires is handed out again. ' +
          'Two clients asking at once never get the same trial. ' +
          '`granted` is empty during the range test, once done, and while every waiting trial is leased ' +
          '(the next rung is planned when the last trial of this one is reported). ' +
          'A session started without parallelism: 409 `not_parallel`. ' +
          `parallelism ≤ ${config.limits.searchParallelism} (LIMIT_SEARCH_PARALLELISM), ` +
          `lease_seconds ≤ ${config.limits.searchLeaseSeconds} (LIMIT_SEARCH_LEASE_S).`,
        params: JobParams,
        body: Type.Ref('LrSearchSessionLeaseRequest'),
        response: { 200: Type.Ref('LrSearchSessionLeases'), ...problemResponses(400, 401, 404, 409, 413, 415, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string }; Body: LrSearchSessionLeaseRequest | undefined }>) => {
      const now = new Date();
      let granted: LeasedTrial[] = [];
      // the store re-runs this on a lost compare-and-set: the last run's leases are the ones written
      const doc = await store.update(req.params.id, req.owner, (cur) => {
        const g = grantLeases(cur, req.body?.max, now, () => randomUUID());
        granted = g.granted;
        return g.doc;
      });
      if (!doc) throw sessionNotFound(req.params.id);
      return { granted, session: sessionResource(doc, now) };
    },
  );

  app.get(
    `${BASE}/:id`,
    {
      config: {
        openapiExamples: {
          responses: {
            200: { description: 'The session: what to train next, the result once done', examples: ex.report },
          },
        },
      },
      schema: {
        tags,
        summary: 'Get an LR search session: what to train next, the result once done',
        params: JobParams,
        response: { 200: Type.Ref('LrSearchSession'), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>) => {
      const doc = await store.get(req.params.id, req.owner);
      if (!doc) throw sessionNotFound(req.params.id);
      return sessionResource(doc);
    },
  );

  app.get(
    `${BASE}/:id/plot.svg`,
    {
      schema: {
        tags,
        summary: 'The result as an SVG plot',
        description:
          'The metric after train_steps steps against the LR for every trial (filled: trained to the horizon; hollow: stopped earlier; a cross: diverged), ' +
          "the interval as a band, the recommended LR, over the range test's smoothed loss — as an LR search job's plot.svg. A self-contained SVG. 409 until the session is done.",
        params: JobParams,
        response: {
          200: SVG_RESPONSE,
          ...problemResponses(400, 401, 404, 409, 503),
        },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const doc = await store.get(req.params.id, req.owner);
      if (!doc) throw sessionNotFound(req.params.id);
      const svg = renderSessionPlot(doc);
      if (svg === null) {
        throw new ProblemError(
          409,
          'not_finished',
          'Session not finished',
          `LR search session ${doc.id} is not done; its result (and so its plot) exists once the last trial is reported — follow next`,
        );
      }
      return sendSvg(reply, `lr-search-session-${doc.id}.svg`, svg);
    },
  );
}
