/**
 * LR search sessions against a real private redis-server: a client loop (a synthetic model) runs
 * the range test and the trials over HTTP and ends with the result the pure state machine gives;
 * re-sent reports are harmless, conflicting or out-of-order ones are 409s; concurrent identical
 * reports advance the session once; another owner gets 404; bad input is a 400 naming the field.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import {
  applyReport,
  nextOf,
  resolveSearchSession,
  startSession,
  type SearchSessionDoc,
} from '../../src/sync/lr-search-sessions/session.js';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { parseXml } from '../helpers/xml.js';

type Json = Record<string, any>;
let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
const ALICE = 'alice-secret-key-1';
const BOB = 'bob-secret-key-22';

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, { QUEUE_PREFIX: `ls-${randomUUID().slice(0, 8)}`, API_KEYS: `alice:${ALICE},bob:${BOB}` });
  await t.connected();
});
afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

async function call(method: 'GET' | 'POST', url: string, body?: unknown, key = ALICE) {
  const res = await t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}` },
    payload: body as object | undefined,
  });
  return { res, json: res.json() as Json };
}
const report = (id: string, body: unknown, key = ALICE) =>
  call('POST', `/v1/lr-search-sessions/${id}/reports`, body, key);

/** A synthetic model: the range-test loss falls until lr ≈ 0.05 and blows up past it; trials are best near lr =
 * 10^-2.2. */
const rtLoss = (lr: number) => 2.3 - 0.3 * Math.tanh(Math.log10(lr) + 4) + (lr > 0.05 ? 40 * (lr - 0.05) : 0);
const trialMetric = (lr: number, steps: number) =>
  lr >= 0.3 ? null : 0.1 + 0.05 * (Math.log10(lr) + 2.2 + 0.2 * Math.log10(1000 / steps)) ** 2;

function answer(n: Json): Json {
  return n.type === 'sweep'
    ? { iteration: n.iteration, loss: rtLoss(n.lr) }
    : { trial: n.trial, metric: trialMetric(n.lr, n.steps) };
}

