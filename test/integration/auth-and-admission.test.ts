/**
 * API keys and admission control against a real Redis: 401 without a key, another owner's job
 * is a 404 (no existence oracle), listing shows only your own jobs, and LIMIT_JOBS_PER_KEY
 * answers 429 with Retry-After once an owner has that many jobs queued (no worker runs here).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
const ALICE = 'alice-secret-key-1';
const BOB = 'bob-secret-key-22';

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, {
    QUEUE_PREFIX: `a-${randomUUID().slice(0, 8)}`,
    API_KEYS: `alice:${ALICE},bob:${BOB}`,
    LIMIT_JOBS_PER_KEY: '2',
  });
  await t.connected();
});

afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

const as = (key: string | null, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, payload, headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('API keys', () => {
  it('no key or a wrong key is a 401 problem with WWW-Authenticate; health stays open', async () => {
    for (const key of [null, 'not-a-valid-key']) {
      const res = await as(key, 'POST', '/v1/lr-range-tests', { preset: 'spirals-mlp' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    expect((await as(null, 'GET', '/healthz')).statusCode).toBe(200);
  });

  it('another owner cannot see, cancel or list your job (404, not 403)', async () => {
    const created = await as(ALICE, 'POST', '/v1/lr-range-tests', { preset: 'spirals-mlp' });
    expect(created.statusCode).toBe(202);
    const id = created.json().id;
    expect((await as(ALICE, 'GET', `/v1/lr-range-tests/${id}`)).statusCode).toBe(200);
    expect((await as(BOB, 'GET', `/v1/lr-range-tests/${id}`)).statusCode).toBe(404);
    expect((await as(BOB, 'POST', `/v1/lr-range-tests/${id}/cancel`)).statusCode).toBe(404);
    const bobs = (await as(BOB, 'GET', '/v1/lr-range-tests')).json();
    expect(JSON.stringify(bobs)).not.toContain(id);
    const alices = (await as(ALICE, 'GET', '/v1/lr-range-tests')).json();
    expect(JSON.stringify(alices)).toContain(id);
  });
});

describe('LIMIT_JOBS_PER_KEY', () => {
  it('refuses a third queued job with 429 and Retry-After, other owners unaffected, canceling frees a slot', async () => {
    // alice already has one queued job from the test above
    const second = await as(ALICE, 'POST', '/v1/lr-range-tests', { preset: 'spirals-mlp' });
    expect(second.statusCode).toBe(202);
    const third = await as(ALICE, 'POST', '/v1/lr-range-tests', { preset: 'spirals-mlp' });
    expect(third.statusCode).toBe(429);
    expect(third.headers['retry-after']).toBe('5');
    expect(third.json()).toMatchObject({ code: 'too_many_jobs', status: 429 });
    expect(third.json().detail).toContain('LIMIT_JOBS_PER_KEY');

    expect((await as(BOB, 'POST', '/v1/lr-range-tests', { preset: 'spirals-mlp' })).statusCode).toBe(202);

    await as(ALICE, 'POST', `/v1/lr-range-tests/${second.json().id}/cancel`);
    expect((await as(ALICE, 'POST', '/v1/lr-range-tests', { preset: 'spirals-mlp' })).statusCode).toBe(202);
  });
});
