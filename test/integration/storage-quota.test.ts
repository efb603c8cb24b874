/**
 * The per-key storage quota (LIMIT_STORAGE_BYTES_PER_KEY) end to end, on a private redis-server
 * and a real worker: uploads past the quota are 429 `storage_quota_exceeded` naming the usage and
 * the limit, with nothing stored; DELETE of a dataset or a finished job frees space; jobs count
 * their request at admission and their result when the worker stores it (a result that does not
 * fit fails the job, it is not lost); sessions and idempotency records count; expiry releases;
 * concurrent uploads cannot overshoot; GET /v1/usage reports it all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { finished, type Json, startStack, type Stack } from '../helpers/stack.js';
import { redisKeys } from '../../src/queue/keys.js';

const ALICE = 'alice-key-123456';
const BOB = 'bob-key-1234567';
const CAROL = 'carol-key-1234567';
const DAVE = 'dave-key-12345678';
const ERIN = 'erin-key-12345678';
const LIMIT = 16_000;
// the concurrent-upload test sends 22 uploads at once: room for all of them in the parsing threads' queue
const ENV = {
  API_KEYS: `alice:${ALICE},bob:${BOB},carol:${CAROL},dave:${DAVE},erin:${ERIN}`,
  LIMIT_STORAGE_BYTES_PER_KEY: String(LIMIT),
  LIMIT_API_THREAD_QUEUE: '64',
};

let s: Stack;
beforeAll(async () => {
  s = await startStack({ tag: 'quota', worker: false, env: ENV });
});
afterAll(async () => {
  await s?.close();
});

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  key: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await s.t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, ...headers },
    ...(body !== undefined ? { payload: body as object } : {}),
  });
  return { res, json: (res.body ? res.json() : null) as Json };
}

/** n rows of a 3-class problem on 2 features: about 25 bytes of JSON per row. */
function dataset(n: number, name = 'd') {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    x.push([Math.round(Math.sin(i) * 1000) / 1000, Math.round(Math.cos(i * 1.3) * 1000) / 1000]);
    y.push(i % 3);
  }
  return { name, task: 'classification', x, y };
}

const usage = async (key: string) => {
  const r = await call('GET', '/v1/usage', key);
  expect(r.res.statusCode, r.res.body).toBe(200);
  return r.json as {
    storage_bytes: number;
    storage_limit_bytes: number | null;
    stored_items: number;
    jobs_in_flight: number;
    jobs_limit: number;
  };
};

const datasetKeys = async () => (await s.t.redis.keys(`${s.prefix}:lrf:dataset:*`)).length;

