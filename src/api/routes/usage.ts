/** GET /v1/usage: what the caller's API key stores (its storage quota) and has in flight (its job quota). */
import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { problemResponses } from '../../contracts/common.js';
import { redisUnavailable } from '../../queue/jobs.js';
import { redisKeys } from '../../queue/keys.js';

const Usage = Type.Object(
  {
    storage_bytes: Type.Integer({
      description:
        'bytes your API key stores: uploaded datasets, jobs (requests and results), sessions, idempotency records',
    }),
    storage_limit_bytes: Type.Union([Type.Integer(), Type.Null()], {
      description: 'LIMIT_STORAGE_BYTES_PER_KEY; null when there is no quota',
    }),
    stored_items: Type.Integer({ description: 'the things counted in storage_bytes' }),
    jobs_in_flight: Type.Integer({ description: 'your jobs queued or running' }),
    jobs_limit: Type.Integer({ description: 'LIMIT_JOBS_PER_KEY' }),
  },
  { $id: 'Usage', additionalProperties: false },
);

export function usageRoutes(app: FastifyInstance, config: Readonly<Config>): void {
  app.get(
    '/v1/usage',
    {
      schema: {
        tags: ['usage'],
        summary: 'Your storage and job usage against your quotas',
        description:
          'Everything your API key stores counts in `storage_bytes` until it is deleted (DELETE /v1/datasets/{id}, DELETE /v1/{kind}/{id}) or expires ' +
          `(RESULT_TTL_S). A write past LIMIT_STORAGE_BYTES_PER_KEY (${config.limits.storageBytesPerKey}) is a 429 \`storage_quota_exceeded\`.`,
        response: { 200: Usage, ...problemResponses(401, 503) },
      },
    },
    async (req: FastifyRequest) => {
      const storage = app.jobs.storage;
      if (!app.jobs.ready()) throw redisUnavailable();
      try {
        const [used, inflight] = await Promise.all([
          storage ? storage.usage(req.owner) : Promise.resolve({ bytes: 0, items: 0 }),
          app.jobs.redis.zcard(redisKeys(config.queuePrefix).ownerInflight(req.owner)),
        ]);
        return {
          storage_bytes: used.bytes,
          storage_limit_bytes: storage && storage.limit > 0 ? storage.limit : null,
          stored_items: used.items,
          jobs_in_flight: inflight,
          jobs_limit: config.limits.jobsPerKey,
        };
      } catch (err) {
        throw redisUnavailable(err);
      }
    },
  );
}
