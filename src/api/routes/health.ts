/** /healthz: the process answers. /readyz: Redis reachable and at least one worker alive. */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import { JOB_KINDS } from '../../kinds/registry.js';

const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.Unknown())) });

export function healthRoutes(app: FastifyInstance): void {
  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness', response: { 200: Health } } }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: { tags: ['health'], summary: 'Readiness: Redis reachable and at least one worker alive', response: { 200: Health, 503: Health } },
  }, async (_req, reply) => {
    const checks: Record<string, unknown> = { redis: app.jobs.ready() ? 'ok' : 'unreachable' };
    let workers = 0;
    if (checks.redis === 'ok') {
      try {
        // every worker process serves every kind: one queue's workers are all of them
        workers = await app.jobs.workerCount(JOB_KINDS[0]);
        checks.workers = workers;
      } catch {
        checks.redis = 'unreachable';
      }
    }
    const ready = checks.redis === 'ok' && workers > 0;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });
}
