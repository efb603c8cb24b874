/**
 * The queue dashboard and the job routes when Redis fails (issue 17 §8): problem+json without
 * internals (no "Command timed out", no paths), the cause in the log only; a GET is not told that
 * "nothing was queued".
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn, appWithoutRedis } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
}, 60_000);
afterAll(async () => {
  await redis?.cleanup();
});

const INTERNALS = /timed out|EXECABORT|ECONN|ENOENT|Stream|enableOfflineQueue|\/work\/|node_modules|\bat \w/i;

describe('the queue dashboard when Redis fails', () => {
  it('Redis paused (commands time out): 503 problem+json, no raw error text', async () => {
    const s = await appOn(redis.url, { QUEUE_PREFIX: 'dash-err' });
    const admin = new Redis(redis.url);
    try {
      await s.connected();
      expect((await s.app.inject({ method: 'GET', url: '/admin/queues/api/queues' })).statusCode).toBe(200);
      await admin.call('CLIENT', 'PAUSE', '4000', 'ALL');
      const res = await s.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().code).toBe('queue_unavailable');
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.body).not.toMatch(INTERNALS);
    } finally {
      admin.disconnect();
      await s.close();
    }
  }, 60_000);

  it('Redis down: the dashboard API answers 503 problem+json at once; the page itself still loads', async () => {
    const t = await appWithoutRedis();
    try {
      const res = await t.app.inject({ method: 'GET', url: '/admin/queues/api/queues' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().detail).toMatch(/nothing could be read/);
      expect(res.body).not.toMatch(INTERNALS);
      expect((await t.app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('queue_unavailable says what the request did', () => {
  it('a GET read nothing; a POST queued nothing', async () => {
    const t = await appWithoutRedis();
    try {
      for (const url of ['/v1/lr-range-tests', '/v1/lr-range-tests/6f1c2d3e-4a5b-4c6d-8e7f-0123456789ab']) {
        const res = await t.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(503);
        expect(res.json().code).toBe('queue_unavailable');
        expect(res.json().detail, url).toMatch(/nothing could be read/);
        expect(res.json().detail, url).not.toMatch(/queued/);
      }
      const post = await t.app.inject({
        method: 'POST',
        url: '/v1/lr-range-tests',
        payload: { preset: 'spirals-mlp' },
      });
      expect(post.statusCode).toBe(503);
      expect(post.json().detail).toMatch(/nothing was queued/);
    } finally {
      await t.close();
    }
  }, 60_000);
});
