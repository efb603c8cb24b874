/**
 * The job routes of every kind (src/kinds/registry.ts): POST /v1/{kind} (202 + Location),
 * GET /v1/{kind}/{id}, POST /v1/{kind}/{id}/cancel. The kind supplies its schemas, texts and resolve step.
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { IdempotencyHeaders, JobParams, problemResponses } from '../../contracts/common.js';
import { countLayerParams } from '../../contracts/params.js';
import { invalid, notFound } from '../../contracts/problems.js';
import { callbackUrlProblem } from '../../webhooks/url.js';
import type { UploadShape } from '../../contracts/resolve.js';
import type { RegisteredKind } from '../../kinds/registry.js';
import { uploadShapes } from '../../sync/datasets/store.js';
import { jobExample, jobViewExamples, presetExamples } from '../openapi-examples.js';
import { PROBLEM_BASE } from '../errors.js';
import { jobResource } from '../job-resource.js';
import { spliceResult } from '../../queue/stored-result.js';

export { jobResource };

/** A callback_url the service would not call: 400 at /callback_url (DNS is checked at delivery). */
function checkCallbackUrl(url: string, config: Readonly<Config>): void {
  if (!config.webhooks.secret) {
    throw invalid(
      '/callback_url',
      'webhooks are not enabled on this service (the operator sets WEBHOOK_SECRET to sign them)',
    );
  }
  const problem = callbackUrlProblem(url, config.webhooks.allowHosts);
  if (problem) throw invalid('/callback_url', `callback_url ${problem}`);
}

const jobNotFound = (kind: string, id: string) => notFound(`no ${kind} job ${id} (it may have expired)`);

const refOf = (schema: { $id?: string }) => Type.Ref(schema.$id as string);

export function registerJobRoutes(app: FastifyInstance, k: RegisteredKind, config: Readonly<Config>): void {
  const jobResponse = refOf(k.schemas.job);
  const base = `/v1/${k.name}`;

  app.post(
    base,
    {
      config: {
        idempotent: true,
        // the presets as examples, the default first (Swagger UI's Try it out → Execute runs it as is)
        openapiExamples: {
          body: { 'application/json': presetExamples(k) },
          responses: {
            202: {
              description: `Accepted: the job is queued; \`Location: ${base}/{id}\` is the job resource to poll (or its \`events\` to follow)`,
              examples: { queued: { summary: 'the default preset, queued', value: jobExample(k) } },
            },
          },
        },
      },
      schema: {
        tags: [k.name],
        summary: k.post.summary,
        description: k.post.description(config.limits),
        headers: IdempotencyHeaders,
        body: refOf(k.schemas.request),
        response: { 202: jobResponse, ...problemResponses(400, 401, 409, 413, 415, 422, 429, 503) },
      },
    },
    async (req: FastifyRequest, reply: FastifyReply) => {
      const ids = k.datasetIds(req.body);
      const datasets = ids.length ? await uploadShapes(app.uploads, ids, req.owner) : new Map<string, UploadShape>();
      // the fields every job shares (callback_url) are not the kind's: taken off before it resolves, stored beside
      const { callback_url, ...own } = req.body as { callback_url?: string };
      if (callback_url !== undefined) checkCallbackUrl(callback_url, config);
      const resolved = k.resolve(own, { limits: config.limits, countParams: countLayerParams, datasets });
      const request = callback_url === undefined ? resolved : { ...(resolved as object), callback_url };
      const rec = await app.jobs.create(k.name, request, req.owner, { webhook: callback_url !== undefined });
      app.metrics.jobAccepted(k.name);
      req.log.info({ job: rec.id, kind: k.name }, 'job queued');
      return reply.code(202).header('location', `${base}/${rec.id}`).send(jobResource(rec));
    },
  );

  const views = jobViewExamples(k);
  app.get(
    `${base}/:id`,
    {
      config: {
        openapiExamples: {
          responses: {
            200: {
              description:
                'The job: status, progress, request (defaults filled), result once succeeded, error once failed',
              examples: views.get,
            },
          },
        },
      },
      schema: {
        tags: [k.name],
        summary: `Get ${k.noun.a} ${k.noun.one}: status, progress, result`,
        params: JobParams,
        response: { 200: jobResponse, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      // the stored result's JSON text goes out as it is stored: nothing large is parsed or serialised here
      const got = await app.jobs.getStored(k.name, req.params.id, req.owner);
      if (!got) throw jobNotFound(k.name, req.params.id);
      const resource = jobResource(got.rec);
      if (!got.result) return resource;
      return reply
        .type('application/json; charset=utf-8')
        .send(spliceResult(reply.serialize(resource) as string, got.result));
    },
  );

  app.post(
    `${base}/:id/cancel`,
    {
      config: {
        openapiExamples: {
          responses: { 202: { description: 'Canceled: the job, now `canceled`', examples: views.cancel } },
        },
      },
      schema: {
        tags: [k.name],
        summary: `Cancel a queued or running ${k.noun.one}`,
        description:
          'A queued job never starts; a running one stops within about a second. Canceling a finished job is a 409.',
        params: JobParams,
        response: { 202: jobResponse, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      const rec = await app.jobs.cancel(k.name, req.params.id, req.owner);
      if (!rec) throw jobNotFound(k.name, req.params.id);
      // canceled is final at once: queue the webhook now (the worker that later fails the job queues the same id: once)
      if (typeof (rec.request as { callback_url?: unknown } | null)?.callback_url === 'string') {
        await app.webhooks
          .enqueue(k.name, rec.id)
          .catch((err) => req.log.warn({ err: (err as Error).message }, 'webhook not queued (the reconciler retries)'));
      }
      return reply.code(202).send(jobResource(rec));
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags: [k.name],
        summary: 'Delete a finished job (its request and result)',
        description:
          'Frees its bytes in your storage quota at once (GET /v1/usage). A queued or running job is a 409 `job_not_finished` (cancel it first); ' +
          "another API key's job, or one that expired, is a 404.",
        params: JobParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      if (!(await app.jobs.remove(k.name, req.params.id, req.owner))) throw jobNotFound(k.name, req.params.id);
      return reply.code(204).send();
    },
  );
}

export { PROBLEM_BASE };
