/**
 * Union errors name the branch the caller meant (issue 17 §8): inline `data` with more than 100,000
 * rows is a 400 at /data/x naming the limit, not "/data/name: is required" from the built-in branch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithoutRedis } from '../helpers/app.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis();
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const post = (body: unknown) => t.app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: body as object });

describe('errors inside a union (data: built-in | inline | uploaded)', () => {
  it('inline data over 100,000 rows: 400 at /data/x naming the limit', async () => {
    const rows = 100_001;
    const res = await post({
      model: { hidden: [4] },
      batch_size: 8,
      data: {
        x: Array.from({ length: rows }, () => [0]),
        y: Array.from({ length: rows }, () => 0),
        task: 'regression',
      },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.errors[0].pointer).toBe('/data/x');
    expect(body.errors[0].detail).toMatch(/100000/);
    expect(body.detail).not.toMatch(/\/data\/name/);
  }, 60_000);

  it("a field the caller sent, out of range, beats another branch's missing field", async () => {
    const res = await post({ data: { name: 'spirals', n_samples: 2 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].pointer).toBe('/data/n_samples');
    const up = await post({ data: { dataset_id: 'has spaces' } });
    expect(up.statusCode).toBe(400);
    expect(up.json().errors[0].pointer).toBe('/data/dataset_id');
  });
});

describe('a missing field names the branch whose fields the caller sent', () => {
  it('inline data without task: /data/task is required (not /data/name)', async () => {
    const res = await post({ data: { x: [[1], [2]], y: [0, 1] } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toEqual({ pointer: '/data/task', detail: 'is required' });
  });

  it('uploaded data with only val_fraction and standardize: still a missing field of some branch, no crash', async () => {
    const res = await post({ data: { val_fraction: 0.2 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].detail).toBe('is required');
  });
});
