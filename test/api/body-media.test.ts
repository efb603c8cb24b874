/**
 * A body the route cannot read says what to send: a wrong or missing Content-Type is a 415 problem
 * naming the type(s) to send (application/json; application/json or text/csv on dataset uploads,
 * in the detail and in Accept-Post); an empty body is a 400 `empty_body`, never a schema message
 * about `/` or a 500. Nothing is queued or stored: the app's Redis is a closed port, so reaching
 * the store would be a 503.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithoutRedis } from '../helpers/app.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;

beforeAll(async () => {
  t = await appWithoutRedis();
});

afterAll(async () => {
  await t?.close();
});

const post = (url: string, payload: string | undefined, type?: string) =>
  t.app.inject({
    method: 'POST',
    url,
    ...(payload === undefined ? {} : { payload }),
    headers: type ? { 'content-type': type } : {},
  });

describe('415: a body in a media type the route does not take', () => {
  it.each([
    ['text/plain (a JSON document sent as text)', '{"preset": "spirals-mlp"}', 'text/plain'],
    ['curl -d without -H (form-urlencoded)', '{"preset": "spirals-mlp"}', 'application/x-www-form-urlencoded'],
    ['text/csv on a JSON route', 'a,b\n1,2\n', 'text/csv'],
    ['no Content-Type at all', '{"preset": "spirals-mlp"}', undefined],
  ])('%s → 415 naming application/json', async (_what, payload, type) => {
    const res = await post('/v1/lr-range-tests', payload, type);
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['accept-post']).toBe('application/json');
    const p = res.json();
    expect(p.code).toBe('unsupported_media_type');
    expect(p.detail).toContain('POST /v1/lr-range-tests does not take');
    expect(p.detail).toContain(type ? `a body of type ${type}` : 'a body without a Content-Type header');
    expect(p.detail).toContain('send Content-Type: application/json');
    expect(p.detail).not.toContain('text/csv (curl');
  });

  it('dataset uploads name both types they take', async () => {
    const res = await post('/v1/datasets?task=regression', 'a,b\n1,2\n3,4\n', 'text/plain');
    expect(res.statusCode).toBe(415);
    expect(res.headers['accept-post']).toBe('application/json, text/csv');
    expect(res.json().detail).toContain('send Content-Type: application/json or Content-Type: text/csv');
  });

  it('every JSON route says the same (curve analyses, schedule preview, sweep sessions)', async () => {
    for (const url of ['/v1/curve-analyses', '/v1/schedules/preview', '/v1/sweep-sessions', '/v1/lr-searches']) {
      const res = await post(url, '{}', 'text/plain');
      expect(res.statusCode, url).toBe(415);
      expect(res.json().detail, url).toContain(
        `POST ${url} does not take a body of type text/plain: send Content-Type: application/json`,
      );
    }
  });
});

describe('400 empty_body: a route that takes a body got none', () => {
  it.each([
    ['no body, no Content-Type', '/v1/lr-range-tests', undefined, undefined],
    ['an empty application/json body', '/v1/lr-range-tests', '', 'application/json'],
    ['no body on curve analyses', '/v1/curve-analyses', undefined, undefined],
  ])('%s → empty_body saying what to send', async (_what, url, payload, type) => {
    const res = await post(url, payload, type);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const p = res.json();
    expect(p.code).toBe('empty_body');
    expect(p.errors).toEqual([{ pointer: '/', detail: 'is empty' }]);
    expect(p.detail).toContain('send a JSON object with Content-Type: application/json');
  });

  it('dataset uploads: no body (was a 500) and an empty CSV are 400s naming JSON and CSV', async () => {
    for (const [payload, type] of [
      [undefined, undefined],
      ['', 'text/csv'],
      ['\n  \n', 'text/csv'],
      ['', 'application/json'],
    ] as const) {
      const res = await post('/v1/datasets?task=regression', payload, type);
      expect(res.statusCode, `${type} ${JSON.stringify(payload)}`).toBe(400);
      const p = res.json();
      expect(p.code).toBe('empty_body');
      expect(p.detail).toContain(
        'Content-Type: application/json, or a CSV file (a header row, then the rows) with Content-Type: text/csv',
      );
    }
  });

  it('JSON null is not empty: the schema answers (must be object), and routes without a body still take none', async () => {
    const res = await post('/v1/lr-range-tests', 'null', 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_request');
    // a cancel has no body schema: it reaches the store (503 here: the app's Redis is a closed port), not a 400
    const cancel = await t.app.inject({
      method: 'POST',
      url: '/v1/lr-range-tests/00000000-0000-4000-8000-000000000000/cancel',
    });
    expect(cancel.statusCode).toBe(503);
  });
});