describe('LR search sessions over HTTP', () => {
  it('a client loop ends with the result of the pure state machine', async () => {
    const created = await call('POST', '/v1/lr-search-sessions', { train_steps: 400 });
    expect(created.res.statusCode).toBe(201);
    expect(created.res.headers.location).toBe(`/v1/lr-search-sessions/${created.json.id}`);
    expect(created.json).toMatchObject({
      status: 'range_test',
      next: { type: 'sweep', iteration: 0, lr: 1e-7 },
      result: null,
    });
    let s = created.json;
    let reports = 0;
    let last: Json = {};
    while (s.next) {
      last = answer(s.next);
      const r = await report(s.id, last);
      expect(r.res.statusCode, JSON.stringify(r.json)).toBe(200);
      s = r.json;
      reports++;
    }
    expect(s.status).toBe('done');
    // the same loop on the pure state machine
    const request = resolveSearchSession({ train_steps: 400 }, loadConfig({}).limits);
    let doc: SearchSessionDoc = {
      id: s.id,
      owner: 'x',
      created_at: '',
      updated_at: '',
      request,
      ...startSession(request),
    };
    for (let n = nextOf(doc); n; n = nextOf(doc)) doc = applyReport(doc, answer(n), new Date());
    expect(s.result).toEqual(JSON.parse(JSON.stringify(doc.result)));
    expect(s.result.recommended_lr).toBeGreaterThan(1e-3);
    expect(s.result.recommended_lr).toBeLessThan(0.1);
    expect(s.result.cost.steps).toBeLessThanOrEqual(1600);
    expect(s.result.warnings.map((w: Json) => w.code)).toContain('noise_prior');
    expect(reports).toBe(s.range_test_iterations + s.trials_reported);
    const got = await call('GET', `/v1/lr-search-sessions/${s.id}`);
    expect(got.json).toEqual(s);
    // the last report re-sent after the end: the same answer; another value: 409
    const again = await report(s.id, last);
    expect(again.res.statusCode).toBe(200);
    expect(again.json).toEqual(s);
    expect((await report(s.id, { trial: last.trial, metric: 123 })).json.code).toBe('session_done');
  });

  it("plot.svg draws a finished session's result (409 before, 404 for another owner)", async () => {
    const { json: created } = await call('POST', '/v1/lr-search-sessions', { train_steps: 200 });
    expect(created.links.plot).toBe(`/v1/lr-search-sessions/${created.id}/plot.svg`);
    const early = await call('GET', created.links.plot);
    expect(early.res.statusCode).toBe(409);
    expect(early.res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(early.json.code).toBe('not_finished');
    let s = created;
    while (s.next) s = (await report(s.id, answer(s.next))).json;
    const res = await t.app.inject({
      method: 'GET',
      url: created.links.plot,
      headers: { authorization: `Bearer ${ALICE}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const els = parseXml(res.body);
    const rec = els.find((e) => e.attrs.id === 'recommended-lr');
    expect(Number(rec?.attrs['data-lr'])).toBe(s.result.recommended_lr);
    // a mark at each candidate trained to the horizon and each that diverged, and only at candidates' LRs
    const marks = els
      .filter((e) => e.name === 'g' && /\bcandidate\b/.test(e.attrs.class ?? ''))
      .map((e) => Number(e.attrs['data-lr']));
    const lrsOf = (cs: Json[]) => cs.map((c) => c.lr);
    expect(lrsOf(s.result.candidates)).toEqual(expect.arrayContaining(marks));
    expect(marks).toEqual(
      expect.arrayContaining(lrsOf(s.result.candidates.filter((c: Json) => c.at_horizon || c.diverged))),
    );
    expect(s.result.candidates.some((c: Json) => c.at_horizon)).toBe(true);
    const band = els.find((e) => e.attrs.id === 'interval');
    expect([Number(band?.attrs['data-low']), Number(band?.attrs['data-high'])]).toEqual([
      s.result.interval.low,
      s.result.interval.high,
    ]);
    expect(res.body).toContain('your training loop');
    expect((await call('GET', created.links.plot, undefined, BOB)).res.statusCode).toBe(404);
  });

  it('re-sends are harmless, conflicts and gaps are 409s, another owner gets 404', async () => {
    const { json: s } = await call('POST', '/v1/lr-search-sessions', { train_steps: 200 });
    const first = await report(s.id, { iteration: 0, loss: 2.3 });
    expect((await report(s.id, { iteration: 0, loss: 2.3 })).json).toEqual(first.json);
    const conflict = await report(s.id, { iteration: 0, loss: 2.0 });
    expect(conflict.res.statusCode).toBe(409);
    expect(conflict.res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(conflict.json.code).toBe('loss_conflict');
    expect((await report(s.id, { iteration: 7, loss: 2.0 })).json.code).toBe('out_of_order');
    expect((await report(s.id, { trial: 't0', metric: 1 })).json.code).toBe('range_test_running');
    expect((await report(s.id, { iteration: 1, loss: 2.2 }, BOB)).res.statusCode).toBe(404);
    expect((await call('GET', `/v1/lr-search-sessions/${s.id}`, undefined, BOB)).res.statusCode).toBe(404);
  });

  it('concurrent identical reports advance the session once', async () => {
    const { json: s } = await call('POST', '/v1/lr-search-sessions', { train_steps: 200 });
    const rs = await Promise.all(Array.from({ length: 6 }, () => report(s.id, { iteration: 0, loss: 2.3 })));
    expect(rs.every((r) => r.res.statusCode === 200)).toBe(true);
    expect(new Set(rs.map((r) => r.json.range_test_iterations))).toEqual(new Set([1]));
    expect((await call('GET', `/v1/lr-search-sessions/${s.id}`)).json.next).toMatchObject({
      type: 'sweep',
      iteration: 1,
    });
  });

  it('honours Idempotency-Key: the same key and body return the first session; another body is a 422', async () => {
    const post = (body: Json, key: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/lr-search-sessions',
        headers: { authorization: `Bearer ${ALICE}`, 'idempotency-key': key },
        payload: body,
      });
    const key = randomUUID();
    const a = await post({ train_steps: 300 }, key);
    const b = await post({ train_steps: 300 }, key);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(201);
    expect(b.json().id).toBe(a.json().id);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect((await post({ train_steps: 400 }, key)).statusCode).toBe(422);
  });

  it('bad input is a 400 naming the field', async () => {
    const cases: [Json, string][] = [
      [{ train_steps: 0 }, '/train_steps'],
      [{ train_steps: 100, budget_steps: 100 }, '/budget_steps'],
      [{ start_lr: 1, end_lr: 0.5 }, '/end_lr'],
      [{ bogus: true }, '/bogus'],
    ];
    for (const [body, pointer] of cases) {
      const r = await call('POST', '/v1/lr-search-sessions', body);
      expect(r.res.statusCode, JSON.stringify(body)).toBe(400);
      expect(r.json.errors.map((e: Json) => e.pointer)).toContain(pointer);
    }
    const { json: s } = await call('POST', '/v1/lr-search-sessions', {});
    expect((await report(s.id, { iteration: 0 })).json.errors[0].pointer).toBe('/loss');
    expect((await report(s.id, { iteration: 0, loss: 'x' })).res.statusCode).toBe(400);
  });
});
