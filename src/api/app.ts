/**
 * Builds the Fastify app (no listen): strict validation, one error handler, OpenAPI + Swagger UI,
 * the job store on a fail-fast Redis connection, and the routes. server.ts listens.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { KINDS } from '../kinds/registry.js';
import { loggerOptions } from '../logger.js';
import { producerConnection } from '../queue/connection.js';
import { DatasetStore } from '../sync/datasets/store.js';
import { JobStore, jobStoreOptions } from '../queue/jobs.js';
import { WebhookQueue } from '../webhooks/queue.js';
import { clientError, frameworkError, registerErrorHandlers } from './errors.js';
import { registerBodyChecks } from './body-media.js';
import { registerJsonBody } from './json-body.js';
import { registerAuth } from './plugins/auth.js';
import { registerIdempotency } from './plugins/idempotency.js';
import { registerHelmet, registerLoadShedding } from './plugins/security.js';
import { registerSwagger } from './plugins/swagger.js';
import { registerMetrics } from './metrics/plugin.js';
import { registerDashboard } from './plugins/dashboard.js';
import { datasetUploadRoutes } from './routes/dataset-uploads.js';
import { datasetRoutes } from './routes/datasets.js';
import { curveAnalysisRoutes } from './routes/curve-analyses.js';
import { healthRoutes } from './routes/health.js';
import { jobViewRoutes, type SseTiming } from './routes/job-views.js';
import { registerJobRoutes } from './routes/jobs.js';
import { presetRoutes } from './routes/presets.js';
import { scheduleRoutes } from './routes/schedules.js';
import { sweepSessionRoutes } from './routes/sweep-sessions.js';
import { lrSearchSessionRoutes } from './routes/lr-search-sessions.js';
import { registerSchemas } from './schemas.js';
import { nonFiniteSafeSerializers } from './sanitize.js';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobStore;
    /** uploaded datasets (POST /v1/datasets), on the job store's connection */
    uploads: DatasetStore;
    /** webhook deliveries (the API queues those of the jobs it cancels), on the job store's connection */
    webhooks: WebhookQueue;
  }
}

export interface BuildOptions {
  config: Readonly<Config>;
  /** a JobStore to use (tests); default: one on a producer connection to Redis (REDIS_URL or REDIS_SENTINELS) */
  jobs?: JobStore;
  /** pino logger on/off (tests turn it off) */
  logger?: boolean;
  /** Server-Sent Events timings (tests shorten them); defaults in routes/job-views.ts */
  sse?: Partial<SseTiming>;
  /** how often load shedding samples the event loop and heap, ms (tests shorten it) */
  sampleIntervalMs?: number;
}

export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(config.logLevel, 'api'),
    bodyLimit: config.limits.bodyBytes,
    genReqId: (req) => (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].length <= 128
      ? req.headers['x-request-id'] : randomUUID()),
    requestIdHeader: false,
    requestTimeout: 30_000,
    // the 503 while closing is a problem (errors.ts), as are pre-routing and malformed-HTTP errors
    return503OnClosing: false,
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    ajv: { customOptions: { strict: false } },
    // no NaN or Infinity in any body, at no cost for bodies without them (sanitize.ts)
    schemaController: { compilersFactory: { buildSerializer: nonFiniteSafeSerializers() } },
  });

  let jobs = opts.jobs;
  if (!jobs) {
    const redis = producerConnection(config);
    redis.on('error', (err) => app.log.debug({ err: err.message }, 'redis connection error'));
    jobs = new JobStore(redis, {
      ...jobStoreOptions(config),
      onReplicationShortfall: (acked, wanted) => app.log.warn({ acked, wanted, timeout_ms: config.redisWaitTimeoutMs },
        `jobs accepted on the Redis primary alone: ${acked} of ${wanted} replica(s) acknowledged within REDIS_WAIT_TIMEOUT_MS`),
    });
    app.addHook('onClose', async () => {
      await jobs!.close();
      redis.disconnect();
    });
  }
  app.decorate('jobs', jobs);
  app.decorate('uploads', new DatasetStore(jobs.redis, { prefix: config.queuePrefix, ttlSeconds: config.resultTtlSeconds }));
  const webhooks = new WebhookQueue(jobs.redis, config.queuePrefix, config.webhooks, config.resultTtlSeconds);
  app.decorate('webhooks', webhooks);
  app.addHook('onClose', async () => { await webhooks.close(); });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  registerSchemas(app);
  registerErrorHandlers(app);
  registerJsonBody(app);
  registerBodyChecks(app);
  await registerLoadShedding(app, { maxEventLoopDelayMs: config.maxEventLoopDelayMs, maxHeapUsedMb: config.maxHeapUsedMb, sampleIntervalMs: opts.sampleIntervalMs });
  registerAuth(app, config.apiKeys, { failureBurst: config.limits.authFailures, failuresPerMinute: config.limits.authFailuresPerMin });
  registerIdempotency(app, { prefix: config.queuePrefix, ttlSeconds: config.idempotencyTtlSeconds, redis: () => app.jobs.redis });
  await registerHelmet(app);
  await registerSwagger(app, config.limits);

  registerMetrics(app, config);
  await registerDashboard(app, config);
  healthRoutes(app, config);
  presetRoutes(app);
  datasetRoutes(app);
  datasetUploadRoutes(app, config, app.uploads);
  for (const kind of KINDS) registerJobRoutes(app, kind, config);
  scheduleRoutes(app, config);
  jobViewRoutes(app, opts.sse, config.limits.sseStreams);
  curveAnalysisRoutes(app, config);
  sweepSessionRoutes(app, config);
  lrSearchSessionRoutes(app, config);
  return app;
}
