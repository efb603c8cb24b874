/**
 * POST /v1/curve-analyses: a curve recorded in the client's own loop gets the same picks as the
 * lrfinder library (torch-lr-finder's steepest from Python: index 57 on the fixture curve), and
 * bad curves are 400 problems naming the field. Sync route: no Redis needed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCurve, SUGGESTION_METHODS } from '../../src/lrfinder/index.js';
import { appWithoutRedis } from '../helpers/app.js';
import { LRS, NOISY, SMOOTH } from '../lrfinder/fixtures.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => { t = await appWithoutRedis({ LIMIT_NUM_ITER: '200' }); });
afterAll(async () => { await t.close(); });

type Json = Record<string, any>;
async function post(body: unknown) {
  const res = await t.app.inject({ method: 'POST', url: '/v1/curve-analyses', payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { res, json: res.json() as Json };
}

function expectProblem(res: { statusCode: number; headers: Record<string, unknown> }, json: Json, status: number, code: string, pointer?: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(json).toMatchObject({ status, code, type: `https://lr-finder.dev/problems/${code}` });
  if (pointer !== undefined) expect(json.errors?.[0]?.pointer).toBe(pointer);
}

const lrs = LRS.slice(0, SMOOTH.length);

describe('POST /v1/curve-analyses', () => {
  it('a torch-lr-finder curve: steepest = np.gradient(losses[10:-5]).argmin() + 10 = 57, as the library', async () => {
    const { res, json } = await post({ lrs, losses: SMOOTH, suggestion: 'steepest' });
    expect(res.statusCode).toBe(200);
    expect(json.suggestions.steepest).toEqual({ lr: 0.004037017258596558, index: 57 });
    expect(json.suggestions.steepest).toEqual(SUGGESTION_METHODS.steepest.suggest({ lrs, losses: SMOOTH }, {}));
    expect(json).toMatchObject({ suggested_lr: 0.004037017258596558, suggestion: { method: 'steepest', lr: 0.004037017258596558, index: 57 } });
    expect(json.windows.steepest).toEqual({ start: 10, end: SMOOTH.length - 5 });
  });

  it('answers exactly what analyzeCurve answers (every method, fastai num_it trimming, warnings)', async () => {
    const { json } = await post({ lrs, losses: NOISY, num_iter: 100 });
    const expected = JSON.parse(JSON.stringify(analyzeCurve({ lrs, losses: NOISY, num_it: 100 })));
    expect(json).toEqual(expected);
    expect(json.suggestion.method).toBe('valley');
    expect(json.windows.valley).toEqual({ start: 10, end: NOISY.length - 5 }); // fastai [num_it//10 : -5]
  });

  it('the published torch-lr-finder test_suggest_lr cases (skip_start = skip_end = 0)', async () => {
    const one = [1, 2, 3, 4, 5, 6];
    const a = await post({ lrs: one, losses: [10, 8, 4, 1, 4, 16], suggestion: 'steepest', skip_start: 0, skip_end: 0, methods: ['steepest'] });
    expect(a.json.suggestion).toEqual({ method: 'steepest', lr: 3, index: 2 });
    expect(Object.keys(a.json.suggestions)).toEqual(['steepest']);
    const b = await post({ lrs: one, losses: [0, 1, 2, 3, 4, 3], suggestion: 'steepest', skip_start: 0, skip_end: 0 });
    expect(b.json.suggestion).toMatchObject({ lr: 6, index: 5 });
  });

  it('null losses cut the windows and are reported; too short a curve gives a reason, not an error', async () => {
    const losses = SMOOTH.map((v, i) => (i >= 60 ? null : v));
    const { res, json } = await post({ lrs, losses, suggestion: 'steepest' });
    expect(res.statusCode).toBe(200);
    expect(json.windows.steepest).toEqual({ start: 10, end: 60 });
    const short = await post({ lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2] });
    expect(short.res.statusCode).toBe(200);
    expect(short.json.suggested_lr).toBeNull();
    expect(short.json.suggestion.reason).toMatch(/at least/);
    expect(short.json.warnings.map((w: Json) => w.code)).toContain('no_suggestion');
  });

  it('lrs and losses of different lengths: 400 naming /losses', async () => {
    const { res, json } = await post({ lrs: [1e-3, 1e-2, 1e-1], losses: [1, 2] });
    expectProblem(res, json, 400, 'invalid_request', '/losses');
    expect(json.detail).toContain('2 losses for 3 lrs');
  });

  it('lrs not strictly increasing: 400 naming the first offending index', async () => {
    const { res, json } = await post({ lrs: [1e-3, 1e-2, 1e-2, 1e-1], losses: [1, 2, 3, 4] });
    expectProblem(res, json, 400, 'invalid_request', '/lrs/2');
  });

  it.each([
    ['a zero LR', { lrs: [0, 1], losses: [1, 2] }, '/lrs/0'],
    ['a negative LR', { lrs: [1e-3, -1], losses: [1, 2] }, '/lrs/1'],
    ['a null LR', { lrs: [1e-3, null], losses: [1, 2] }, '/lrs/1'],
    ['a string loss', { lrs: [1e-3, 1e-2], losses: [1, '2'] }, '/losses/1'],
    ['an unknown field', { lrs: [1e-3, 1e-2], losses: [1, 2], smooth_f: 0.05 }, '/smooth_f'],
    ['an unknown method', { lrs: [1e-3, 1e-2], losses: [1, 2], methods: ['lr_finder'] }, '/methods/0'],
    ['an unknown suggestion', { lrs: [1e-3, 1e-2], losses: [1, 2], suggestion: 'best' }, '/suggestion'],
    ['a missing losses', { lrs: [1e-3, 1e-2] }, '/losses'],
    ['a one-point curve', { lrs: [1e-3], losses: [1] }, '/lrs'],
    ['a string skip_start', { lrs: [1e-3, 1e-2], losses: [1, 2], skip_start: '10' }, '/skip_start'],
  ])('rejects %s with a 400 naming the field', async (_what, body, pointer) => {
    const { res, json } = await post(body);
    expectProblem(res, json, 400, 'invalid_request', pointer);
  });

  it('more points than LIMIT_NUM_ITER: limit_exceeded naming the field and the limit', async () => {
    const n = 201;
    const { res, json } = await post({ lrs: Array.from({ length: n }, (_, i) => 1e-6 * 1.05 ** i), losses: Array.from({ length: n }, () => 1) });
    expectProblem(res, json, 400, 'limit_exceeded', '/lrs');
    expect(json.detail).toContain('201');
    expect(json.detail).toContain('200');
    expect(json.detail).toContain('LIMIT_NUM_ITER');
  });

  it('NaN is not JSON: a clear invalid_json problem', async () => {
    const { res, json } = await post('{"lrs": [0.001, 0.01], "losses": [1, NaN]}');
    expectProblem(res, json, 400, 'invalid_json');
    expect(json.detail).toContain('allow_nan=False');
  });
});
