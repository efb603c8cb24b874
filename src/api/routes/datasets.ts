/**
 * GET /v1/datasets: the built-in datasets with their shapes and defaults, and the caller's uploads.
 * DELETE /v1/datasets/{id}: delete one of the caller's uploads (frees its storage quota).
 */
import Type from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemResponses } from '../../contracts/common.js';
import { notFound } from '../../contracts/problems.js';
import { datasetCatalog } from '../../core/datasets/index.js';

const DatasetList = Type.Object(
  {
    datasets: Type.Array(
      Type.Object(
        {
          name: Type.String(),
          task: Type.String(),
          features: Type.Integer(),
          classes: Type.Union([Type.Integer(), Type.Null()]),
          outputs: Type.Union([Type.Integer(), Type.Null()]),
          n_samples: Type.Integer({ description: 'default n_samples' }),
          max_samples: Type.Union([Type.Integer(), Type.Null()]),
          noise: Type.Number({ description: 'default noise' }),
          options: Type.Array(Type.String(), {
            description: 'request fields this dataset reads besides n_samples, noise, seed',
          }),
          description: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    uploads: Type.Union([Type.Array(Type.Ref('UploadedDataset')), Type.Null()], {
      description:
        'your uploaded datasets (POST /v1/datasets), newest first, at most 100; null when the store (Redis) is unreachable',
    }),
  },
  { $id: 'DatasetList' },
);

export function datasetRoutes(app: FastifyInstance): void {
  app.get(
    '/v1/datasets',
    {
      schema: {
        tags: ['datasets'],
        summary:
          'List the built-in datasets (use one as `data: {name, n_samples, noise, ...}`) and your uploads (`data: {dataset_id}`)',
        response: { 200: DatasetList, ...problemResponses(401) },
      },
    },
    async (req: FastifyRequest) => {
      // the built-ins need no Redis: without it the list still answers, with uploads null
      let uploads = null;
      if (app.uploads.ready()) {
        try {
          uploads = await app.uploads.list(req.owner);
        } catch {
          uploads = null;
        }
      }
      return { datasets: datasetCatalog(), uploads };
    },
  );

  app.delete(
    '/v1/datasets/:id',
    {
      schema: {
        tags: ['datasets'],
        summary: 'Delete one of your uploaded datasets',
        description:
          'Frees its bytes in your storage quota at once (GET /v1/usage). A queued job that names it fails as `invalid_job` when it starts. ' +
          "Another API key's dataset, or one that expired, is a 404.",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }),
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (req: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
      if (!(await app.uploads.delete(req.params.id, req.owner)))
        throw notFound(`no dataset ${req.params.id} (it may have expired)`);
      return reply.code(204).send();
    },
  );
}
