/**
 * Idempotency-Key on every creating POST (jobs, datasets, sweep sessions), Stripe's semantics:
 * a retry gets the original answer (status, Location, body) and creates nothing; another body
 * under the same key is a 422; concurrent duplicates get 409 while the first runs; keys are per
 * API key and kept IDEMPOTENCY_TTL_S; a failed request is not kept.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
let base: string;
const prefix = `idem-${randomUUID().slice(0, 8)}`;
const ALICE = 'alice-secret-key-1';
const BOB = 'bob-secret-key-222';

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, {
    QUEUE_PREFIX: prefix,
    API_KEYS: `alice:${ALICE},bob:${BOB}`,
    IDEMPOTENCY_TTL_S: '3600',
  });
  await t.connected();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

async function queued(): Promise<number> {
  const q = new Queue('lr-range-tests', { connection: { url: redis.url }, prefix });
  const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized');
  await q.close();
  return Object.values(c).reduce((a, b) => a + b, 0);
}

const post = (url: string, body: unknown, key: string | null, who = ALICE, type = 'application/json') =>
  t.app.inject({
    method: 'POST',
    url,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': type, authorization: `Bearer ${who}`, ...(key ? { 'idempotency-key': key } : {}) },
  });

describe('Idempotency-Key', () => {
  it('a retried job POST returns the original 202, Location and body; one job exists', async () => {
    const key = randomUUID();
    const before = await queued();
    const first = await post('/v1/lr-range-tests', { preset: 'spirals-mlp', num_iter: 10 }, key);
    expect(first.statusCode, first.body).toBe(202);
    // the same body with its keys in another order is the same request
    const again = await post('/v1/lr-range-tests', { num_iter: 10, preset: 'spirals-mlp' }, key);
    expect(again.statusCode).toBe(202);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(first.json().id);
    expect(again.body).toBe(first.body);
    expect(await queued()).toBe(before + 1);
    // without a key, each POST creates
    expect((await post('/v1/lr-range-tests', { preset: 'spirals-mlp', num_iter: 10 }, null)).json().id).not.toBe(
      first.json().id,
    );
  });

  it('the same key with another body: 422, nothing created', async () => {
    const key = randomUUID();
    expect((await post('/v1/lr-range-tests', { preset: 'spirals-mlp', num_iter: 10 }, key)).statusCode).toBe(202);
    const before = await queued();
    const other = await post('/v1/lr-range-tests', { preset: 'spirals-mlp', num_iter: 11 }, key);
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/problem\+json/);
    expect(other.json().code).toBe('idempotency_key_reused');
    expect(await queued()).toBe(before);
  });

  it('concurrent duplicates: one job; the others get 409 (in flight) or the replay of the same job', async () => {
    const key = randomUUID();
    const before = await queued();
    const res = await Promise.all(
      Array.from({ length: 20 }, () =>
        fetch(`${base}/v1/lr-range-tests`, {
          method: 'POST',
          body: JSON.stringify({ preset: 'spirals-mlp', num_iter: 12 }),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ALICE}`, 'idempotency-key': key },
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, string> })),
      ),
    );
    const created = res.filter((r) => r.status === 202);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of res.filter((x) => x.status !== 202)) {
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('idempotency_in_flight');
    }
    expect(await queued()).toBe(before + 1);
  });

  it("keys are per API key: bob's request under alice's key creates bob's own job", async () => {
    const key = randomUUID();
    const a = await post('/v1/lr-range-tests', { preset: 'spirals-mlp', num_iter: 10 }, key, ALICE);
    const b = await post('/v1/lr-range-tests', { preset: 'spirals-mlp', num_iter: 10 }, key, BOB);
    expect(b.statusCode).toBe(202);
    expect(b.json().id).not.toBe(a.json().id);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a refused request is not kept: the corrected retry under the same key runs', async () => {
    const key = randomUUID();
    const bad = await post('/v1/lr-range-tests', { preset: 'spirals-mlp', num_iter: 999_999 }, key);
    expect(bad.statusCode).toBe(400);
    const good = await post('/v1/lr-range-tests', { preset: 'spirals-mlp', num_iter: 10 }, key);
    expect(good.statusCode).toBe(202);
  });

  it('dataset uploads (JSON and CSV) and sweep sessions: the retry returns the first 201 and its id', async () => {
    for (const [url, body, type] of [
      ['/v1/datasets', { task: 'regression', x: [[1], [2], [3]], y: [1, 2, 3] }, 'application/json'],
      ['/v1/datasets?task=regression', 'a,b\n1,2\n3,4\n5,6\n', 'text/csv'],
      ['/v1/sweep-sessions', { num_iter: 20 }, 'application/json'],
    ] as const) {
      const key = randomUUID();
      const first = await post(url, body, key, ALICE, type);
      expect(first.statusCode, url).toBe(201);
      const again = await post(url, body, key, ALICE, type);
      expect(again.statusCode, url).toBe(201);
      expect(again.json().id).toBe(first.json().id);
      expect(again.headers.location).toBe(first.headers.location);
    }
  });

  it('kept IDEMPOTENCY_TTL_S; a malformed key is a 400 at the header', async () => {
    const key = randomUUID();
    await post('/v1/sweep-sessions', { num_iter: 20 }, key);
    const admin = new Redis(redis.url);
    const keys = await admin.keys(`${prefix}:lrf:idem:alice:*`);
    const ttls = await Promise.all(keys.map((k) => admin.ttl(k)));
    admin.disconnect();
    expect(ttls.length).toBeGreaterThan(0);
    for (const s of ttls) expect(s).toBeGreaterThan(3500);
    const bad = await post('/v1/sweep-sessions', { num_iter: 20 }, 'has spaces');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/headers/idempotency-key');
  });
});
