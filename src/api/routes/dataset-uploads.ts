/**
 * Uploaded datasets:
 *   POST /v1/datasets        JSON {name?, task, x, y} or text/csv (?task=, ?target=, ?name=) → 201 + Location
 *   GET  /v1/datasets/{id}   the metadata (404 for another owner's)
 * Jobs use them as `data: {dataset_id}` (the job routes look their shapes up with `uploadShapes`, src/sync/datasets/store.ts).
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { IdempotencyHeaders, problemResponses } from '../../contracts/common.js';
import { checkUpload, DatasetUploadQuery, parseCsv, type UploadBody } from '../../sync/datasets/contract.js';
import { invalid, notFound } from '../../contracts/problems.js';
import type { DatasetStore } from '../../sync/datasets/store.js';
import { uploadExamples } from '../../sync/datasets/examples.js';

const BASE = '/v1/datasets';

type Query = { task?: 'classification' | 'regression'; target?: string; name?: string };

export function datasetUploadRoutes(app: FastifyInstance, config: Readonly<Config>, store: DatasetStore): void {
  const limit = config.limits.uploadBytes;
  app.register(async (scope) => {
    // text/csv is accepted on this route only (other routes answer 415)
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: limit }, (_req, body, done) => done(null, body));

    scope.post(BASE, {
      bodyLimit: limit,
      config: { idempotent: true, accepts: ['application/json', 'text/csv'], openapiExamples: { body: uploadExamples() } },
      schema: {
        tags: ['datasets'],
        summary: 'Upload a dataset (JSON or CSV); use it in any job as `data: {dataset_id}`',
        description:
          'JSON: `{name?, task: "classification" | "regression", x: [[...], ...], y: [...]}`. CSV (`content-type: text/csv`): a header row, ' +
          'then one row per sample, every cell a number; `?task=` (required), `?target=` the target column (default: the last), `?name=`. ' +
          'Checked as inline data: equal row widths, finite numbers, class labels integers in [0, 999], at least 2 classes, ' +
          `rows × features ≤ ${config.limits.datasetValues} (LIMIT_DATASET_VALUES), body ≤ ${limit} bytes (LIMIT_UPLOAD_BYTES). ` +
          'Kept RESULT_TTL_S (`expires_at`); with API_KEYS, usable by its owner only.',
        querystring: DatasetUploadQuery,
        headers: IdempotencyHeaders,
        body: {
          content: {
            'application/json': { schema: Type.Ref('DatasetUploadRequest') },
            'text/csv': { schema: Type.String({ description: 'CSV with a header row' }) },
          },
        },
        response: { 201: Type.Ref('UploadedDataset'), ...problemResponses(400, 401, 409, 413, 415, 422, 503) },
      },
    }, async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
      const q = req.query;
      let body: UploadBody;
      if (typeof req.body === 'string') {
        if (q.task === undefined) throw invalid('/querystring/task', 'is required for a CSV upload: classification or regression');
        body = { task: q.task, name: q.name, ...parseCsv(req.body, q.target) };
      } else {
        for (const k of ['task', 'target', 'name'] as const) {
          if (q[k] !== undefined) throw invalid(`/querystring/${k}`, 'is for CSV uploads; a JSON upload carries name and task in its body');
        }
        body = req.body as UploadBody;
      }
      const shape = checkUpload(body, config.limits);
      const meta = await store.create(body.name ?? null, shape, { x: body.x, y: body.y }, req.owner);
      req.log.info({ dataset: meta.id, rows: meta.rows, features: meta.features }, 'dataset uploaded');
      return reply.code(201).header('location', `${BASE}/${meta.id}`).send(meta);
    });
  });

  app.get(`${BASE}/:id`, {
    schema: {
      tags: ['datasets'],
      summary: 'Get an uploaded dataset\'s metadata',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }),
      response: { 200: Type.Ref('UploadedDataset'), ...problemResponses(400, 401, 404, 503) },
    },
  }, async (req: FastifyRequest<{ Params: { id: string } }>) => {
    const meta = await store.get(req.params.id, req.owner);
    if (!meta) throw notFound(`no dataset ${req.params.id} (it may have expired)`);
    return meta;
  });
}
