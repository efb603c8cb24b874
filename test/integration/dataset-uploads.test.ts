/**
 * Uploaded datasets end to end: POST /v1/datasets (JSON and CSV, strict checks, byte limit),
 * GET metadata and the list, owner isolation with API_KEYS, and jobs on `data: {dataset_id}`
 * through a real worker — the same curves as the same rows sent inline; unknown ids are 400s,
 * an upload that expired before the job ran fails the job as invalid_job.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { allFinite, finished, jobApi, type Json, startStack, type Stack } from '../helpers/stack.js';
import { redisKeys } from '../../src/queue/keys.js';

const ALICE = 'alice-key-123456';
const BOB = 'bob-key-1234567';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ tag: 'uploads', env: { LIMIT_UPLOAD_BYTES: '4096', LIMIT_DATASET_VALUES: '400' } });
});
afterAll(async () => {
  await s?.close();
});

/** 60 rows of a noisy 3-class problem on 2 features (deterministic, no RNG needed). */
function rows() {
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 60; i++) {
    const c = i % 3;
    x.push([
      Math.round((c + Math.sin(i) * 0.4) * 1000) / 1000,
      Math.round((c * 0.5 + Math.cos(i * 1.3) * 0.4) * 1000) / 1000,
    ]);
    y.push(c);
  }
  return { x, y };
}

async function upload(body: unknown, opts: { csv?: string; query?: string; key?: string } = {}) {
  const headers: Record<string, string> = { 'content-type': opts.csv !== undefined ? 'text/csv' : 'application/json' };
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  const res = await s.t.app.inject({
    method: 'POST',
    url: `/v1/datasets${opts.query ?? ''}`,
    headers,
    payload: opts.csv !== undefined ? opts.csv : JSON.stringify(body),
  });
  return { res, json: res.json() as Json };
}

const pointerOf = (json: Json) => json.errors?.[0]?.pointer;

describe('POST /v1/datasets', () => {
  it('JSON: 201 + Location with the shape, kept RESULT_TTL_S; GET returns it and the list has it', async () => {
    const { x, y } = rows();
    const { res, json } = await upload({ name: 'three', task: 'classification', x, y });
    expect(res.statusCode, JSON.stringify(json)).toBe(201);
    expect(res.headers.location).toBe(`/v1/datasets/${json.id}`);
    expect(json).toMatchObject({ name: 'three', task: 'classification', rows: 60, features: 2, classes: 3 });
    expect(json.outputs).toBeUndefined();
    expect(Date.parse(json.expires_at) - Date.parse(json.created_at)).toBe(s.t.config.resultTtlSeconds * 1000);

    const got = await s.t.app.inject({ method: 'GET', url: `/v1/datasets/${json.id}` });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(json);
    const list = (await s.t.app.inject({ method: 'GET', url: '/v1/datasets' })).json();
    expect(list.datasets.map((d: Json) => d.name)).toContain('spirals');
    expect(list.uploads.map((d: Json) => d.id)).toContain(json.id);
  });

  it('CSV: header row, target by name (default the last column), task from the query', async () => {
    const csv = 'a,label,b\r\n0.5,1,2\r\n1.5,0,3\r\n2.5,1,4\r\n';
    const { res, json } = await upload(null, { csv, query: '?task=classification&target=label&name=small' });
    expect(res.statusCode, JSON.stringify(json)).toBe(201);
    expect(json).toMatchObject({ name: 'small', task: 'classification', rows: 3, features: 2, classes: 2 });
    const reg = await upload(null, { csv: 'f,t\n1,0.5\n2,1.5\n', query: '?task=regression' });
    expect(reg.res.statusCode).toBe(201);
    expect(reg.json).toMatchObject({ task: 'regression', rows: 2, features: 1, outputs: 1 });
  });

  it.each([
    ['ragged rows', { task: 'classification', x: [[1, 2], [3]], y: [0, 1] }, '/x/1'],
    ['y shorter than x', { task: 'regression', x: [[1], [2], [3]], y: [0, 1] }, '/y'],
    ['a non-integer class label', { task: 'classification', x: [[1], [2]], y: [0, 0.5] }, '/y/1'],
    ['a single class', { task: 'classification', x: [[1], [2]], y: [1, 1] }, '/y'],
    ['an unknown field', { task: 'classification', x: [[1], [2]], y: [0, 1], seed: 3 }, '/seed'],
  ])('JSON with %s → 400 naming the field', async (_what, body, pointer) => {
    const { res, json } = await upload(body);
    expect(res.statusCode).toBe(400);
    expect(pointerOf(json)).toBe(pointer);
  });

  it('over LIMIT_DATASET_VALUES → 400 limit_exceeded naming the limit', async () => {
    const x = Array.from({ length: 101 }, (_, i) => [i, i, i, i]);
    const { res, json } = await upload({ task: 'regression', x, y: x.map((r) => r[0]) });
    expect(res.statusCode).toBe(400);
    expect(json).toMatchObject({ code: 'limit_exceeded', errors: [{ pointer: '/x' }] });
    expect(json.detail).toContain('LIMIT_DATASET_VALUES');
  });

  it('over LIMIT_UPLOAD_BYTES → 413, JSON and CSV alike', async () => {
    const big = Array.from({ length: 200 }, (_, i) => [i + 0.123456789]);
    const j = await upload({ task: 'regression', x: big, y: big.map((r) => r[0]) });
    expect(j.res.statusCode).toBe(413);
    expect(j.json.code).toBe('body_too_large');
    const c = await upload(null, { csv: 'a,b\n' + '1.23456789,2.3456789\n'.repeat(300), query: '?task=regression' });
    expect(c.res.statusCode).toBe(413);
  });

  it.each([
    ['NaN in a cell', 'a,b\n1,0\nNaN,1\n', '?task=classification', '/x/1/0'],
    ['an empty cell', 'a,b\n1,0\n,1\n', '?task=classification', '/x/1/0'],
    ['a ragged row', 'a,b\n1,0\n2,1,5\n', '?task=classification', '/x/1'],
    ['a non-integer label', 'a,b\n1,0\n2,1.5\n', '?task=classification', '/y/1'],
    ['an unknown target', 'a,b\n1,0\n2,1\n', '?task=classification&target=c', '/querystring/target'],
    ['no task', 'a,b\n1,0\n2,1\n', '', '/querystring/task'],
  ])('CSV with %s → 400 naming it', async (_what, csv, query, pointer) => {
    const { res, json } = await upload(null, { csv, query });
    expect(res.statusCode, JSON.stringify(json)).toBe(400);
    expect(pointerOf(json)).toBe(pointer);
  });

  it('text/csv is accepted on this route only', async () => {
    const res = await s.t.app.inject({
      method: 'POST',
      url: '/v1/lr-range-tests',
      headers: { 'content-type': 'text/csv' },
      payload: 'a,b\n1,2\n',
    });
    expect(res.statusCode).toBe(415);
  });

  it('GET of an unknown id → 404', async () => {
    const res = await s.t.app.inject({ method: 'GET', url: `/v1/datasets/${randomUUID()}` });
    expect(res.statusCode).toBe(404);
  });
});

