/**
 * Uploaded datasets:
 *   POST /v1/datasets        JSON {name?, task, x, y} or text/csv (?task=, ?target=, ?name=) → 201 + Location
 *   GET  /v1/datasets/{id}   the metadata (404 for another owner's)
 * Jobs use them as `data: {dataset_id}` (the job routes look their shapes up with `uploadShapes`,
 * src/sync/datasets/store.ts).
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { IdempotencyHeaders, problemResponses } from '../../contracts/common.js';
import { DatasetUploadQuery } from '../../sync/datasets/contract.js';
import { notFound } from '../../contracts/problems.js';
import type { DatasetStore } from '../../sync/datasets/store.js';
import { uploadExamples } from '../../sync/datasets/examples.js';
import { emptyBody } from '../body-media.js';
import { transferable, type OffloadPool } from '../offload/pool.js';
import type { UploadDone } from '../offload/protocol.js';
import { makeAjv } from '../schemas.js';

const BASE = '/v1/datasets';

/** What the upload route's parsers hand the handler: the body's bytes and which format they are in. */
export interface RawUpload {
  format: 'json' | 'csv';
  bytes: Buffer;
}

type Query = { task?: 'classification' | 'regression'; target?: string; name?: string };

/** A CSV body is only whitespace (the empty-body answer): scans past leading ASCII whitespace, decodes only when it
 * meets other bytes early. */
function blank(buf: Buffer): boolean {
  let i = 0;
  while (i < buf.length && (buf[i] === 0x20 || (buf[i] >= 0x09 && buf[i] <= 0x0d))) i++;
  if (i === buf.length) return true;
  return buf[i] >= 0x80 && buf.length - i < 4096 && buf.toString('utf8').trim() === '';
}

/**
 * The body reaches the handler as its raw bytes (a Buffer): parsing, schema validation and the
 * data checks run in the offload pool (src/api/offload/), never on the event loop; the checks,
 * their order and their problems are the ones the route had on the loop. The body schema stays in
 * the route for the OpenAPI document; its validator here lets the bytes through (the thread validates).
 */
export function datasetUploadRoutes(
  app: FastifyInstance,
  config: Readonly<Config>,
  store: DatasetStore,
  pool: OffloadPool,
): void {
  const limit = config.limits.uploadBytes;
  const other = makeAjv(false);
  app.register(async (scope) => {
    // text/csv is accepted on this route only (other routes answer 415); JSON is parsed in a thread here
    scope.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: limit }, (req, body, done) => {
      if (blank(body as Buffer)) return done(emptyBody(req), undefined);
      done(null, { format: 'csv', bytes: body });
    });
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: limit }, (req, body, done) => {
      if ((body as Buffer).length === 0) return done(emptyBody(req), undefined);
      done(null, { format: 'json', bytes: body });
    });

    scope.post(
      BASE,
      {
        bodyLimit: limit,
        // the body is checked in the thread (the same schema, the same options); the query and headers here
        validatorCompiler: ({ schema, httpPart }) =>
          httpPart === 'body' ? () => true : other.compile(schema as object),
        config: {
          idempotent: true,
          accepts: ['application/json', 'text/csv'],
          openapiExamples: { body: uploadExamples() },
        },
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
      },
      async (req: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply) => {
        const raw = req.body as RawUpload;
        const { bytes, transfer } = transferable(raw.bytes);
        const done = await pool.run<UploadDone>(
          { op: 'upload', format: raw.format, bytes, query: { ...req.query }, limits: config.limits },
          transfer,
        );
        const meta = await store.create(
          done.name,
          done.shape,
          Buffer.from(done.rows.buffer, done.rows.byteOffset, done.rows.byteLength),
          req.owner,
        );
        req.log.info({ dataset: meta.id, rows: meta.rows, features: meta.features }, 'dataset uploaded');
        return reply.code(201).header('location', `${BASE}/${meta.id}`).send(meta);
      },
    );
  });

  app.get(
    `${BASE}/:id`,
    {
      schema: {
        tags: ['datasets'],
        summary: "Get an uploaded dataset's metadata",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }),
        response: { 200: Type.Ref('UploadedDataset'), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>) => {
      const meta = await store.get(req.params.id, req.owner);
      if (!meta) throw notFound(`no dataset ${req.params.id} (it may have expired)`);
      return meta;
    },
  );
}
