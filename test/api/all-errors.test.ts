/**
 * A bad request is answered with every mistake at once (at most 20), each with its pointer, not
 * the first one only: a person fixing a body in Swagger UI should not need one round trip per
 * field. Under a union (a layer, `data`, a schedule) the one most precise error is given. Large
 * invalid bodies get their first error only (allErrors over 100,000 bad cells would be a DoS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodesAtMost } from '../../src/api/schemas.js';
import { appWithoutRedis } from '../helpers/app.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis({});
});
afterAll(async () => {
  await t.close();
});

async function post(body: unknown, url = '/v1/lr-range-tests') {
  const res = await t.app.inject({
    method: 'POST',
    url,
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return {
    status: res.statusCode,
    json: res.json() as { code: string; detail: string; errors: { pointer: string; detail: string }[] },
  };
}

describe('every validation error in one answer', () => {
  it("three mistakes in three places: three errors, in the body's order, and the detail lists them", async () => {
    const { status, json } = await post({ num_iter: '100', optimizer: { type: 'adam', lr: 0.01 }, bogus: 1 });
    expect(status).toBe(400);
    expect(json.code).toBe('invalid_request');
    expect(json.errors.map((e) => e.pointer).sort()).toEqual(['/bogus', '/num_iter', '/optimizer/lr']);
    for (const e of json.errors) expect(json.detail).toContain(`${e.pointer}: `);
  });

  it('optimizer.lr says where the LR goes', async () => {
    const { json } = await post({ optimizer: { type: 'sgd', lr: 0.1 } });
    expect(json.errors).toEqual([
      { pointer: '/optimizer/lr', detail: expect.stringMatching(/start_lr.*end_lr.*LR search.*schedule\.lr/) },
    ]);
  });

  it('a union (the data spec) contributes its one most precise error beside the others', async () => {
    const { json } = await post({ data: { name: 'spirals', n_samples: 'many' }, smooth_f: 2 });
    const pointers = json.errors.map((e) => e.pointer);
    expect(pointers).toContain('/smooth_f');
    // one error for the whole union, however many branches failed: the built-in branch's, whose fields were sent
    expect(pointers.filter((p) => p.startsWith('/data'))).toEqual(['/data/n_samples']);
  });

  it('an upload, checked in an offload thread, lists every mistake too', async () => {
    const { status, json } = await post({ task: 'clustering', x: [[1, 2]], y: [0], bogus: 1 }, '/v1/datasets');
    expect(status).toBe(400);
    // four mistakes: an unknown field, an unknown task, and one row where at least 2 are needed, in x and in y
    expect(json.errors.map((e) => e.pointer).sort()).toEqual(['/bogus', '/task', '/x', '/y']);
  });

  it('at most 20 errors; the last says how many more there were', async () => {
    const body = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`unknown_${String(i).padStart(2, '0')}`, i]));
    const { json } = await post(body);
    expect(json.errors).toHaveLength(20);
    expect(json.errors[19].detail).toMatch(/\(and 10 more errors not listed\)$/);
  });

  it('a large invalid body is answered with its first error only', async () => {
    const x = Array.from({ length: 3000 }, () => ['a', 'b']);
    const { status, json } = await post({ data: { x, y: x.map(() => 0) }, bogus: 1, smooth_f: 2 });
    expect(status).toBe(400);
    expect(json.errors).toHaveLength(1);
  });

  it('counts JSON values without recursion and stops at the limit', () => {
    expect(nodesAtMost({ a: [1, 2, { b: 3 }] }, 6)).toBe(true);
    expect(nodesAtMost({ a: [1, 2, { b: 3 }] }, 5)).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nodesAtMost(deep, 1_000_000)).toBe(true);
    expect(nodesAtMost(new Array(10_000_000).fill(0), 5000)).toBe(false);
  });
});
