/**
 * Parallel LR search sessions over HTTP against a private redis-server: clients leasing up to N = 1,
 * 2, 4 trials at a time and reporting them in shuffled orders end with the result of a session
 * without parallelism, bit for bit; concurrent lease requests never share a trial (the store's
 * compare-and-set); an expired lease's trial is handed out again; bad parallelism and unknown
 * leases are 4xx problems.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

type Json = Record<string, any>;
let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
const KEY = 'alice-secret-key-1';

beforeAll(async () => {
  redis = await startTestRedis();
  const prefix = `lp-${randomUUID().slice(0, 8)}`;
  t = await appOn(redis.url, { QUEUE_PREFIX: prefix, API_KEYS: `alice:${KEY}`, LIMIT_SEARCH_PARALLELISM: '8' });
  await t.connected();
});
afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

async function call(method: 'GET' | 'POST', url: string, body?: unknown) {
  const headers = { authorization: `Bearer ${KEY}` };
  const res = await t.app.inject({ method, url, headers, payload: body as object | undefined });
  return { res, json: res.json() as Json };
}

/** the synthetic model of lr-search-sessions.test.ts, with a little seeded wobble so neighbours nearly tie */
const rtLoss = (lr: number) => 2.3 - 0.3 * Math.tanh(Math.log10(lr) + 4) + (lr > 0.05 ? 40 * (lr - 0.05) : 0);
const wobble = (lr: number, steps: number) => 0.004 * Math.sin(1e3 * Math.log10(lr) + steps);
const trialMetric = (lr: number, steps: number) =>
  lr >= 0.3 ? null : 0.1 + 0.05 * (Math.log10(lr) + 2.2 + 0.2 * Math.log10(1000 / steps)) ** 2 + wobble(lr, steps);
const trialBody = (n: Json, lease?: string) => ({
  trial: n.trial,
  metric: trialMetric(n.lr, n.steps),
  ...(lease ? { lease } : {}),
});

async function rangeTest(body: Json): Promise<Json> {
  let { json: s } = await call('POST', '/v1/lr-search-sessions', body);
  while (s.next?.type === 'sweep') {
    s = (await call('POST', s.links.reports, { iteration: s.next.iteration, loss: rtLoss(s.next.lr) })).json;
  }
  return s;
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let a = seed;
  for (let i = out.length - 1; i > 0; i--) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    const j = a % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('parallel LR search sessions over HTTP', () => {
  it('N = 1, 2, 4 with shuffled report orders give the result without parallelism, bit for bit', async () => {
    let s = await rangeTest({ train_steps: 400 });
    while (s.next) s = (await call('POST', s.links.reports, trialBody(s.next))).json;
    const want = JSON.stringify(s.result);
    expect(s.result.recommended_lr).toBeGreaterThan(0);

    for (const N of [1, 2, 4]) {
      for (const seed of [11, 12]) {
        let p = await rangeTest({ train_steps: 400, parallelism: N });
        expect(p.request).toMatchObject({ parallelism: N, lease_seconds: 3600 });
        let maxOut = 0;
        while (p.status !== 'done') {
          expect(p.next).toMatchObject({ type: 'leases' });
          const g = await call('POST', p.links.leases, {});
          expect(g.res.statusCode, JSON.stringify(g.json)).toBe(200);
          expect(g.json.granted.length).toBeGreaterThan(0);
          maxOut = Math.max(maxOut, g.json.granted.length);
          expect(g.json.session.leases).toHaveLength(g.json.granted.length);
          for (const x of shuffled(g.json.granted as Json[], seed * 31 + maxOut)) {
            const r = await call('POST', p.links.reports, trialBody(x, x.lease));
            expect(r.res.statusCode, JSON.stringify(r.json)).toBe(200);
            p = r.json;
          }
        }
        expect(maxOut).toBeLessThanOrEqual(N);
        if (N > 1) expect(maxOut).toBe(N);
        expect(JSON.stringify(p.result), `N=${N} seed=${seed}`).toBe(want);
        expect(p.next).toBeNull();
      }
    }
  });

  it('two clients asking at once never get the same trial, and no more than parallelism are out', async () => {
    const s = await rangeTest({ train_steps: 400, parallelism: 3 });
    const rs = await Promise.all(Array.from({ length: 8 }, () => call('POST', s.links.leases, { max: 1 })));
    const statuses = rs.map((r) => r.res.statusCode);
    // each either got its trial or lost every compare-and-set attempt (409 concurrent_update)
    expect(statuses.every((c) => c === 200 || c === 409)).toBe(true);
    const granted = rs.flatMap((r) => (r.res.statusCode === 200 ? r.json.granted : []));
    expect(granted.length).toBeLessThanOrEqual(3);
    expect(new Set(granted.map((g: Json) => g.trial)).size).toBe(granted.length);
    const now = (await call('GET', s.links.self)).json;
    expect(now.leases.map((l: Json) => l.lease).sort()).toEqual(granted.map((g: Json) => g.lease).sort());
    // the rest are handed out to whoever asks next, still never one already out
    const more = await call('POST', s.links.leases, {});
    const all = [...granted, ...more.json.granted];
    expect(all).toHaveLength(3);
    expect(new Set(all.map((g: Json) => g.trial)).size).toBe(3);
  });

  it("an expired lease's trial is handed out again; the first report counts, a duplicate is a 409", async () => {
    const s = await rangeTest({ train_steps: 400, parallelism: 1, lease_seconds: 1 });
    const a = (await call('POST', s.links.leases, {})).json.granted[0];
    await new Promise((r) => setTimeout(r, 1100));
    const b = (await call('POST', s.links.leases, {})).json.granted[0];
    expect(b.trial).toBe(a.trial);
    expect(b.lease).not.toBe(a.lease);
    const late = await call('POST', s.links.reports, trialBody(a, a.lease));
    expect(late.res.statusCode).toBe(200);
    const dup = await call('POST', s.links.reports, trialBody(b, b.lease));
    expect(dup.res.statusCode).toBe(409);
    expect(dup.res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(dup.json.code).toBe('already_reported');
  });

  it('bad parallelism, unknown leases and leases of a session without parallelism are 4xx problems', async () => {
    const big = await call('POST', '/v1/lr-search-sessions', { parallelism: 9 });
    expect(big.res.statusCode).toBe(400);
    expect(big.json.errors[0]).toMatchObject({ pointer: '/parallelism' });
    expect(big.json.errors[0].detail).toContain('LIMIT_SEARCH_PARALLELISM');
    const zero = await call('POST', '/v1/lr-search-sessions', { parallelism: 0 });
    expect(zero.json.errors[0].pointer).toBe('/parallelism');

    const s = await rangeTest({ train_steps: 400, parallelism: 2 });
    const g = (await call('POST', s.links.leases, { max: 1 })).json.granted[0];
    const unknown = await call('POST', s.links.reports, trialBody(g, 'not-a-lease'));
    expect(unknown.res.statusCode).toBe(409);
    expect(unknown.json).toMatchObject({ code: 'unknown_lease', errors: [{ pointer: '/lease' }] });
    expect((await call('POST', s.links.reports, trialBody(g))).json.errors[0].pointer).toBe('/lease');

    const plain = await rangeTest({ train_steps: 400 });
    expect(plain.links.leases).toBeUndefined();
    const refused = await call('POST', `/v1/lr-search-sessions/${plain.id}/leases`, {});
    expect(refused.res.statusCode).toBe(409);
    expect(refused.json.code).toBe('not_parallel');
    expect((await call('POST', `/v1/lr-search-sessions/${randomUUID()}/leases`, {})).res.statusCode).toBe(404);
  });
});
