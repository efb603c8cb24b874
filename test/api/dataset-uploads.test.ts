/**
 * The upload route without Redis: its own body limit (LIMIT_UPLOAD_BYTES, above LIMIT_BODY_BYTES),
 * validation before the store (a valid body answers 503, never 201), and GET /v1/datasets still
 * listing the built-ins with `uploads: null`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithoutRedis } from '../helpers/app.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis({ LIMIT_BODY_BYTES: '65536', LIMIT_UPLOAD_BYTES: '1048576' });
});
afterAll(async () => {
  await t.close();
});

/** a JSON regression upload of about `bytes` bytes */
function bodyOf(bytes: number) {
  const n = Math.ceil(bytes / 24);
  const x = Array.from({ length: n }, (_, i) => [i + 0.123456789, i + 0.987654321]);
  return JSON.stringify({ task: 'regression', x, y: x.map((r) => r[0]) });
}

describe('POST /v1/datasets limits', () => {
  it('takes bodies above LIMIT_BODY_BYTES up to LIMIT_UPLOAD_BYTES (then the store: 503 without Redis)', async () => {
    const payload = bodyOf(200_000);
    expect(payload.length).toBeGreaterThan(65536);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/datasets',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode).toBe(503);
    const job = await t.app.inject({
      method: 'POST',
      url: '/v1/lr-range-tests',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(job.statusCode).toBe(413);
  });

  it('413 above LIMIT_UPLOAD_BYTES', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/datasets',
      headers: { 'content-type': 'application/json' },
      payload: bodyOf(1_200_000),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('body_too_large');
  });

  it('validates before touching the store: a bad body is a 400 even without Redis', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/datasets',
      payload: { task: 'classification', x: [[1], [2, 3]], y: [0, 1] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].pointer).toBe('/x/1');
  });

  it('a job naming a dataset_id needs the store: 503 without Redis', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/lr-range-tests',
      payload: { data: { dataset_id: 'abc' } },
    });
    expect(res.statusCode).toBe(503);
  });
});

describe('GET /v1/datasets without Redis', () => {
  it('lists the built-ins and uploads: null', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/datasets' });
    expect(res.statusCode).toBe(200);
    expect(res.json().datasets.length).toBe(8);
    expect(res.json().uploads).toBeNull();
  });
});
