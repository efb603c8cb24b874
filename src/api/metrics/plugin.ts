/**
 * GET /metrics: Prometheus text format (prom-client), one registry per app.
 *
 * Cheap on the hot path: a request costs one histogram observation in `onResponse`, labelled by
 * the route it matched (`routeOptions.url`, never the raw URL, so label values are bounded by the
 * route table) and its status; in a histogram of our own (./http-histogram.ts) that does no label hashing. A job POST
 * adds one counter increment. Everything read from Redis — queue depth per queue, live workers,
 * Redis reachability, the service-wide finished-job counts and run-time histograms that workers
 * keep in Redis (../../queue/finish-stats.ts) — is read in prom-client `collect()` callbacks at
 * scrape time, in one shared read per scrape.
 *
 * Authentication as every route: behind the API key when API_KEYS is set, unless METRICS_PUBLIC=true.
 */
import type { FastifyInstance } from 'fastify';
import { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '../../config.js';
import { problemResponses } from '../../contracts/common.js';
import { JOB_KINDS, KINDS } from '../../kinds/registry.js';
import { readFinishStats, type FinishSeries } from '../../queue/finish-stats.js';
import { queueName, taskQueueName, WEBHOOK_QUEUE } from '../../queue/names.js';
import { RouteHistogram } from './http-histogram.js';
import { registerFinishMetrics, registerReadGauge } from './redis-metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: { jobAccepted(kind: string): void; registry: Registry };
  }
}

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUEUE_STATES = ['waiting', 'active', 'delayed'] as const;

/** Shares one in-flight read among the collectors of one scrape; a failed read yields null. */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T | null> {
  let inflight: Promise<T | null> | null = null;
  return () =>
    (inflight ??= read()
      .catch(() => null)
      .finally(() => {
        setImmediate(() => {
          inflight = null;
        });
      }));
}

export function registerMetrics(app: FastifyInstance, config: Readonly<Config>): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const http = new RouteHistogram(
    'lrf_http_request_duration_seconds',
    'HTTP requests by method, matched route (unmatched: "unmatched") and status code',
    HTTP_BUCKETS,
  );
  http.register(registry);
  app.addHook('onResponse', (req, reply, done) => {
    http.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  const accepted = new Counter({
    name: 'lrf_jobs_accepted_total',
    help: 'Jobs accepted (202) by this API process, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const k of JOB_KINDS) accepted.labels(k).inc(0);

  const queues = new Map<string, Queue>();
  const queueOf = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: app.jobs.redis, prefix: config.queuePrefix, skipVersionCheck: true });
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    return q;
  };
  app.addHook('onClose', async () => {
    await Promise.allSettled([...queues.values()].map((q) => q.close()));
  });

  // the kinds' queues, the internal task queues of kinds that fan out (LR search trials), the webhook deliveries
  const taskQueues = KINDS.filter((k) => k.fanout).map((k) => taskQueueName(k.name));
  const queueNames = [...JOB_KINDS.map(queueName), ...taskQueues, WEBHOOK_QUEUE];
  const readRedis = sharedRead(async () => {
    if (!app.jobs.ready()) throw new Error('redis not ready');
    const [counts, workers, finished] = await Promise.all([
      Promise.all(queueNames.map((n) => queueOf(n).getJobCounts('waiting', 'prioritized', 'active', 'delayed'))),
      app.jobs.workerCount(JOB_KINDS[0]),
      readFinishStats(app.jobs.redis, config.queuePrefix),
    ]);
    return { counts, workers, finished };
  });

  new Gauge({
    name: 'lrf_redis_up',
    help: '1 when this API process reached Redis during this scrape, else 0',
    registers: [registry],
    async collect() {
      this.set((await readRedis()) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'lrf_queue_jobs',
    help: 'Jobs in each queue (a job kind, or "webhooks" for deliveries) by state: waiting (prioritized included), active, delayed (retries waiting for their backoff)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const r = await readRedis();
      if (!r) return;
      r.counts.forEach((c, i) => {
        const depth = {
          waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
          active: c.active ?? 0,
          delayed: c.delayed ?? 0,
        };
        for (const s of QUEUE_STATES) this.labels(queueNames[i], s).set(depth[s]);
      });
    },
  });
  registerReadGauge(
    registry,
    'lrf_workers',
    'Worker processes connected to Redis (every worker serves every queue)',
    async () => (await readRedis())?.workers ?? null,
  );
  registerFinishMetrics(registry, async (): Promise<FinishSeries[] | null> => (await readRedis())?.finished ?? null);

  app.decorate('metrics', { jobAccepted: (kind: string) => accepted.labels(kind).inc(), registry });

  app.get(
    '/metrics',
    {
      config: { public: config.metricsPublic, shed: false },
      schema: {
        tags: ['health'],
        summary: 'Prometheus metrics',
        description:
          'Prometheus text format 0.0.4: HTTP request durations by route and status, jobs accepted (this process) and finished ' +
          '(service-wide) by kind and final status, job run-time histograms, queue depth per queue and state, live workers, Redis ' +
          'reachability, and Node.js process metrics. Needs the API key when API_KEYS is set, unless METRICS_PUBLIC=true.',
        response: {
          200: { description: 'the metrics', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...problemResponses(401, 429),
        },
      },
    },
    async (_req, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
}