describe('datasets', () => {
  it('uploads count until the quota: 429 storage_quota_exceeded naming usage and limit, nothing stored; DELETE frees', async () => {
    expect(await usage(ALICE)).toEqual({
      storage_bytes: 0,
      storage_limit_bytes: LIMIT,
      stored_items: 0,
      jobs_in_flight: 0,
      jobs_limit: 100,
    });
    const ids: string[] = [];
    let refused: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < 20 && !refused; i++) {
      const r = await call('POST', '/v1/datasets', ALICE, dataset(80));
      if (r.res.statusCode === 201) ids.push(r.json.id);
      else refused = r;
    }
    expect(refused, 'the quota never refused an upload').not.toBeNull();
    expect(ids.length).toBeGreaterThan(1);
    const before = await usage(ALICE);
    expect(before.stored_items).toBe(ids.length);
    expect(before.storage_bytes).toBeLessThanOrEqual(LIMIT);
    // each upload counts at least its rows' JSON
    expect(before.storage_bytes).toBeGreaterThan(
      ids.length * JSON.stringify({ x: dataset(80).x, y: dataset(80).y }).length,
    );

    const { res, json } = refused!;
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(json).toMatchObject({ status: 429, code: 'storage_quota_exceeded' });
    expect(json.detail).toContain(`stores ${before.storage_bytes} bytes`);
    expect(json.detail).toContain(`quota of ${LIMIT} bytes`);
    expect(json.detail).toContain('LIMIT_STORAGE_BYTES_PER_KEY');
    // nothing stored: the same datasets, the same usage, the list unchanged
    expect(await datasetKeys()).toBe(ids.length);
    expect((await usage(ALICE)).storage_bytes).toBe(before.storage_bytes);
    expect((await call('GET', '/v1/datasets', ALICE)).json.uploads).toHaveLength(ids.length);

    // another key's quota is its own
    expect((await call('POST', '/v1/datasets', BOB, dataset(80))).res.statusCode).toBe(201);

    // DELETE: 404 for another key's, 204 for one's own, which frees its bytes; then the upload fits
    expect((await call('DELETE', `/v1/datasets/${ids[0]}`, BOB)).res.statusCode).toBe(404);
    const del = await call('DELETE', `/v1/datasets/${ids[0]}`, ALICE);
    expect(del.res.statusCode).toBe(204);
    expect(await s.t.redis.exists(redisKeys(s.prefix).dataset(ids[0]))).toBe(0);
    expect((await call('GET', `/v1/datasets/${ids[0]}`, ALICE)).res.statusCode).toBe(404);
    expect((await call('DELETE', `/v1/datasets/${ids[0]}`, ALICE)).res.statusCode).toBe(404);
    const after = await usage(ALICE);
    expect(after.stored_items).toBe(ids.length - 1);
    expect(after.storage_bytes).toBeLessThan(before.storage_bytes);
    expect((await call('POST', '/v1/datasets', ALICE, dataset(80))).res.statusCode).toBe(201);
    expect((await usage(ALICE)).storage_bytes).toBe(before.storage_bytes);
  });

  it('concurrent uploads cannot overshoot: exactly as many as fit are stored', async () => {
    const first = await call('POST', '/v1/datasets', CAROL, dataset(60));
    expect(first.res.statusCode).toBe(201);
    const one = (await usage(CAROL)).storage_bytes;
    const fit = Math.floor((LIMIT - one) / one);
    expect(fit).toBeGreaterThan(1);
    const all = await Promise.all(
      Array.from({ length: 2 * fit + 4 }, () => call('POST', '/v1/datasets', CAROL, dataset(60))),
    );
    const codes = all.map((r) => r.res.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(fit);
    expect(codes.filter((c) => c === 429)).toHaveLength(fit + 4);
    const u = await usage(CAROL);
    expect(u.storage_bytes).toBe(one * (fit + 1));
    expect(u.storage_bytes).toBeLessThanOrEqual(LIMIT);
    expect(u.stored_items).toBe(fit + 1);
  });

  it('expiry releases: a dataset past its retention (RESULT_TTL_S_DATASETS) no longer counts', async () => {
    const short = await appOn(s.redis.url, { QUEUE_PREFIX: s.prefix, ...ENV, RESULT_TTL_S_DATASETS: '1' });
    await short.connected(15_000);
    try {
      const before = await usage(DAVE);
      const up = await short.app.inject({
        method: 'POST',
        url: '/v1/datasets',
        headers: { authorization: `Bearer ${DAVE}` },
        payload: dataset(40),
      });
      expect(up.statusCode).toBe(201);
      expect(Date.parse(up.json().expires_at) - Date.parse(up.json().created_at)).toBe(1000);
      const during = await usage(DAVE);
      expect(during.storage_bytes).toBeGreaterThan(before.storage_bytes);
      expect(during.stored_items).toBe(before.stored_items + 1);
      await new Promise((r) => setTimeout(r, 2200));
      expect(await s.t.redis.exists(redisKeys(s.prefix).dataset(up.json().id))).toBe(0);
      expect(await usage(DAVE)).toMatchObject({
        storage_bytes: before.storage_bytes,
        stored_items: before.stored_items,
      });
    } finally {
      await short.close();
    }
  });

  it('a RESULT_TTL_S_<NAME> that names nothing stored stops the app at start', async () => {
    await expect(appOn(s.redis.url, { QUEUE_PREFIX: s.prefix, RESULT_TTL_S_DATASET: '60' })).rejects.toThrow(
      /RESULT_TTL_S_DATASET names nothing stored/,
    );
  });
});

