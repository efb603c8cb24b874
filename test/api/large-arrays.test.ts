/**
 * No user-sized array is spread into a call: `Math.max(...y)` overflowed the stack on a
 * classification dataset of about 125,000 rows and up (500). A 150,000-row classification
 * upload (JSON and CSV) passes its checks here (the app's Redis is
 * a closed port: a body that passes every check answers 503, never 500); maxOf / minOf answer as
 * Math.max / Math.min on 200,000 values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxOf, minOf } from '../../src/core/extent.js';
import { appWithoutRedis } from '../helpers/app.js';

const ROWS = 150_000;
const y = Array.from({ length: ROWS }, (_, i) => i % 3);

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis();
});
afterAll(async () => {
  await t.close();
});

describe(`${ROWS} rows of classification data`, () => {
  it('POST /v1/datasets (JSON) passes its checks', async () => {
    const payload = JSON.stringify({ task: 'classification', x: y.map((c) => [c + 0.5]), y });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/datasets',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expect(res.statusCode, res.body).toBe(503);
  }, 120_000);

  it('POST /v1/datasets (CSV) passes its checks', async () => {
    const payload = 'x,label\n' + y.map((c) => `${c + 0.5},${c}`).join('\n') + '\n';
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/datasets?task=classification',
      headers: { 'content-type': 'text/csv' },
      payload,
    });
    expect(res.statusCode, res.body).toBe(503);
  }, 120_000);
});

describe('maxOf / minOf', () => {
  it('answer as Math.max / Math.min, on 200,000 values too', () => {
    const xs = Float64Array.from({ length: 200_000 }, (_, i) => Math.sin(i) * i);
    let hi = -Infinity,
      lo = Infinity;
    for (const x of xs) {
      hi = Math.max(hi, x);
      lo = Math.min(lo, x);
    }
    expect(maxOf(xs)).toBe(hi);
    expect(minOf(Array.from(xs))).toBe(lo);
    expect(maxOf([])).toBe(Math.max());
    expect(minOf([])).toBe(Math.min());
    expect(maxOf([1, NaN, 2])).toBeNaN();
    expect(minOf([-0, 3])).toBe(Math.min(-0, 3));
  });
});
