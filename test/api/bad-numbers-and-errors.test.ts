/**
 * Bad numbers and error hygiene: `1e400` (which JSON.parse turns into Infinity) is a 400 at its
 * pointer on every route that takes JSON; a prototype-poisoning body gets its own message; a URL
 * segment over the parameter limit is a 414 problem; messages never say "Infinity%"; a Redis
 * failure is a 503 whose detail carries no Redis error text.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNonFinite } from '../../src/api/json-body.js';
import { appOn, appWithoutRedis } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;

beforeAll(async () => {
  t = await appWithoutRedis();
});

afterAll(async () => {
  await t?.close();
});

const raw = (url: string, payload: string, type = 'application/json') =>
  t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });

function expectNonFinite(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => any },
  pointer: string,
) {
  expect(res.statusCode).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json().errors).toEqual([{ pointer, detail: expect.stringContaining('not a finite number') }]);
}

describe('non-finite numbers are refused at their pointer', () => {
  it('findNonFinite: the first one, depth first, with RFC 6901 escaping', () => {
    expect(findNonFinite({ a: [1, 2, { 'b/c': Infinity }] })).toBe('/a/2/b~1c');
    expect(findNonFinite({ a: 1, b: [-Infinity] })).toBe('/b/0');
    expect(findNonFinite(Infinity)).toBe('/');
    expect(findNonFinite({ a: 1e308, b: [Number.MAX_VALUE] })).toBeNull();
  });

  it('curve analyses: 1e400 in losses is a 400 at /losses/2 (not 200 with every suggestion null)', async () => {
    expectNonFinite(
      await raw('/v1/curve-analyses', '{"lrs": [0.001, 0.01, 0.1, 1], "losses": [2.3, 2.1, 1e400, 3.0]}'),
      '/losses/2',
    );
    expectNonFinite(
      await raw('/v1/curve-analyses', '{"lrs": [0.001, 0.01, 0.1, 1], "losses": [2.3, 2.1, -1e400, 3.0]}'),
      '/losses/2',
    );
  });

  it('range tests with inline data: a 400 at /data/x/1/0, nothing queued (no 503, no 500)', async () => {
    const body =
      '{"model": {"hidden": [4]}, "data": {"x": [[0, 1], [1e400, 0], [1, 1], [0, 0]], "y": [0, 1, 1, 0], "task": "classification"}}';
    expectNonFinite(await raw('/v1/lr-range-tests', body), '/data/x/1/0');
  });

  it('dataset uploads (JSON) and sweep-session reports refuse it too; CSV cells are checked as numbers', async () => {
    expectNonFinite(await raw('/v1/datasets', '{"task": "regression", "x": [[1], [2]], "y": [1e400, 2]}'), '/y/0');
    expectNonFinite(
      await raw('/v1/schedules/preview', '{"schedule": {"type": "StepLR", "lr": 1e999, "step_size": 2}, "steps": 4}'),
      '/schedule/lr',
    );
    const csv = await raw('/v1/datasets?task=regression', 'a,b\n1,2\n1e400,3\n', 'text/csv');
    expect(csv.statusCode).toBe(400);
    expect(csv.json().errors[0].pointer).toBe('/x/1/0');
  });
});

describe('error hygiene', () => {
  it('a prototype-poisoning body: 400 forbidden_property, not a misleading "invalid JSON / NaN" message', async () => {
    for (const body of ['{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"admin": true}}}']) {
      const res = await raw('/v1/curve-analyses', body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().code).toBe('forbidden_property');
      expect(res.json().detail).not.toMatch(/NaN|allow_nan/);
    }
  });

  it('a path segment over the parameter limit: 414 problem+json', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${'a'.repeat(300)}` });
    expect(res.statusCode).toBe(414);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 414, code: 'uri_too_long' });
  });

  it('malformed HTTP on a real socket: a 400 problem+json', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as AddressInfo).port;
    const text = await new Promise<string>((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port });
      let data = '';
      sock.on('data', (d) => {
        data += d.toString();
      });
      sock.on('end', () => resolve(data));
      sock.on('error', reject);
      sock.write('GET / HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n');
    });
    expect(text).toMatch(/^HTTP\/1\.1 400/);
    expect(text).toMatch(/content-type: application\/problem\+json/i);
  });

  it('no message says "Infinity%": an overflowing rise in a curve is reported in words', async () => {
    const res = await raw(
      '/v1/curve-analyses',
      JSON.stringify({ lrs: [1e-4, 1e-3, 1e-2, 1e-1], losses: [-1e308, 1e308, 1e308, 1e308] }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/Infinity|NaN/);
    expect(res.json().warnings.map((w: { code: string }) => w.code)).toContain('diverges_immediately');
  });
});

describe('503 details carry no Redis error text', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.cleanup();
  });

  it('a command that times out (Redis paused): 503 queue_unavailable with a generic detail', async () => {
    const s = await appOn(redis.url, { QUEUE_PREFIX: 'leak' });
    const admin = new Redis(redis.url);
    try {
      await s.connected();
      expect((await s.app.inject({ method: 'GET', url: '/v1/lr-range-tests' })).statusCode).toBe(200);
      await admin.call('CLIENT', 'PAUSE', '3000', 'ALL');
      const res = await s.app.inject({ method: 'GET', url: '/v1/lr-range-tests' });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('queue_unavailable');
      expect(res.json().detail).not.toMatch(/timed out|EXECABORT|ECONN|Stream|Redis|enableOfflineQueue/i);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      admin.disconnect();
      await s.close();
    }
  });
});
