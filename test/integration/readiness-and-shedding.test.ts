/**
 * /readyz is not ready on a Redis that can lose accepted jobs (an evicting policy, no AOF) unless
 * ALLOW_UNSAFE_REDIS=true; under event-loop pressure non-health routes answer 503 problems with
 * Retry-After while /healthz keeps answering.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { persistenceProblems } from '../../src/api/routes/health.js';
import { startRedisServer, type RedisServer } from '../../src/redis/embedded.js';
import { appOn, testConfig } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let safe: TestRedis;
let unsafe: RedisServer;
const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-unsafe-'));

beforeAll(async () => {
  safe = await startTestRedis();
  unsafe = await startRedisServer({ dir, extraArgs: ['--maxmemory-policy', 'allkeys-lru', '--appendonly', 'no'] });
});

afterAll(async () => {
  await safe?.cleanup();
  await unsafe?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** readiness of an app on `url` with one (idle) BullMQ worker on its queue */
async function readiness(url: string, env: Record<string, string> = {}) {
  const prefix = `rdy-${Math.random().toString(16).slice(2, 8)}`;
  const t = await appOn(url, { QUEUE_PREFIX: prefix, ...env });
  const w = new Worker('lr-range-tests', async () => null, { connection: { url }, prefix, skipVersionCheck: true });
  try {
    await t.connected();
    await w.waitUntilReady();
    for (let i = 0; i < 50; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      if (res.json().checks?.workers > 0) return res;
      await new Promise((r) => setTimeout(r, 50));
    }
    return t.app.inject({ method: 'GET', url: '/readyz' });
  } finally {
    await w.close();
    await t.close();
  }
}

describe('/readyz and Redis persistence', () => {
  it('reads the policy and AOF from INFO', () => {
    expect(persistenceProblems('aof_enabled:1\r\nmaxmemory_policy:noeviction\r\n')).toEqual([]);
    expect(persistenceProblems('aof_enabled:0\r\nmaxmemory_policy:allkeys-lru\r\n')).toHaveLength(2);
  });

  it('noeviction + AOF + a worker: ready', async () => {
    const res = await readiness(safe.url);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok', persistence: 'ok' } });
  });

  it('allkeys-lru and appendonly no: not ready, and checks say why', async () => {
    const res = await readiness(unsafe.url);
    expect(res.statusCode).toBe(503);
    expect(res.json().status).toBe('not_ready');
    const why = (res.json().checks.persistence as string[]).join(' ');
    expect(why).toContain('allkeys-lru');
    expect(why).toContain('appendonly');
  });

  it('ALLOW_UNSAFE_REDIS=true: ready, the problems still reported', async () => {
    const res = await readiness(unsafe.url, { ALLOW_UNSAFE_REDIS: 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks.persistence).toHaveLength(2);
  });
});

describe('load shedding', () => {
  it('a blocked event loop: non-health routes 503 overloaded with Retry-After, /healthz stays 200', async () => {
    const config = testConfig({ REDIS_URL: safe.url, MAX_EVENT_LOOP_DELAY_MS: '50' });
    const app = await buildApp({ config, logger: false, sampleIntervalMs: 20 });
    await app.ready();
    try {
      let shed: Awaited<ReturnType<typeof app.inject>> | null = null;
      let health: Awaited<ReturnType<typeof app.inject>> | null = null;
      for (let i = 0; i < 20 && !shed; i++) {
        const until = Date.now() + 300;
        while (Date.now() < until) {
          /* block the event loop, as a huge synchronous response would */
        }
        await new Promise((r) => setImmediate(r));
        const res = await app.inject({
          method: 'POST',
          url: '/v1/curve-analyses',
          payload: { lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2] },
        });
        if (res.statusCode === 503) {
          shed = res;
          health = await app.inject({ method: 'GET', url: '/healthz' });
        }
      }
      expect(shed).not.toBeNull();
      expect(shed!.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(shed!.json()).toMatchObject({ status: 503, code: 'overloaded' });
      expect(Number(shed!.headers['retry-after'])).toBeGreaterThan(0);
      expect(health!.statusCode).toBe(200);
      // and once the loop is free again, the route answers
      await new Promise((r) => setTimeout(r, 200));
      expect(
        (
          await app.inject({
            method: 'POST',
            url: '/v1/curve-analyses',
            payload: { lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2] },
          })
        ).statusCode,
      ).toBe(200);
    } finally {
      await app.close();
    }
  });
});
