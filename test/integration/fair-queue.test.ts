/**
 * Fair scheduling between API keys through the whole service: the API, a private redis-server
 * and one real worker process with WORKER_CONCURRENCY 1. Key A queues 20 jobs, then key B queues
 * one: B's job starts after at most one of A's. Asserted on the order of the jobs' `started_at`
 * (one worker, one clock), never on durations. Beside it: A's own jobs keep their order, an
 * idempotent replay of B's POST is the same job (nothing added), and a canceled queued job ends
 * canceled, without a result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, startStack, type Json, type Stack } from '../helpers/stack.js';

const A = 'key-of-tenant-a-123';
const B = 'key-of-tenant-b-456';
const KIND = 'lr-range-tests';
const SMALL = { preset: 'spirals-mlp', num_iter: 10 };

let s: Stack;

beforeAll(async () => {
  s = await startStack({ tag: 'fair', worker: false, env: { API_KEYS: `a:${A},b:${B}` } });
}, 60_000);

afterAll(async () => {
  await s?.close();
}, 60_000);

const cancel = (key: string, id: string) =>
  s.t.app.inject({ method: 'POST', url: `/v1/${KIND}/${id}/cancel`, headers: { authorization: `Bearer ${key}` } });

async function post(key: string, body: unknown = SMALL, idempotencyKey?: string): Promise<Json> {
  const res = await s.t.app.inject({
    method: 'POST',
    url: `/v1/${KIND}`,
    payload: body as object,
    headers: { authorization: `Bearer ${key}`, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json();
}

async function get(key: string, id: string): Promise<Json> {
  const res = await s.t.app.inject({
    method: 'GET',
    url: `/v1/${KIND}/${id}`,
    headers: { authorization: `Bearer ${key}` },
  });
  expect(res.statusCode).toBe(200);
  return res.json();
}

async function waitFinished(key: string, id: string, timeoutMs = 120_000): Promise<Json> {
  const t0 = Date.now();
  for (;;) {
    const j = await get(key, id);
    if (finished(j)) return j;
    if (Date.now() - t0 > timeoutMs) throw new Error(`job ${id} stuck in ${j.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A's jobs (in posting order) with their start times and status */
async function startsOf(ids: string[]): Promise<{ id: string; started: string | null; status: string }[]> {
  return Promise.all(
    ids.map(async (id) => {
      const j = await get(A, id);
      return { id, started: j.started_at as string | null, status: j.status as string };
    }),
  );
}

describe('one worker, key A with 20 queued jobs, then key B with one', () => {
  it('before the worker starts: B runs second, A keeps its order, a replay is the same job, a canceled queued job ends canceled', async () => {
    const aIds: string[] = [];
    for (let i = 0; i < 20; i++) aIds.push((await post(A)).id);
    const key = `fair-${Date.now()}`;
    const b = await post(B, SMALL, key);
    const replay = await post(B, SMALL, key);
    expect(replay.id).toBe(b.id);
    const canceled = await cancel(A, aIds[5]);
    expect(canceled.statusCode).toBe(202);
    expect(canceled.json().status).toBe('canceled');

    await s.startWorker();
    const bDone = await waitFinished(B, b.id);
    expect(bDone.status).toBe('succeeded');
    const a = await startsOf(aIds);
    const before = a.filter((j) => j.started !== null && j.started < bDone.started_at);
    expect(before.length).toBeLessThanOrEqual(1);

    // the canceled job stays canceled once the worker went past it (A's next job finished), without a result
    expect((await waitFinished(A, aIds[6])).status).toBe('succeeded');
    const c = await get(A, aIds[5]);
    expect(c.status).toBe('canceled');
    expect(c.result).toBeNull();
    // A's jobs started in the order A posted them
    const started = (await startsOf(aIds)).filter((j) => j.started !== null);
    expect(started.length).toBeGreaterThanOrEqual(6);
    const byStart = [...started]
      .sort((x, y) => (x.started! < y.started! ? -1 : x.started! > y.started! ? 1 : 0))
      .map((j) => j.id);
    expect(byStart).toEqual(started.map((j) => j.id));
    // the rest of A's backlog is not needed: canceled, it drains at once
    for (const j of await startsOf(aIds)) if (j.status === 'queued') await cancel(A, j.id);
  }, 300_000);

  it('while A’s backlog is being served: B’s job is the next to start', async () => {
    if (!s.worker) await s.startWorker();
    const aIds: string[] = [];
    for (let i = 0; i < 20; i++) aIds.push((await post(A)).id);
    // wait until one of A's new jobs runs (earlier ones from the test above may still be in the way)
    const t0 = Date.now();
    while (!(await startsOf(aIds)).some((j) => j.started !== null)) {
      if (Date.now() - t0 > 120_000) throw new Error('no job of A started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const b = await post(B);
    const bDone = await waitFinished(B, b.id);
    expect(bDone.status).toBe('succeeded');
    const a = await startsOf(aIds);
    // A's jobs that started after B was queued and before B started: the target is at most one
    const between = a.filter((j) => j.started !== null && j.started >= b.created_at && j.started < bDone.started_at);
    expect(between.length).toBeLessThanOrEqual(1);
    // and most of A's backlog was still waiting when B started (the test is not vacuous)
    expect(a.filter((j) => j.started === null || j.started > bDone.started_at).length).toBeGreaterThanOrEqual(10);
  }, 300_000);
});
