/**
 * The API's event loop stays free (issue 17 §4), as behaviour (speed is bench/event-loop.ts):
 * - GET /v1/{kind}/{id} sends the stored result text spliced into the resource: byte for byte what
 *   the route answered when it parsed the result and serialised it again with its schema;
 * - plot.svg / curve.csv of a result larger than INLINE_VIEW_BYTES render in the offload pool;
 * - uploads are parsed in the offload pool: when its threads and queue are full the answer is a
 *   503 `busy` problem with Retry-After, and nothing is stored.
 */
import Fastify from 'fastify';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobResource } from '../../src/api/job-resource.js';
import { nonFiniteSafeSerializers } from '../../src/api/sanitize.js';
import { registerSchemas } from '../../src/api/schemas.js';
import { findKind } from '../../src/kinds/registry.js';
import { appOn } from '../helpers/app.js';
import { finished, jobApi, type Json, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ tag: 'offload' });
});
afterAll(async () => {
  await s?.close();
});

/** GET /v1/{kind}/{id} as it was: the job read with its result parsed, serialised by the route's response schema. */
async function before(kind: string, id: string): Promise<string> {
  const app = Fastify({
    logger: false,
    schemaController: { compilersFactory: { buildSerializer: nonFiniteSafeSerializers() } },
  });
  registerSchemas(app);
  const k = findKind(kind)!;
  app.get('/old', { schema: { response: { 200: Type.Ref((k.schemas.job as { $id: string }).$id) } } }, async () =>
    jobResource((await s.t.jobs.get(k.name, id))!),
  );
  await app.ready();
  try {
    return (await app.inject({ method: 'GET', url: '/old' })).body;
  } finally {
    await app.close();
  }
}

const JOBS: [string, unknown][] = [
  ['lr-range-tests', { model: { hidden: [8] }, num_iter: 30, repeats: 2 }],
  [
    'schedule-simulations',
    {
      steps: 20,
      schedules: [
        { name: 'const', schedule: { type: 'ConstantLR', lr: 0.05, factor: 1, total_iters: 0 } },
        { name: 'cos', schedule: { type: 'CosineAnnealingLR', lr: 0.05, T_max: 20 } },
      ],
      train: { model: { hidden: [8] }, batch_size: 16 },
    },
  ],
  ['diagnostics', { model: { hidden: [8] }, overfit_steps: 20 }],
];

describe('GET /v1/{kind}/{id} with a stored result', () => {
  it.each(JOBS)(
    '%s: the same bytes as parsing the result and serialising it again',
    { timeout: 180_000 },
    async (kind, body) => {
      const api = jobApi(s, kind);
      const sub = await api.submit(body);
      expect(sub.res.statusCode, JSON.stringify(sub.json)).toBe(202);
      const { final } = await api.waitFor(sub.json.id, finished, 120_000);
      expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
      const res = await s.t.app.inject({ method: 'GET', url: `/v1/${kind}/${sub.json.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toBe(await before(kind, sub.json.id));
      expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
    },
  );
});

describe('views of a large result render in the offload pool', () => {
  it(
    'plot.svg and curve.csv of a result above INLINE_VIEW_BYTES match the same views rendered from the parsed result',
    { timeout: 240_000 },
    async () => {
      const api = jobApi(s, 'lr-range-tests');
      const sub = await api.submit({ model: { hidden: [8] }, num_iter: 1500, repeats: 2 });
      expect(sub.res.statusCode, JSON.stringify(sub.json)).toBe(202);
      const { final } = await api.waitFor(sub.json.id, finished, 180_000);
      expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
      expect(Buffer.byteLength(JSON.stringify(final.result))).toBeGreaterThan(64 * 1024);
      const views = findKind('lr-range-tests')!.views;
      const svg = await s.t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${sub.json.id}/plot.svg` });
      expect(svg.statusCode).toBe(200);
      expect(svg.body).toBe(views.svg!.render(final.result, final.request));
      const csv = await s.t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${sub.json.id}/curve.csv` });
      expect(csv.statusCode).toBe(200);
      expect(csv.body).toBe(views.csv!.render(final.result, final.request));
    },
  );
});

describe('the offload pool when it is full', () => {
  const csv = 'a,b\n' + Array.from({ length: 2000 }, (_, i) => `${i},${i % 2}`).join('\n') + '\n';

  it(
    'no thread and no queue (API_THREADS=0): every upload is a 503 busy problem with Retry-After, nothing stored',
    { timeout: 60_000 },
    async () => {
      const t = await appOn(s.redis.url, { QUEUE_PREFIX: `${s.prefix}-zero`, API_THREADS: '0' });
      try {
        await t.connected();
        for (const [type, payload] of [
          ['text/csv', csv],
          ['application/json', JSON.stringify({ task: 'regression', x: [[1], [2]], y: [1, 2] })],
        ]) {
          const res = await t.app.inject({
            method: 'POST',
            url: '/v1/datasets?' + (type === 'text/csv' ? 'task=classification' : ''),
            headers: { 'content-type': type },
            payload,
          });
          expect(res.statusCode).toBe(503);
          expect(res.headers['content-type']).toContain('application/problem+json');
          expect(res.headers['retry-after']).toBe('2');
          const j = res.json() as Json;
          expect(j).toMatchObject({ status: 503, code: 'busy' });
          expect(j.detail).toContain('API_THREADS');
          expect(j.detail).toContain('LIMIT_API_THREAD_QUEUE');
        }
        expect((await t.app.inject({ method: 'GET', url: '/v1/datasets' })).json().uploads).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it(
    'one thread, no queue: concurrent uploads beyond it get 503 busy; the others are stored',
    { timeout: 120_000 },
    async () => {
      const t = await appOn(s.redis.url, {
        QUEUE_PREFIX: `${s.prefix}-one`,
        API_THREADS: '1',
        LIMIT_API_THREAD_QUEUE: '0',
      });
      try {
        await t.connected();
        const all = await Promise.all(
          Array.from({ length: 6 }, () =>
            t.app.inject({
              method: 'POST',
              url: '/v1/datasets?task=classification',
              headers: { 'content-type': 'text/csv' },
              payload: csv,
            }),
          ),
        );
        const codes = all.map((r) => r.statusCode);
        expect(codes.every((c) => c === 201 || c === 503)).toBe(true);
        expect(codes).toContain(201);
        expect(codes).toContain(503);
        for (const r of all.filter((x) => x.statusCode === 503)) {
          expect(r.headers['retry-after']).toBe('2');
          expect(r.json().code).toBe('busy');
        }
        const listed = (await t.app.inject({ method: 'GET', url: '/v1/datasets' })).json().uploads;
        expect(listed).toHaveLength(codes.filter((c) => c === 201).length);
      } finally {
        await t.close();
      }
    },
  );
});
