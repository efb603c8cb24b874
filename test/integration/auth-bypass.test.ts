/**
 * Authentication is decided on the matched route, deny by default: however the request target is
 * written (percent-encoded, absolute form as a proxy sends it, `//v1`, trailing slash, case, HEAD,
 * OPTIONS) nothing but the public routes answers without a key, nothing is queued, and an
 * unmatched URL does not tell an unauthenticated caller that it does not exist. Repeated failures
 * from one address are throttled (429 + Retry-After).
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
let port: number;
const KEY = 'alice-secret-key-1';
const prefix = `ab-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, { QUEUE_PREFIX: prefix, API_KEYS: `alice:${KEY}`, LIMIT_AUTH_FAILURES: '10000' });
  await t.connected();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

/** Sends one raw HTTP/1.1 request (the target exactly as given) and returns the status line's code and the body. */
function raw(target: string, method = 'POST', body = '{}'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let data = '';
    sock.setTimeout(5000, () => {
      sock.destroy();
      reject(new Error('timeout'));
    });
    sock.on('data', (d) => {
      data += d.toString();
    });
    sock.on('error', reject);
    sock.on('end', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), text: data }));
    sock.write(
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

async function queued(): Promise<number> {
  const q = new Queue('lr-range-tests', { connection: { url: redis.url }, prefix });
  const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized');
  await q.close();
  return Object.values(c).reduce((a, b) => a + b, 0);
}

describe('deny by default on the matched route', () => {
  const targets = [
    '/%761/lr-range-tests',
    '/v1/lr-range-tests/',
    '//v1/lr-range-tests',
    '/V1/LR-RANGE-TESTS',
    '/v1/Lr-Range-Tests',
    '/v1/%6Cr-range-tests',
    '/v1/lr-range-tests?x=1',
    '/./v1/lr-range-tests',
    '/v1//lr-range-tests',
  ];

  it.each(targets)('POST %s without a key: 401, nothing queued', async (url) => {
    const res = await t.app.inject({ method: 'POST', url, payload: { preset: 'spirals-mlp', num_iter: 10 } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it.each([
    `http://127.0.0.1:PORT/v1/lr-range-tests`,
    'http://evil.example/v1/lr-range-tests',
    '/%761/lr-range-tests',
    '//v1/lr-range-tests',
    `HTTP://127.0.0.1:PORT/v1/datasets`,
  ])('a real server, raw socket: POST %s without a key is 401', async (target) => {
    const res = await raw(
      target.replace('PORT', String(port)),
      'POST',
      JSON.stringify({ preset: 'spirals-mlp', num_iter: 10 }),
    );
    expect([400, 401]).toContain(res.status);
    expect(res.text).not.toMatch(/"id":"[0-9a-f-]{36}"/);
  });

  it('an absolute-form target to a job route is a 401 (not routed past the check)', async () => {
    const res = await raw(`http://127.0.0.1:${port}/v1/lr-range-tests`);
    expect(res.status).toBe(401);
  });

  it.each(['HEAD', 'OPTIONS', 'GET', 'DELETE', 'PUT'] as const)(
    '%s /v1/lr-range-tests without a key: 401',
    async (method) => {
      const res = await t.app.inject({ method, url: '/v1/lr-range-tests' });
      expect(res.statusCode).toBe(401);
    },
  );

  it('an unmatched URL without a key is a 401 that names no route; with a key it is a 404', async () => {
    const anon = await t.app.inject({ method: 'GET', url: '/internal/secret-admin' });
    expect(anon.statusCode).toBe(401);
    expect(anon.body).not.toContain('secret-admin');
    const authed = await t.app.inject({
      method: 'GET',
      url: '/internal/secret-admin',
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(authed.statusCode).toBe(404);
  });

  it('nothing was queued by any of the above', async () => {
    expect(await queued()).toBe(0);
  });

  it('the allow-list stays open: /healthz, /readyz, /docs and its assets, /openapi.json (GET and HEAD)', async () => {
    for (const url of [
      '/healthz',
      '/readyz',
      '/docs',
      '/docs/',
      '/docs/static/index.html',
      '/docs/static/swagger-ui.css',
      '/docs/json',
      '/openapi.json',
    ]) {
      for (const method of ['GET', 'HEAD'] as const) {
        const res = await t.app.inject({ method, url });
        expect(res.statusCode, `${method} ${url}`).not.toBe(401);
        expect(res.statusCode, `${method} ${url}`).toBeLessThan(500 + (url === '/readyz' ? 100 : 0));
      }
    }
  });

  it('a valid key passes, through bearer (any case) or X-API-Key', async () => {
    for (const headers of [
      { authorization: `Bearer ${KEY}` },
      { authorization: `bearer ${KEY}` },
      { 'x-api-key': KEY },
    ]) {
      expect((await t.app.inject({ method: 'GET', url: '/v1/presets', headers })).statusCode).toBe(200);
    }
  });
});

describe('failed authentications are throttled per address', () => {
  it('past LIMIT_AUTH_FAILURES: 429 + Retry-After for requests without a valid key; a valid key from that address is served; other addresses unaffected', async () => {
    const s = await appOn(redis.url, {
      QUEUE_PREFIX: prefix,
      API_KEYS: `alice:${KEY}`,
      LIMIT_AUTH_FAILURES: '3',
      LIMIT_AUTH_FAILURES_PER_MIN: '6',
    });
    try {
      const from = (remoteAddress: string, key?: string) =>
        s.app.inject({
          method: 'GET',
          url: '/v1/presets',
          remoteAddress,
          headers: key ? { authorization: `Bearer ${key}` } : {},
        });
      for (let i = 0; i < 3; i++) expect((await from('10.0.0.1', 'wrong-key-123')).statusCode).toBe(401);
      const blocked = await from('10.0.0.1', 'wrong-key-123');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toMatchObject({ code: 'too_many_auth_failures', status: 429 });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(10);
      expect((await from('10.0.0.1', KEY)).statusCode).toBe(200);
      expect((await from('10.0.0.1')).statusCode).toBe(429);
      expect((await from('10.0.0.2', KEY)).statusCode).toBe(200);
      expect((await from('10.0.0.2')).statusCode).toBe(401);
      expect((await s.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    } finally {
      await s.close();
    }
  });
});