describe('jobs on an uploaded dataset', () => {
  const rangeTest = () => jobApi(s, 'lr-range-tests');
  const base = {
    model: { hidden: [8] },
    optimizer: { type: 'sgd', momentum: 0.9 },
    batch_size: 16,
    num_iter: 40,
    skip_start: 2,
    skip_end: 2,
  };

  it('a range test by dataset_id runs through the worker, with the same curves as the same rows inline', async () => {
    const { x, y } = rows();
    const up = await upload({ task: 'classification', x, y });
    expect(up.res.statusCode).toBe(201);
    const byId = await rangeTest().submit({ ...base, data: { dataset_id: up.json.id, val_fraction: 0.25 } });
    expect(byId.res.statusCode, JSON.stringify(byId.json)).toBe(202);
    expect(byId.json.request.data).toEqual({
      dataset_id: up.json.id,
      val_fraction: 0.25,
      standardize: true,
      task: 'classification',
      rows: 60,
      features: 2,
      classes: 3,
    });
    const inline = await rangeTest().submit({ ...base, data: { x, y, task: 'classification', val_fraction: 0.25 } });
    const a = (await rangeTest().waitFor(byId.json.id, finished)).final;
    const b = (await rangeTest().waitFor(inline.json.id, finished)).final;
    expect(a.status, JSON.stringify(a.error)).toBe('succeeded');
    expect(b.status).toBe('succeeded');
    expect(Number.isFinite(a.result.suggested_lr)).toBe(true);
    expect(allFinite(a.result)).toBe(true);
    expect(a.result.losses).toEqual(b.result.losses);
    expect(a.result.smoothed_losses).toEqual(b.result.smoothed_losses);
    expect(a.result.suggested_lr).toBe(b.result.suggested_lr);

    // the echoed request is a valid request and re-resolves to itself
    const again = await rangeTest().submit(a.request);
    expect(again.res.statusCode, JSON.stringify(again.json)).toBe(202);
    expect(again.json.request).toEqual(a.request);
    await rangeTest().waitFor(again.json.id, finished);
  });

  it('the loss must fit the uploaded task; shape fields sent back must match', async () => {
    const up = await upload({ task: 'regression', x: [[1], [2], [3]], y: [0.5, 1, 2] });
    const wrongLoss = await rangeTest().submit({ ...base, loss: 'cross_entropy', data: { dataset_id: up.json.id } });
    expect(wrongLoss.res.statusCode).toBe(400);
    expect(pointerOf(wrongLoss.json)).toBe('/loss');
    const wrongShape = await rangeTest().submit({ ...base, data: { dataset_id: up.json.id, features: 5 } });
    expect(wrongShape.res.statusCode).toBe(400);
    expect(pointerOf(wrongShape.json)).toBe('/data/features');
  });

  it('an unknown dataset_id → 400 naming /data/dataset_id (/train/data/dataset_id for simulations)', async () => {
    const r = await rangeTest().submit({ ...base, data: { dataset_id: 'no-such-dataset' } });
    expect(r.res.statusCode).toBe(400);
    expect(pointerOf(r.json)).toBe('/data/dataset_id');
    const d = await jobApi(s, 'diagnostics').submit({
      model: { hidden: [4] },
      data: { dataset_id: 'no-such-dataset' },
    });
    expect(pointerOf(d.json)).toBe('/data/dataset_id');
    const sim = await jobApi(s, 'schedule-simulations').submit({ train: { data: { dataset_id: 'no-such-dataset' } } });
    expect(sim.res.statusCode).toBe(400);
    expect(pointerOf(sim.json)).toBe('/train/data/dataset_id');
  });

  it('schedule simulations and diagnostics run on an uploaded dataset too', async () => {
    const { x, y } = rows();
    const up = await upload({ task: 'classification', x, y });
    const sim = await jobApi(s, 'schedule-simulations').submit({
      steps: 20,
      schedules: [
        { name: 'const', schedule: { type: 'ConstantLR', lr: 0.05, factor: 1, total_iters: 0 } },
        { name: 'step', schedule: { type: 'StepLR', lr: 0.05, step_size: 10 } },
      ],
      train: { model: { hidden: [8] }, data: { dataset_id: up.json.id }, batch_size: 16 },
    });
    expect(sim.res.statusCode, JSON.stringify(sim.json)).toBe(202);
    const diag = await jobApi(s, 'diagnostics').submit({
      model: { hidden: [8] },
      data: { dataset_id: up.json.id },
      overfit_steps: 20,
    });
    expect(diag.res.statusCode, JSON.stringify(diag.json)).toBe(202);
    const a = (await jobApi(s, 'schedule-simulations').waitFor(sim.json.id, finished)).final;
    const b = (await jobApi(s, 'diagnostics').waitFor(diag.json.id, finished)).final;
    expect(a.status, JSON.stringify(a.error)).toBe('succeeded');
    expect(b.status, JSON.stringify(b.error)).toBe('succeeded');
  });

  it('a dataset that expired between submit and run fails the job as invalid_job, not retried', async () => {
    const up = await upload({ task: 'classification', x: [[0], [1], [2], [3]], y: [0, 1, 0, 1] });
    await s.worker!.stop();
    const job = await rangeTest().submit({ ...base, data: { dataset_id: up.json.id } });
    expect(job.res.statusCode).toBe(202);
    await s.t.redis.del(redisKeys(s.prefix).dataset(up.json.id)); // what the TTL does
    await s.startWorker();
    const { final } = await rangeTest().waitFor(job.json.id, finished);
    expect(final.status).toBe('failed');
    expect(final.error).toMatchObject({ code: 'invalid_job' });
    expect(final.error.detail).toContain(`dataset ${up.json.id} expired`);
    expect(final.started_at).not.toBeNull();
  });
});

