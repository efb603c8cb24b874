/** GET /v1/datasets: the built-in datasets with their shapes and defaults, and the caller's uploads. */
import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { problemResponses } from '../../contracts/common.js';
import { datasetCatalog } from '../../core/datasets/index.js';

const DatasetList = Type.Object({
  datasets: Type.Array(Type.Object({
    name: Type.String(),
    task: Type.String(),
    features: Type.Integer(),
    classes: Type.Union([Type.Integer(), Type.Null()]),
    outputs: Type.Union([Type.Integer(), Type.Null()]),
    n_samples: Type.Integer({ description: 'default n_samples' }),
    max_samples: Type.Union([Type.Integer(), Type.Null()]),
    noise: Type.Number({ description: 'default noise' }),
    options: Type.Array(Type.String(), { description: 'request fields this dataset reads besides n_samples, noise, seed' }),
    description: Type.String(),
  }, { additionalProperties: false })),
  uploads: Type.Union([Type.Array(Type.Ref('UploadedDataset')), Type.Null()], {
    description: 'your uploaded datasets (POST /v1/datasets), newest first, at most 100; null when the store (Redis) is unreachable',
  }),
}, { $id: 'DatasetList' });

export function datasetRoutes(app: FastifyInstance): void {
  app.get('/v1/datasets', {
    schema: {
      tags: ['datasets'],
      summary: 'List the built-in datasets (use one as `data: {name, n_samples, noise, ...}`) and your uploads (`data: {dataset_id}`)',
      response: { 200: DatasetList, ...problemResponses(401) },
    },
  }, async (req: FastifyRequest) => {
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
  });
}
