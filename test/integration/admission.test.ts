/**
 * Admission is one atomic step: LIMIT_JOBS_PER_KEY is exact under 200 concurrent POSTs through a
 * real server, LIMIT_QUEUE_DEPTH caps the whole service (503 + Retry-After), the Redis work of a
 * POST does not grow with the jobs in flight, and the reconciler frees the slots of jobs that
 * vanished without a release. No worker runs here: every accepted job stays queued.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admit, reconcileInflight } from '../../src/queue/admission.js';
import { redisKeys } from '../../src/queue/keys.js';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let admin: Redis;
const BODY = { preset: 'spirals-mlp', num_iter: 10 };

beforeAll(async () => {
  redis = await startTestRedis();
  admin = new Redis(redis.url);
});

afterAll(async () => {
  admin?.disconnect();
  await redis?.cleanup();
});

async function queued(prefix: string): Promise<number> {
  const q = new Queue('lr-range-tests', { connection: { url: redis.url }, prefix });
  const c = await q.getJobCounts('wait', 'active', 'delayed', 'prioritized');
  await q.close();
  return Object.values(c).reduce((a, b) => a + b, 0);
}

async function commands(): Promise<number> {
  const info = await admin.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
}

describe('LIMIT_JOBS_PER_KEY under concurrency', () => {
  it('200 concurrent POSTs of one key with a limit of 100: exactly 100 accepted, 100 refused with 429', async () => {
    const prefix = `adm-${randomUUID().slice(0, 8)}`;
    const t = await appOn(redis.url, {
      QUEUE_PREFIX: prefix,
      API_KEYS: 'alice:alice-secret-key',
      LIMIT_JOBS_PER_KEY: '100',
    });
    try {
      await t.connected();
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
      const codes = await Promise.all(
        Array.from({ length: 200 }, () =>
          fetch(`${base}/v1/lr-range-tests`, {
            method: 'POST',
            body: JSON.stringify(BODY),
            headers: { 'content-type': 'application/json', authorization: 'Bearer alice-secret-key' },
          }).then(async (r) => {
            await r.arrayBuffer();
            return r.status;
          }),
        ),
      );
      expect(codes.filter((c) => c === 202)).toHaveLength(100);
      expect(codes.filter((c) => c === 429)).toHaveLength(100);
      expect(await queued(prefix)).toBe(100);
    } finally {
      await t.close();
    }
  });
});

describe('LIMIT_QUEUE_DEPTH', () => {
  it('caps the jobs in flight across owners: 503 queue_full with Retry-After, nothing queued', async () => {
    const prefix = `dep-${randomUUID().slice(0, 8)}`;
    const t = await appOn(redis.url, {
      QUEUE_PREFIX: prefix,
      API_KEYS: 'a:key-of-a-123,b:key-of-b-123',
      LIMIT_QUEUE_DEPTH: '3',
    });
    try {
      await t.connected();
      const post = (key: string) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/lr-range-tests',
          payload: BODY,
          headers: { authorization: `Bearer ${key}` },
        });
      expect((await post('key-of-a-123')).statusCode).toBe(202);
      expect((await post('key-of-a-123')).statusCode).toBe(202);
      expect((await post('key-of-b-123')).statusCode).toBe(202);
      const full = await post('key-of-b-123');
      expect(full.statusCode).toBe(503);
      expect(full.headers['content-type']).toMatch(/problem\+json/);
      expect(Number(full.headers['retry-after'])).toBeGreaterThan(0);
      expect(full.json()).toMatchObject({ code: 'queue_full', status: 503 });
      expect(full.json().detail).toContain('LIMIT_QUEUE_DEPTH');
      expect(await queued(prefix)).toBe(3);
    } finally {
      await t.close();
    }
  });
});

describe('a POST costs the same Redis work whatever is in flight', () => {
  /** Redis commands run for one POST from `key` (INFO itself counts once on each side, the same for every measure). */
  async function cost(t: Awaited<ReturnType<typeof appOn>>, key: string): Promise<{ status: number; n: number }> {
    const before = await commands();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/lr-range-tests',
      payload: BODY,
      headers: { authorization: `Bearer ${key}` },
    });
    return { status: res.statusCode, n: (await commands()) - before };
  }

  it('accepted at 0 and at 40 jobs in flight, refused at a quota of 3 and of 40: constant command counts', async () => {
    const prefix = `cost-${randomUUID().slice(0, 8)}`;
    const t = await appOn(redis.url, {
      QUEUE_PREFIX: prefix,
      API_KEYS: 'small:small-key-123,big:big-key-12345,free:free-key-1234',
      LIMIT_JOBS_PER_KEY: '40',
    });
    try {
      await t.connected();
      await cost(t, 'free-key-1234'); // loads the scripts and the queue once
      const first = await cost(t, 'free-key-1234');
      for (let i = 0; i < 37; i++) expect((await cost(t, 'free-key-1234')).status).toBe(202);
      const fortieth = await cost(t, 'free-key-1234');
      expect([first.status, fortieth.status]).toEqual([202, 202]);
      expect(fortieth.n).toBe(first.n);

      for (let i = 0; i < 40; i++) await cost(t, 'big-key-12345');
      const refusedAt40 = await cost(t, 'big-key-12345');
      expect(refusedAt40.status).toBe(429);
      const s = await appOn(redis.url, {
        QUEUE_PREFIX: prefix,
        API_KEYS: 'small:small-key-123',
        LIMIT_JOBS_PER_KEY: '3',
      });
      try {
        await s.connected();
        for (let i = 0; i < 3; i++) await cost(s, 'small-key-123');
        const refusedAt3 = await cost(s, 'small-key-123');
        expect(refusedAt3.status).toBe(429);
        expect(refusedAt40.n).toBe(refusedAt3.n);
      } finally {
        await s.close();
      }
    } finally {
      await t.close();
    }
  });
});

describe('reconciler', () => {
  it('frees the slot of an admission whose job never reached the queue, keeps those of queued jobs', async () => {
    const prefix = `rec-${randomUUID().slice(0, 8)}`;
    const t = await appOn(redis.url, { QUEUE_PREFIX: prefix, LIMIT_JOBS_PER_KEY: '2' });
    try {
      await t.connected();
      const queuedJob = await t.app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: BODY });
      expect(queuedJob.statusCode).toBe(202);
      // an admission whose add never happened (the API process died in between)
      const limits = { perOwner: 2, depth: 100, ttlSeconds: 60 };
      expect(await admit(admin, prefix, 'lr-range-tests', randomUUID(), 'anonymous', limits)).toEqual({ ok: true });
      expect((await t.app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: BODY })).statusCode).toBe(429);

      expect(await reconcileInflight(admin, prefix, 0)).toBe(1);
      expect(await admin.zcard(redisKeys(prefix).ownerInflight('anonymous'))).toBe(1);
      expect(await admin.zcard(redisKeys(prefix).inflight())).toBe(1);
      expect((await t.app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: BODY })).statusCode).toBe(202);
    } finally {
      await t.close();
    }
  });
});