describe('uploads with API_KEYS', () => {
  it("are their owner's: another key gets 404 for the metadata, 400 for a job, and does not list them", async () => {
    const t = await appOn(s.redis.url, { QUEUE_PREFIX: s.prefix, API_KEYS: `alice:${ALICE},bob:${BOB}` });
    try {
      await t.connected();
      const as = (key: string) => ({ authorization: `Bearer ${key}` });
      const up = await t.app.inject({
        method: 'POST',
        url: '/v1/datasets',
        headers: { ...as(ALICE), 'content-type': 'text/csv' },
        payload: 'a,b\n1,0\n2,1\n3,0\n',
        query: { task: 'classification' },
      });
      expect(up.statusCode).toBe(201);
      const id = up.json().id;
      expect((await t.app.inject({ method: 'GET', url: `/v1/datasets/${id}`, headers: as(ALICE) })).statusCode).toBe(
        200,
      );
      expect((await t.app.inject({ method: 'GET', url: `/v1/datasets/${id}`, headers: as(BOB) })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: '/v1/datasets', headers: as(BOB) })).json().uploads).toEqual([]);
      expect(
        (await t.app.inject({ method: 'GET', url: '/v1/datasets', headers: as(ALICE) }))
          .json()
          .uploads.map((d: Json) => d.id),
      ).toEqual([id]);
      const job = await t.app.inject({
        method: 'POST',
        url: '/v1/lr-range-tests',
        headers: as(BOB),
        payload: { model: { hidden: [4] }, data: { dataset_id: id } },
      });
      expect(job.statusCode).toBe(400);
      expect(job.json().errors[0].pointer).toBe('/data/dataset_id');
      expect(
        (
          await t.app.inject({
            method: 'POST',
            url: '/v1/datasets',
            payload: { task: 'regression', x: [[1], [2]], y: [1, 2] },
          })
        ).statusCode,
      ).toBe(401);
    } finally {
      await t.close();
    }
  });
});
