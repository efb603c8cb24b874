/**
 * The job routes of every kind (src/kinds/registry.ts): POST /v1/{kind} (202 + Location),
 * GET /v1/{kind}/{id}, POST /v1/{kind}/{id}/cancel. The kind supplies its schemas, texts and resolve step.
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { IdempotencyHeaders, JobParams, problemResponses } from '../../contracts/common.js';
import { countLayerParams } from '../../contracts/params.js';
import { notFound } from '../../contracts/problems.js';
import type { UploadShape } from '../../contracts/resolve.js';
import { findKind, type RegisteredKind } from '../../kinds/registry.js';
import type { JobRecord } from '../../queue/jobs.js';
import { uploadShapes } from '../../sync/datasets/store.js';
import { problemBody, PROBLEM_BASE } from '../errors.js';
import { jobExample, jobViewExamples, presetExamples } from '../openapi-examples.js';

export function jobResource(rec: JobRecord) {
  const self = `/v1/${rec.kind}/${rec.id}`;
  const views = findKind(rec.kind)?.views;
  let error = null;
  if (rec.failure && rec.status === 'failed') {
    error = problemBody(500, rec.failure.code, titleFor(rec.failure.code), rec.failure.message);
    error.status = rec.failure.code === 'timeout' || rec.failure.code === 'resource_limit_exceeded' ? 422 : 500;
  }
  return {
    id: rec.id,
    kind: rec.kind,
    status: rec.status,
    progress: rec.progress,
    created_at: rec.created_at,
    started_at: rec.started_at,
    finished_at: rec.finished_at,
    request: rec.request,
    result: rec.result,
    error,
    links: {
      self, cancel: `${self}/cancel`, events: `${self}/events`,
      ...(views?.svg ? { plot: `${self}/plot.svg` } : {}),
      ...(views?.csv ? { csv: `${self}/curve.csv` } : {}),
    },
  };
}

function titleFor(code: string): string {
  return ({ timeout: 'Job timed out', resource_limit_exceeded: 'Memory limit exceeded', worker_lost: 'Worker lost', invalid_job: 'Invalid job' } as Record<string, string>)[code] ?? 'Job failed';
}

const jobNotFound = (kind: string, id: string) => notFound(`no ${kind} job ${id} (it may have expired)`);

const refOf = (schema: { $id?: string }) => Type.Ref(schema.$id as string);

export function registerJobRoutes(app: FastifyInstance, k: RegisteredKind, config: Readonly<Config>): void {
  const jobResponse = refOf(k.schemas.job);
  const base = `/v1/${k.name}`;

  app.post(base, {
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
  }, async (req: FastifyRequest, reply: FastifyReply) => {
    const ids = k.datasetIds(req.body);
    const datasets = ids.length ? await uploadShapes(app.uploads, ids, req.owner) : new Map<string, UploadShape>();
    const request = k.resolve(req.body, { limits: config.limits, countParams: countLayerParams, datasets });
    const rec = await app.jobs.create(k.name, request, req.owner);
    app.metrics.jobAccepted(k.name);
    req.log.info({ job: rec.id, kind: k.name }, 'job queued');
    return reply.code(202).header('location', `${base}/${rec.id}`).send(jobResource(rec));
  });

  const views = jobViewExamples(k);
  app.get(`${base}/:id`, {
    config: { openapiExamples: { responses: { 200: { description: 'The job: status, progress, request (defaults filled), result once succeeded, error once failed', examples: views.get } } } },
    schema: {
      tags: [k.name],
      summary: `Get a ${k.name.replace(/s$/, '').replace(/-/g, ' ')} job: status, progress, result`,
      params: JobParams,
      response: { 200: jobResponse, ...problemResponses(400, 401, 404, 503) },
    },
  }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const rec = await app.jobs.get(k.name, req.params.id, req.owner);
    if (!rec) throw jobNotFound(k.name, req.params.id);
    return jobResource(rec);
  });

  app.post(`${base}/:id/cancel`, {
    config: { openapiExamples: { responses: { 202: { description: 'Canceled: the job, now `canceled`', examples: views.cancel } } } },
    schema: {
      tags: [k.name],
      summary: 'Cancel a queued or running job',
      description: 'A queued job never starts; a running one stops within about a second. Canceling a finished job is a 409.',
      params: JobParams,
      response: { 202: jobResponse, ...problemResponses(400, 401, 404, 409, 503) },
    },
  }, async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const rec = await app.jobs.cancel(k.name, req.params.id, req.owner);
    if (!rec) throw jobNotFound(k.name, req.params.id);
    return reply.code(202).send(jobResource(rec));
  });
}

export { PROBLEM_BASE };
