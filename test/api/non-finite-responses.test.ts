/**
 * No NaN or Infinity in any JSON body (sanitize.ts), through the app's own serialisers: routes
 * added to the real app (buildApp) return non-finite numbers in `number` and `integer` fields of a
 * response schema, in fields the schema leaves open, in arrays, and without any response schema.
 * Every body parses with JSON.parse (which refuses bare NaN/Infinity tokens) and holds null there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { nonFiniteSafe, sanitizeNonFinite } from '../../src/api/sanitize.js';
import { freePort } from '../../src/redis/embedded.js';
import { testConfig } from '../helpers/app.js';

let app: FastifyInstance;

const body = () => ({
  x: NaN,
  y: Infinity,
  n: -Infinity,
  i: NaN,
  list: [1, NaN, Infinity, 2.5],
  open: { deep: [{ v: -Infinity }] },
  ok: 3,
});

beforeAll(async () => {
  app = await buildApp({ config: testConfig({ REDIS_URL: `redis://127.0.0.1:${await freePort()}` }), logger: false });
  app.get(
    '/test/schema',
    {
      config: { public: true },
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              x: { type: ['number', 'null'] },
              y: { type: ['number', 'null'] },
              n: { type: 'number' },
              i: { type: ['integer', 'null'] },
              list: { type: 'array', items: { type: ['number', 'null'] } },
              open: { type: 'object', additionalProperties: true },
              ok: { type: 'number' },
            },
          },
        },
      },
    },
    async () => body(),
  );
  app.get('/test/no-schema', { config: { public: true } }, async () => body());
  app.get(
    '/test/finite',
    {
      config: { public: true },
      schema: {
        response: {
          200: {
            type: 'object',
            properties: { a: { type: 'number' }, b: { type: 'array', items: { type: 'integer' } } },
          },
        },
      },
    },
    async () => ({ a: 1.5, b: [1, 2, 3] }),
  );
  await app.ready();
});

afterAll(async () => {
  await app?.close();
});

describe('non-finite numbers in responses', () => {
  it.each(['/test/schema', '/test/no-schema'])(
    '%s: every non-finite number is null, the body is valid JSON',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toMatch(/NaN|Infinity/);
      const parsed = JSON.parse(res.body);
      expect(parsed.x).toBeNull();
      expect(parsed.y).toBeNull();
      expect(parsed.i).toBeNull();
      expect(parsed.list).toEqual([1, null, null, 2.5]);
      expect(parsed.open).toEqual({ deep: [{ v: null }] });
      expect(parsed.ok).toBe(3);
    },
  );

  it('a finite body is serialised by its schema unchanged', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/finite' });
    expect(res.json()).toEqual({ a: 1.5, b: [1, 2, 3] });
  });

  it('nonFiniteSafe: the body is sanitised only when the serialiser throws, and a throw on a finite body still throws', () => {
    const seen: unknown[] = [];
    // like fast-json-stringify: throws on NaN in a number field and on a missing required property
    const strict = (doc: unknown) => {
      seen.push(doc);
      if (Number.isNaN((doc as { bad?: number }).bad))
        throw new Error('The value "NaN" cannot be converted to a number.');
      if ((doc as { fail?: boolean }).fail) throw new Error('required property missing');
      return JSON.stringify(doc);
    };
    const safe = nonFiniteSafe(strict);
    const finite = { a: 1 };
    expect(safe(finite)).toBe('{"a":1}');
    expect(seen).toEqual([finite]); // one call, the body itself: nothing walked or copied
    seen.length = 0;
    expect(safe({ bad: NaN })).toBe('{"bad":null}');
    expect(seen).toHaveLength(2);
    expect(() => safe({ fail: true })).toThrow(/required property missing/);
  });

  it('sanitizeNonFinite copies only what changes', () => {
    const inner = { a: [1, 2] };
    const doc = { inner, v: [NaN] };
    const out = sanitizeNonFinite(doc);
    expect(out).toEqual({ inner: { a: [1, 2] }, v: [null] });
    expect(out.inner).toBe(inner);
    expect(doc.v[0]).toBeNaN(); // the original is untouched
    expect(sanitizeNonFinite(inner)).toBe(inner);
  });
});