describe('sessions and idempotency records', () => {
  it('a sweep session counts at its current size, and grows with its reports', async () => {
    const before = await usage(DAVE);
    const r = await call('POST', '/v1/sweep-sessions', DAVE, { num_iter: 50 });
    expect(r.res.statusCode, r.res.body).toBe(201);
    const created = await usage(DAVE);
    expect(created.stored_items).toBe(before.stored_items + 1);
    const docBytes = () => s.t.redis.hstrlen(redisKeys(s.prefix).session('sweep-session', r.json.id), 'doc');
    expect(created.storage_bytes - before.storage_bytes).toBeGreaterThan(await docBytes());
    let next = r.json.next;
    for (let i = 0; i < 10; i++) {
      const rep = await call('POST', `/v1/sweep-sessions/${r.json.id}/losses`, DAVE, {
        iteration: next.iteration,
        loss: 2 - i * 0.01,
      });
      expect(rep.res.statusCode, rep.res.body).toBe(200);
      next = rep.json.next;
    }
    const grown = await usage(DAVE);
    expect(grown.stored_items).toBe(created.stored_items);
    expect(grown.storage_bytes).toBeGreaterThan(created.storage_bytes);
    expect(grown.storage_bytes - before.storage_bytes).toBeGreaterThan(await docBytes());
  });

  it('a session report that would grow it past the quota is a 429; the session is unchanged, and the report fits once space is freed', async () => {
    const r = await call('POST', '/v1/sweep-sessions', ERIN, { num_iter: 400 });
    expect(r.res.statusCode, r.res.body).toBe(201);
    const uploads: string[] = [];
    for (let i = 0; i < 20; i++) {
      const up = await call('POST', '/v1/datasets', ERIN, dataset(80));
      if (up.res.statusCode !== 201) break;
      uploads.push(up.json.id);
    }
    expect(uploads.length).toBeGreaterThan(0);
    let next = r.json.next;
    let refused: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < 400 && !refused; i++) {
      const rep = await call('POST', `/v1/sweep-sessions/${r.json.id}/losses`, ERIN, {
        iteration: next.iteration,
        loss: 2 - i * 0.001,
      });
      if (rep.res.statusCode === 200) next = rep.json.next;
      else refused = rep;
    }
    expect(refused, 'the session never reached the quota').not.toBeNull();
    expect(refused!.res.statusCode).toBe(429);
    expect(refused!.json.code).toBe('storage_quota_exceeded');
    const u = await usage(ERIN);
    expect(u.storage_bytes).toBeLessThanOrEqual(LIMIT);
    const got = await call('GET', `/v1/sweep-sessions/${r.json.id}`, ERIN);
    expect(got.json.next).toEqual(next);
    expect((await call('DELETE', `/v1/datasets/${uploads[0]}`, ERIN)).res.statusCode).toBe(204);
    const again = await call('POST', `/v1/sweep-sessions/${r.json.id}/losses`, ERIN, {
      iteration: next.iteration,
      loss: 1,
    });
    expect(again.res.statusCode, again.res.body).toBe(200);
  });

  it('an Idempotency-Key answer counts beside what it created; a replay adds nothing', async () => {
    const a = await usage(DAVE);
    expect((await call('POST', '/v1/datasets', DAVE, dataset(20, 'plain'))).res.statusCode).toBe(201);
    const b = await usage(DAVE);
    const keyed = await call('POST', '/v1/datasets', DAVE, dataset(20, 'keyd'), { 'idempotency-key': 'quota-test-1' });
    expect(keyed.res.statusCode).toBe(201);
    const c = await usage(DAVE);
    expect(c.stored_items).toBe(b.stored_items + 2);
    // the same dataset size (names of the same length), plus the kept answer
    expect(c.storage_bytes - b.storage_bytes).toBeGreaterThan(
      b.storage_bytes - a.storage_bytes + keyed.res.body.length,
    );
    const replay = await call('POST', '/v1/datasets', DAVE, dataset(20, 'keyd'), { 'idempotency-key': 'quota-test-1' });
    expect(replay.res.headers['idempotent-replayed']).toBe('true');
    expect(await usage(DAVE)).toEqual(c);
  });
});

