/**
 * The queue dashboard: bull-board at /admin/queues, read-only (no retry, clean, remove or pause
 * from the page: job bookkeeping — admission slots, cancel flags, webhook reconciliation — stays
 * with the API and the workers), over every job kind's queue and the webhook deliveries.
 *
 * Behind the API key when API_KEYS is set: its routes are marked `basicAuth` (auth.ts), so a
 * browser may send HTTP Basic with an API key as the password (any user name); the 401 carries
 * `WWW-Authenticate: Basic` so the browser asks. The page shows every owner's jobs (requests and
 * results), so only the owners named in ADMIN_OWNERS may open it: another key gets a 403, and with
 * keys set and no ADMIN_OWNERS the dashboard is closed to everyone. Its page loads only same-origin scripts and
 * styles (helmet's CSP holds; checked in Chromium by scripts/check-dashboard-in-browser.mjs).
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import { KINDS } from '../../kinds/registry.js';
import { queueName, WEBHOOK_QUEUE } from '../../queue/names.js';
import { redisUnavailable } from '../../queue/jobs.js';
import { problemBody, sendProblem, unavailableDetail } from '../errors.js';
import { basicAuthScope } from './auth.js';

export const DASHBOARD_PATH = '/admin/queues';

export async function registerDashboard(app: FastifyInstance, config: Readonly<Config>): Promise<void> {
  const queues = [
    ...KINDS.map((k) => ({ name: queueName(k.name), description: k.description })),
    { name: WEBHOOK_QUEUE, description: 'webhook deliveries (callback_url): one per job, retried with backoff' },
  ].map(({ name, description }) => {
    const q = new Queue(name, { connection: app.jobs.redis, prefix: config.queuePrefix, skipVersionCheck: true });
    q.on('error', () => undefined);
    return { q, adapter: new BullMQAdapter(q, { readOnlyMode: true, description }) };
  });
  app.addHook('onClose', async () => {
    await Promise.allSettled(queues.map(({ q }) => q.close()));
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.map((x) => x.adapter),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'lr-finder queues' } },
  });
  await app.register(
    async (scope) => {
      basicAuthScope(scope);
      if (config.apiKeys.size > 0) {
        const admins = new Set(config.adminOwners);
        // after the app's authentication hook (registered on the root before this scope): req.owner is the key's owner
        scope.addHook('onRequest', async (req, reply) => {
          if (admins.has(req.owner)) return;
          // bull-board's scope has its own error handler: answer the problem here
          const detail =
            admins.size === 0
              ? "the queue dashboard shows every owner's jobs: the operator opens it to named owners with ADMIN_OWNERS (none is set)"
              : `the queue dashboard shows every owner's jobs: only the owners in ADMIN_OWNERS may open it, not ${req.owner}`;
          return sendProblem(reply, problemBody(403, 'forbidden', 'Forbidden', detail, [], req.id));
        });
      }
      // bull-board reads Redis for every API call: with Redis down its queues wait for a connection
      // that is not coming, so answer the 503 problem at once instead
      scope.addHook('preHandler', async (req, reply) => {
        if (app.jobs.ready() || !req.url.startsWith(`${DASHBOARD_PATH}/api/`)) return;
        const err = redisUnavailable();
        return sendProblem(
          reply,
          problemBody(err.status, err.code, err.title, unavailableDetail(req.method), [], req.id),
          err.headers,
        );
      });
      // bull-board's own error handler answers 500 with the raw error text ("Command timed out", an
      // absolute ENOENT path): log that, and answer a problem without internals
      scope.addHook('onSend', async (req, reply, payload) => {
        if (reply.statusCode < 500 || String(reply.getHeader('content-type') ?? '').includes('problem+json'))
          return payload;
        const text = typeof payload === 'string' ? payload : '';
        const redisDown =
          /timed out|ECONNREFUSED|ECONNRESET|Connection is closed|Stream isn't writeable|enableOfflineQueue|LOADING|READONLY/i.test(
            text,
          );
        req.log.warn({ status: reply.statusCode, error: text.slice(0, 2000) }, 'queue dashboard error');
        const body = redisDown
          ? problemBody(503, 'queue_unavailable', 'Queue unavailable', unavailableDetail(req.method), [], req.id)
          : problemBody(
              500,
              'internal_error',
              'Internal error',
              'an unexpected error occurred; the request id identifies it in the logs',
              [],
              req.id,
            );
        reply.code(body.status).type('application/problem+json');
        if (redisDown) reply.header('retry-after', '2');
        return JSON.stringify(body);
      });
      // bull-board's page links a Google Fonts stylesheet, which the CSP blocks (style-src 'self') and
      // which would tell a third party who opens the dashboard: the page goes without it (system fonts)
      scope.addHook('onSend', async (_req, reply, payload) => {
        if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html'))
          return payload;
        return payload.replace(/<link[^>]*href="https:\/\/fonts\.googleapis\.com[^>]*>/g, '');
      });
      await scope.register(serverAdapter.registerPlugin() as never);
    },
    { prefix: DASHBOARD_PATH },
  );
}
