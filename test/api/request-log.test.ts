/**
 * Logs a person can watch: one line per request at `info` (method, URL, status, time), an error
 * line for a 5xx, and pino-pretty's human-readable lines with LOG_FORMAT=pretty.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/logger.js';
import { producerConnection } from '../../src/queue/connection.js';
import { JobStore } from '../../src/queue/jobs.js';

describe('request logging', () => {
  it('writes exactly one line per request, with method, url, status and time', async () => {
    const lines: Record<string, unknown>[] = [];
    const redis = producerConnection('redis://127.0.0.1:1', { lazyConnect: true });
    const config = loadConfig({ LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0', LOG_FORMAT: 'json' });
    const app = await buildApp({
      config,
      jobs: new JobStore(redis, { prefix: 't', resultTtlSeconds: 1 }),
      logger: {
        stream: {
          write: (l: string) => {
            lines.push(JSON.parse(l));
          },
        },
      },
    });
    await app.ready();
    lines.length = 0;
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({
      method: 'POST',
      url: '/v1/schedules/preview',
      payload: { schedule: { type: 'StepLR', lr: 0.1, step_size: 2 }, steps: 4 },
    });
    await app.inject({ method: 'GET', url: '/nowhere' });
    await app.close();
    redis.disconnect();
    const requests = lines.filter((l) => 'status' in l);
    expect(requests.map((l) => `${l.method} ${l.url} ${l.status}`)).toEqual([
      'GET /healthz 200',
      'POST /v1/schedules/preview 200',
      'GET /nowhere 404',
    ]);
    for (const l of requests) {
      expect(l.level).toBe(30);
      expect(typeof l.ms).toBe('number');
      expect(l.reqId).toBeTruthy();
    }
    // nothing else per request: Fastify's own "incoming request" / "request completed" lines are off
    expect(lines.filter((l) => /incoming request|request completed/.test(String(l.msg)))).toEqual([]);
  });

  it('LOG_FORMAT picks pino-pretty or JSON; anything else is a configuration error', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT must be json or pretty/);
    expect(loggerOptions('info', 'api', 'pretty').transport).toMatchObject({ target: 'pino-pretty' });
    expect(loggerOptions('info', 'api', 'json').transport).toBeUndefined();
  });
});
