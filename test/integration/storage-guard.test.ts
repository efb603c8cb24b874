/**
 * The global storage guard: a private redis-server with a small maxmemory (noeviction, as
 * /readyz requires). Uploads go through until Redis uses LIMIT_REDIS_MEMORY_FRACTION of it, then
 * every new write answers 503 `storage_full` with Retry-After — before Redis itself refuses
 * (OOM, which would be a 503 `queue_unavailable` for everyone) — while reads and deletes work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, { QUEUE_PREFIX: 'guard', LIMIT_REDIS_MEMORY_FRACTION: '0.8' });
  await t.connected(15_000);
  await t.connected();
});
afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

function dataset(n: number) {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    x.push([i / 7, Math.sin(i)]);
    y.push(i % 2);
  }
  return { task: 'classification', x, y };
}

const used = async () => Number(/^used_memory:(\d+)/m.exec(await t.redis.info('memory'))![1]);

describe('the global guard', () => {
  it('refuses new writes with 503 storage_full before Redis is full; reads and deletes keep working', async () => {
    // room for a few hundred kB above what Redis uses now
    await t.redis.config('SET', 'maxmemory', String(Math.ceil((await used()) / 0.8) + 400_000));
    const stored: string[] = [];
    let full: Awaited<ReturnType<typeof t.app.inject>> | null = null;
    for (let i = 0; i < 60 && !full; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/datasets', payload: dataset(2000) });
      if (r.statusCode === 201) stored.push(r.json().id);
      else full = r;
      // the guard samples Redis's memory at most once a second
      await new Promise((res) => setTimeout(res, 1100));
    }
    expect(full, 'the guard never refused').not.toBeNull();
    expect(stored.length).toBeGreaterThan(0);
    expect(full!.statusCode, full!.body).toBe(503);
    expect(full!.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(full!.headers['retry-after']).toBe('30');
    expect(full!.json()).toMatchObject({ status: 503, code: 'storage_full' });
    expect(full!.json().detail).toContain('LIMIT_REDIS_MEMORY_FRACTION');

    // Redis itself never refused a write: it is still below its maxmemory
    const max = Number(await t.redis.config('GET', 'maxmemory').then((r) => (r as string[])[1]));
    expect(await used()).toBeLessThan(max);

    // other writes are refused too: a job, a sweep session
    const job = await t.app.inject({
      method: 'POST',
      url: '/v1/lr-range-tests',
      payload: { preset: 'spirals-mlp', num_iter: 20 },
    });
    expect(job.statusCode, job.body).toBe(503);
    expect(job.json().code).toBe('storage_full');
    expect((await t.app.inject({ method: 'GET', url: '/v1/lr-range-tests' })).json().items).toHaveLength(0);
    const session = await t.app.inject({ method: 'POST', url: '/v1/sweep-sessions', payload: { num_iter: 20 } });
    expect(session.json().code).toBe('storage_full');

    // reads and deletes work
    expect((await t.app.inject({ method: 'GET', url: `/v1/datasets/${stored[0]}` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/usage' })).statusCode).toBe(200);
    for (const id of stored)
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/datasets/${id}` })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/usage' })).json()).toMatchObject({
      storage_bytes: 0,
      stored_items: 0,
    });

    // with room again (the operator raised maxmemory) writes go through at the next sample: the guard is not sticky
    await t.redis.config('SET', 'maxmemory', String(Math.ceil((await used()) / 0.8) + 2_000_000));
    await new Promise((res) => setTimeout(res, 1100));
    expect((await t.app.inject({ method: 'POST', url: '/v1/datasets', payload: dataset(100) })).statusCode).toBe(201);
  });

  it('without maxmemory, LIMIT_REDIS_MEMORY_BYTES is what the fraction applies to', async () => {
    await t.redis.config('SET', 'maxmemory', '0');
    const small = await appOn(redis.url, { QUEUE_PREFIX: 'guard', LIMIT_REDIS_MEMORY_BYTES: '100000' });
    await small.connected(15_000);
    try {
      const r = await small.app.inject({ method: 'POST', url: '/v1/datasets', payload: dataset(10) });
      expect(r.statusCode, r.body).toBe(503);
      expect(r.json().code).toBe('storage_full');
      expect(r.json().detail).toContain('LIMIT_REDIS_MEMORY_BYTES 100000');
      // the same Redis without that setting: its host's memory is far away
      expect((await t.app.inject({ method: 'POST', url: '/v1/datasets', payload: dataset(10) })).statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });
});
