/**
 * /healthz: the process answers (nothing else is checked, and load shedding never applies).
 * /readyz: Redis reachable, at least one worker alive, and Redis set up so that an accepted job is
 * never lost — `maxmemory-policy noeviction` (BullMQ's requirement: an evicting Redis drops jobs
 * and locks) and the append-only file on. A Redis without them makes the service not ready, and the
 * log says why, unless ALLOW_UNSAFE_REDIS=true (then it is reported in `checks` and logged only).
 * With Redis Sentinel the connection is to the current primary (after a failover: the promoted
 * replica), so these checks are the primary's; `checks.replicas` says how many replicas it has,
 * and a node that is not a primary is not ready.
 */
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { JOB_KINDS } from '../../kinds/registry.js';

const Health = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** What Redis's INFO says about durability: why accepted jobs could be lost (empty when safe). */
export function persistenceProblems(info: string): string[] {
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
  const out: string[] = [];
  const policy = field('maxmemory_policy');
  if (policy !== 'noeviction')
    out.push(`maxmemory-policy is ${policy ?? 'unknown'}, not noeviction (Redis may evict queued jobs and locks)`);
  if (field('aof_enabled') !== '1') out.push('appendonly is off (accepted jobs are lost if Redis restarts)');
  return out;
}

/** What Redis's INFO replication says: the node's role and its connected replicas. */
export function replicationOf(info: string): { role: string; replicas: number } {
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
  return { role: field('role') ?? 'unknown', replicas: Number(field('connected_slaves') ?? 0) };
}

export function healthRoutes(
  app: FastifyInstance,
  config: Pick<Config, 'allowUnsafeRedis'> & Partial<Pick<Config, 'redisSentinel'>>,
): void {
  const sentinel = !!config.redisSentinel;
  const always = { public: true, shed: false };
  app.get(
    '/healthz',
    {
      config: {
        ...always,
        openapiExamples: {
          responses: {
            200: {
              description: 'The process answers',
              examples: { ok: { summary: 'alive', value: { status: 'ok' } } },
            },
          },
        },
      },
      schema: {
        tags: ['health'],
        summary: 'Liveness: the API process answers',
        description:
          'Always `200 {"status": "ok"}` while the process answers HTTP: nothing else is checked (not Redis, not the workers) and load ' +
          'shedding never applies, so a restart policy can use it. Public (no API key). For "can it take jobs?" use /readyz.',
        response: { 200: Health },
      },
    },
    async () => ({ status: 'ok' }),
  );

  let lastLogged = '';
  app.get(
    '/readyz',
    {
      config: {
        ...always,
        openapiExamples: {
          responses: {
            200: {
              description: 'Ready: jobs are accepted and run',
              examples: {
                ready: {
                  summary: 'ready',
                  value: { status: 'ready', checks: { redis: 'ok', workers: 2, persistence: 'ok' } },
                },
              },
            },
            503: {
              description: 'Not ready: `checks` says which check failed',
              examples: {
                no_workers: {
                  summary: 'no worker connected',
                  value: { status: 'not_ready', checks: { redis: 'ok', workers: 0, persistence: 'ok' } },
                },
              },
            },
          },
        },
      },
      schema: {
        tags: ['health'],
        summary: 'Readiness: Redis reachable, noeviction and AOF on, at least one worker alive',
        description:
          '`200 {"status": "ready", "checks": {...}}` when jobs can be accepted and run: Redis answers, at least one worker process is ' +
          'connected (`checks.workers`), and Redis runs `maxmemory-policy noeviction` with `appendonly yes` (`checks.persistence`: "ok" or what is ' +
          'wrong; an evicting or non-persistent Redis can lose accepted jobs). Otherwise `503 {"status": "not_ready", "checks": {...}}` saying which ' +
          'check failed (`checks.redis: "unreachable"`, `checks.workers: 0`), unless ALLOW_UNSAFE_REDIS=true accepts the persistence risk. ' +
          'Public (no API key), never shed; a load balancer should route to instances that answer 200.',
        response: { 200: Health, 503: Health },
      },
    },
    async (req, reply) => {
      const checks: Record<string, unknown> = { redis: app.jobs.ready() ? 'ok' : 'unreachable' };
      let workers = 0;
      let unsafe: string[] = [];
      if (checks.redis === 'ok') {
        try {
          // every worker process serves every kind: one queue's workers are all of them
          const [n, info] = await Promise.all([
            app.jobs.workerCount(JOB_KINDS[0]),
            app.jobs.redis.call(
              'INFO',
              ...(sentinel ? ['persistence', 'memory', 'replication'] : ['persistence', 'memory']),
            ) as Promise<string>,
          ]);
          workers = n;
          checks.workers = workers;
          unsafe = persistenceProblems(info);
          if (sentinel) {
            const { role, replicas } = replicationOf(info);
            checks.replicas = replicas;
            if (role !== 'master')
              unsafe.push(`the node reached is a ${role}, not the primary (a failover in progress)`);
          }
          checks.persistence = unsafe.length === 0 ? 'ok' : unsafe;
        } catch {
          checks.redis = 'unreachable';
        }
      }
      const why = unsafe.join('; ');
      if (why !== lastLogged) {
        if (why) {
          req.log.error(
            { problems: unsafe, allowed: config.allowUnsafeRedis },
            `redis is not safe for jobs: ${why}${config.allowUnsafeRedis ? ' (ALLOW_UNSAFE_REDIS=true: reporting ready anyway)' : ' — not ready; fix Redis or set ALLOW_UNSAFE_REDIS=true'}`,
          );
        } else if (lastLogged) {
          req.log.info('redis persistence settings are safe again');
        }
        lastLogged = why;
      }
      const ready = checks.redis === 'ok' && workers > 0 && (unsafe.length === 0 || config.allowUnsafeRedis);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );
}