describe('jobs', () => {
  const body = { preset: 'spirals-mlp', num_iter: 20 };

  it('a queued job counts its request and cannot be deleted (409); finished, its result counts; DELETE frees it all', async () => {
    const base = await usage(BOB);
    const job = await call('POST', '/v1/lr-range-tests', BOB, body);
    expect(job.res.statusCode, job.res.body).toBe(202);
    const queued = await usage(BOB);
    expect(queued.jobs_in_flight).toBe(1);
    expect(queued.stored_items).toBe(base.stored_items + 1);
    expect(queued.storage_bytes - base.storage_bytes).toBeGreaterThan(JSON.stringify(job.json.request).length);
    const early = await call('DELETE', `/v1/lr-range-tests/${job.json.id}`, BOB);
    expect(early.res.statusCode).toBe(409);
    expect(early.json.code).toBe('job_not_finished');
    expect((await call('DELETE', `/v1/lr-range-tests/${job.json.id}`, ALICE)).res.statusCode).toBe(404);

    await s.startWorker(ENV);
    let final: Json = {};
    for (let t0 = Date.now(); !finished(final); await new Promise((r) => setTimeout(r, 50))) {
      final = (await call('GET', `/v1/lr-range-tests/${job.json.id}`, BOB)).json;
      if (Date.now() - t0 > 120_000) throw new Error(`job stuck: ${JSON.stringify(final).slice(0, 300)}`);
    }
    expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
    const done = await usage(BOB);
    expect(done.jobs_in_flight).toBe(0);
    expect(done.stored_items).toBe(queued.stored_items);
    expect(done.storage_bytes - queued.storage_bytes).toBeGreaterThanOrEqual(JSON.stringify(final.result).length);

    const del = await call('DELETE', `/v1/lr-range-tests/${job.json.id}`, BOB);
    expect(del.res.statusCode).toBe(204);
    expect((await call('GET', `/v1/lr-range-tests/${job.json.id}`, BOB)).res.statusCode).toBe(404);
    expect((await call('GET', '/v1/lr-range-tests', BOB)).json.items.map((j: Json) => j.id)).not.toContain(job.json.id);
    expect(await usage(BOB)).toMatchObject({ storage_bytes: base.storage_bytes, stored_items: base.stored_items });
  });

  it('a job refused by the quota stores nothing; a result that does not fit fails the job storage_quota_exceeded (not lost)', async () => {
    // alice is within one upload (~2.6 kB) of her quota (the first test): a job whose request carries 300 rows inline
    // does not fit
    const u0 = await usage(ALICE);
    expect(LIMIT - u0.storage_bytes).toBeLessThan(3000);
    const { x, y } = dataset(300);
    const refused = await call('POST', '/v1/lr-range-tests', ALICE, {
      ...body,
      data: { x, y, task: 'classification' },
    });
    expect(refused.res.statusCode, refused.res.body).toBe(429);
    expect(refused.json).toMatchObject({ code: 'storage_quota_exceeded', status: 429 });
    expect(refused.json.detail).toContain(`stores ${u0.storage_bytes} bytes`);
    expect(await usage(ALICE)).toMatchObject({
      storage_bytes: u0.storage_bytes,
      stored_items: u0.stored_items,
      jobs_in_flight: 0,
    });
    expect((await call('GET', '/v1/lr-range-tests', ALICE)).json.items).toHaveLength(0);
    // bob: a quota the request fits in but its result does not (the worker's limit decides the result)
    await s.worker!.stop();
    const job = await call('POST', '/v1/lr-range-tests', BOB, body);
    expect(job.res.statusCode).toBe(202);
    const queued = await usage(BOB);
    await s.startWorker({ ...ENV, LIMIT_STORAGE_BYTES_PER_KEY: String(queued.storage_bytes + 200) });
    let final: Json = {};
    for (let t0 = Date.now(); !finished(final); await new Promise((r) => setTimeout(r, 50))) {
      final = (await call('GET', `/v1/lr-range-tests/${job.json.id}`, BOB)).json;
      if (Date.now() - t0 > 120_000) throw new Error(`job stuck: ${JSON.stringify(final).slice(0, 300)}`);
    }
    expect(final.status).toBe('failed');
    expect(final.error).toMatchObject({ code: 'storage_quota_exceeded' });
    expect(final.error.detail).toContain('LIMIT_STORAGE_BYTES_PER_KEY');
    expect(final.result).toBeNull();
    const after = await usage(BOB);
    expect(after.jobs_in_flight).toBe(0);
    // the request and the failure's text count, not the result
    expect(after.storage_bytes - queued.storage_bytes).toBeLessThanOrEqual(Buffer.byteLength(final.error.detail) + 64);
    // deleting the failed job frees its request
    expect((await call('DELETE', `/v1/lr-range-tests/${job.json.id}`, BOB)).res.statusCode).toBe(204);
    expect((await usage(BOB)).stored_items).toBe(queued.stored_items - 1);
    await s.worker!.stop();
    await s.startWorker(ENV);
  });
});
