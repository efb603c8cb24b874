/**
 * Builds the Fastify app (no listen): strict validation, one error handler, OpenAPI + Swagger UI,
 * the job store on a fail-fast Redis connection, and the routes. server.ts listens.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { checkRetentionNames, retentionOf, type Config, type TrustProxy } from '../config.js';
import { KINDS } from '../kinds/registry.js';
import { loggerOptions } from '../logger.js';
import { OneLinePerRequest } from './request-log.js';
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
import { usageRoutes } from './routes/usage.js';
import { OffloadPool } from './offload/pool.js';
import { nonFiniteSafeSerializers } from './sanitize.js';

declare module 'fastify' {
  interface FastifyInstance {
    jobs: JobStore;
    /** uploaded datasets (POST /v1/datasets), on the job store's connection */
    uploads: DatasetStore;
    /** webhook deliveries (the API queues those of the jobs it cancels), on the job store's connection */
    webhooks: WebhookQueue;
    /** the API's worker threads for work too big for the event loop (src/api/offload/) */
    offload: OffloadPool;
  }
}

export interface BuildOptions {
  config: Readonly<Config>;
  /** a JobStore to use (tests); default: one on a producer connection to Redis (REDIS_URL or REDIS_SENTINELS) */
  jobs?: JobStore;
  /** pino logger on/off (tests turn it off), or JSON lines into a stream of the test's */
  logger?: boolean | { stream: { write(line: string): void } };
  /** Server-Sent Events timings (tests shorten them); defaults in routes/job-views.ts */
  sse?: Partial<SseTiming>;
  /** how often load shedding samples the event loop and heap, ms (tests shorten it) */
  sampleIntervalMs?: number;
}

export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config } = opts;
  const app = Fastify({
    logger:
      opts.logger === false
        ? false
        : typeof opts.logger === 'object'
          ? { ...loggerOptions(config.logLevel, 'api'), stream: opts.logger.stream }
          : loggerOptions(config.logLevel, 'api', config.logFormat),
    // one line per request, not Fastify's two ("incoming request", "request completed")
    logController: new OneLinePerRequest(),
    bodyLimit: config.limits.bodyBytes,
    genReqId: (req) =>
      typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].length <= 128
        ? req.headers['x-request-id']
        : randomUUID(),
    requestIdHeader: false,
    requestTimeout: config.requestTimeoutMs,
    // the client address (auth throttle, logs): X-Forwarded-For only from proxies the operator trusts (TRUST_PROXY)
    trustProxy: trustProxyOption(config.trustProxy),
    // the 503 while closing is a problem (errors.ts), as are pre-routing and malformed-HTTP errors
    return503OnClosing: false,
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
    ajv: { customOptions: { strict: false } },
    // no NaN or Infinity in any body, at no cost for bodies without them (sanitize.ts)
    schemaController: { compilersFactory: { buildSerializer: nonFiniteSafeSerializers() } },
  });

  // Node checks request timeouts on a timer (connectionsCheckingInterval, 30 s by default; read when the
  // server starts listening), so a body dripped byte by byte was cut at 30–60 s and later under load
  // instead of at requestTimeout: check often enough to close a slow request within a tenth of the timeout
  const server = app.server as import('node:http').Server & { connectionsCheckingInterval: number };
  server.connectionsCheckingInterval = Math.min(1000, Math.max(50, Math.floor(config.requestTimeoutMs / 10)));
  server.headersTimeout = Math.min(60_000, config.requestTimeoutMs);

  let jobs = opts.jobs;
  if (!jobs) {
    const redis = producerConnection(config);
    redis.on('error', (err) => app.log.debug({ err: err.message }, 'redis connection error'));
    jobs = new JobStore(redis, {
      ...jobStoreOptions(config),
      onReplicationShortfall: (acked, wanted) =>
        app.log.warn(
          { acked, wanted, timeout_ms: config.redisWaitTimeoutMs },
          `jobs accepted on the Redis primary alone: ${acked} of ${wanted} replica(s) acknowledged within REDIS_WAIT_TIMEOUT_MS`,
        ),
    });
    app.addHook('onClose', async () => {
      await jobs!.close();
      redis.disconnect();
    });
  }
  app.decorate('jobs', jobs);
  checkRetentionNames(
    config,
    KINDS.map((k) => k.name),
  );
  app.decorate(
    'uploads',
    new DatasetStore(jobs.redis, {
      prefix: config.queuePrefix,
      ttlSeconds: retentionOf(config, 'datasets'),
      quota: jobs.storage ?? undefined,
    }),
  );
  const webhooks = new WebhookQueue(jobs.redis, config.queuePrefix, config.webhooks, config.resultTtlSeconds);
  app.decorate('webhooks', webhooks);
  app.addHook('onClose', async () => {
    await webhooks.close();
  });
  const offload = new OffloadPool({
    size: config.apiThreads,
    queueLimit: config.limits.apiThreadQueue,
    memoryMb: config.limits.workerMemoryMb,
  });
  app.decorate('offload', offload);
  app.addHook('onClose', async () => {
    await offload.close();
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });

  registerSchemas(app);
  registerErrorHandlers(app);
  registerJsonBody(app, config.limits.jsonDepth);
  registerBodyChecks(app);
  await registerLoadShedding(app, {
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    maxHeapUsedMb: config.maxHeapUsedMb,
    sampleIntervalMs: opts.sampleIntervalMs,
  });
  registerAuth(app, config.apiKeys, {
    failureBurst: config.limits.authFailures,
    failuresPerMinute: config.limits.authFailuresPerMin,
  });
  registerIdempotency(app, {
    prefix: config.queuePrefix,
    ttlSeconds: config.idempotencyTtlSeconds,
    redis: () => app.jobs.redis,
    storage: () => app.jobs.storage,
  });
  await registerHelmet(app);
  await registerSwagger(app, config.limits, config.apiKeys.size > 0);

  registerMetrics(app, config);
  await registerDashboard(app, config);
  healthRoutes(app, config);
  presetRoutes(app);
  datasetRoutes(app);
  datasetUploadRoutes(app, config, app.uploads, app.offload);
  for (const kind of KINDS) registerJobRoutes(app, kind, config);
  scheduleRoutes(app, config);
  jobViewRoutes(
    app,
    opts.sse,
    config.limits.sseStreams,
    config.apiKeys.size > 0 ? config.limits.sseStreamsPerKey : config.limits.sseStreams,
  );
  curveAnalysisRoutes(app, config);
  sweepSessionRoutes(app, config);
  lrSearchSessionRoutes(app, config);
  usageRoutes(app, config);
  return app;
}

/**
 * TRUST_PROXY for Fastify: addresses/CIDRs and true as they are; a hop count n as "the socket's peer
 * and the n-1 proxies before it are trusted" (proxy-addr's hop semantics, which Fastify 5 no longer
 * takes as a number: whoever reaches the port directly can then set X-Forwarded-For, so prefer addresses).
 */
function trustProxyOption(t: TrustProxy): boolean | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof t === 'number') return (_addr: string, hop: number) => hop < t;
  return Array.isArray(t) ? [...t] : (t as boolean);
}
