/**
 * POST /v1/curve-analyses: a curve recorded in the client's own loop gets the libraries' picks
 * (torch-lr-finder's steepest from Python: index 57 on the fixture curve), each method with its
 * own library's trimming and NaN / ±Infinity handling, said in the answer; `emulate` runs a
 * library's whole pipeline on raw losses; the caller's LRs come back unchanged; bad input is a
 * 400 problem naming the field. Sync route: no Redis needed. (Every fixture of the libraries'
 * own code through this route: ./curve-analyses-libraries.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeMethods, emulate, METHOD_NAMES } from '../../src/lrfinder/index.js';
import { appWithoutRedis } from '../helpers/app.js';
import { LRS, NOISY, NOISY_RAW, SMOOTH } from '../lrfinder/fixtures.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis({ LIMIT_NUM_ITER: '200' });
});
afterAll(async () => {
  await t.close();
});

type Json = Record<string, any>;
async function post(body: unknown) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/curve-analyses',
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { res, json: res.json() as Json };
}

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown> },
  json: Json,
  status: number,
  code: string,
  pointer?: string,
) {
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
    expect(json.suggestions.steepest).toEqual({
      lr: 0.004037017258596558,
      index: 57,
      origin: 'torch-lr-finder',
      window: { start: 10, end: SMOOTH.length - 5 },
      trim: { skip_start: 10, skip_end: 5, source: 'library', cut_at: null },
      warnings: [],
    });
    expect(json).toMatchObject({
      suggested_lr: 0.004037017258596558,
      suggestion: { method: 'steepest', lr: 0.004037017258596558, index: 57 },
    });
    expect(json.windows.steepest).toEqual({ start: 10, end: SMOOTH.length - 5 });
  });

  it("every method, each with its own library's trimming, said in `trim`; skip_start / skip_end set them all", async () => {
    const { json } = await post({ lrs, losses: NOISY, num_iter: 100 });
    expect(Object.keys(json.suggestions)).toEqual([...METHOD_NAMES]);
    expect(json.suggestion.method).toBe('minimum');
    const trims = Object.fromEntries(
      Object.entries(json.suggestions).map(([m, p]: [string, any]) => [
        m,
        [p.trim.skip_start, p.trim.skip_end, p.trim.source],
      ]),
    );
    expect(trims).toEqual({
      valley: [10, 5, 'library'],
      steep: [10, 5, 'library'],
      minimum: [10, 5, 'library'],
      slide: [10, 5, 'library'], // fastai [num_it//10 : -5]
      steepest: [10, 5, 'library'], // torch-lr-finder plot(skip_start=10, skip_end=5)
      lightning: [10, 1, 'library'],
      lightning_legacy: [10, 1, 'library'], // Lightning suggestion(skip_begin=10, skip_end=1)
      keras_sma: [10, 5, 'library'], // keras_lr_finder get_best_lr(n_skip_beginning=10, n_skip_end=5)
      ignite: [0, 0, 'library'],
      zero_lag_steepest: [0, 0, 'library'],
    });
    expect(json.suggestions.valley.window).toEqual({ start: 10, end: NOISY.length - 5 });
    expect(json.suggestions.lightning.window).toEqual({ start: 10, end: NOISY.length - 1 });
    // the same picks as the library code (analyzeMethods is checked against the libraries in
    // test/lrfinder/libraries.test.ts)
    const direct = analyzeMethods({ lrs, losses: NOISY }, { num_it: 100, non_finite: 'library' });
    for (const m of METHOD_NAMES)
      expect(json.suggestions[m]).toMatchObject({ lr: direct.suggestions[m]!.lr, index: direct.suggestions[m]!.index });

    const set = await post({ lrs, losses: NOISY, num_iter: 100, skip_start: 20, skip_end: 3 });
    for (const p of Object.values(set.json.suggestions) as any[])
      expect(p.trim).toMatchObject({ skip_start: 20, skip_end: 3, source: 'request' });
    expect(set.json.suggestions.steep.window).toEqual({ start: 20, end: NOISY.length - 3 });
  });

  it('the README example (skip_start = skip_end = 0): steepest reads the whole curve, the end included', async () => {
    const { res, json } = await post({
      lrs: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1],
      losses: [2.3, 2.29, 2.1, 1.4, 1.1, 9.0],
      suggestion: 'steepest',
      skip_start: 0,
      skip_end: 0,
    });
    expect(res.statusCode).toBe(200);
    // np.gradient([2.30, 2.29, 2.10, 1.40, 1.10, 9.0]) = [-0.01, -0.1, -0.445, -0.5, 3.8, 7.9]: argmin 3
    expect(json.suggestion).toEqual({ method: 'steepest', lr: 1e-2, index: 3 });
    expect(json.suggestions.steepest.trim).toEqual({ skip_start: 0, skip_end: 0, source: 'request', cut_at: null });
    expect(json.suggestions.steepest.window).toEqual({ start: 0, end: 6 });
    // fastai's methods too: skip_end 0 keeps the end (fastai itself always drops 5)
    expect(json.suggestions.valley.window).toEqual({ start: 0, end: 6 });
    // Lightning and keras slice [0:-0], which is empty in Python: no pick, and why
    expect(json.suggestions.lightning).toMatchObject({ lr: null, index: null, window: { start: 0, end: 0 } });
    expect(json.suggestions.keras_sma.reason).toMatch(/\[0:-0\], which is empty/);
  });

  it('the published torch-lr-finder test_suggest_lr cases (skip_start = skip_end = 0)', async () => {
    const one = [1, 2, 3, 4, 5, 6];
    const a = await post({
      lrs: one,
      losses: [10, 8, 4, 1, 4, 16],
      suggestion: 'steepest',
      skip_start: 0,
      skip_end: 0,
      methods: ['steepest'],
    });
    expect(a.json.suggestion).toEqual({ method: 'steepest', lr: 3, index: 2 });
    expect(Object.keys(a.json.suggestions)).toEqual(['steepest']);
    const b = await post({ lrs: one, losses: [0, 1, 2, 3, 4, 3], suggestion: 'steepest', skip_start: 0, skip_end: 0 });
    expect(b.json.suggestion).toMatchObject({ lr: 6, index: 5 });
  });

  it("the caller's LRs come back unchanged (float64), minimum exactly lrs[i] / 10", async () => {
    const mine = Array.from({ length: 60 }, (_, i) => 1e-6 * 10 ** (i / 10));
    const losses = mine.map(
      (lr, i) => 2.3 - (1 + Math.tanh(1.5 * (Math.log10(lr) + 3))) + 2 * lr * lr + 0.01 * Math.sin(i),
    );
    const { json } = await post({ lrs: mine, losses, num_iter: 60, skip_start: 0 });
    for (const [m, p] of Object.entries(json.suggestions) as [string, any][]) {
      if (p.index === null) continue;
      expect(p.lr, m).toBe(m === 'minimum' ? mine[p.index] / 10 : mine[p.index]);
    }
    // a pick at the first point is 1e-6 itself, not float32(1e-6) = 9.999999747378752e-7 (fastai's tensors are float32)
    const cliff = mine.map((_, i) => (i === 0 ? 0 : -10 - 0.01 * i));
    const first = await post({
      lrs: mine,
      losses: cliff,
      methods: ['steep'],
      suggestion: 'steep',
      skip_start: 0,
      skip_end: 0,
    });
    expect(first.json.suggestion).toEqual({ method: 'steep', lr: 1e-6, index: 0 });
    const low = await post({
      lrs: mine,
      losses: mine.map((_, i) => (i === 0 ? 0 : 1)),
      suggestion: 'minimum',
      skip_start: 0,
      skip_end: 0,
    });
    expect(low.json.suggestions.minimum).toMatchObject({ index: 0, lr: 1e-6 / 10 });
  });

  it('"NaN", "Infinity", "-Infinity" and null are different things, read as each library reads them', async () => {
    const at = (v: unknown) => SMOOTH.map((x, i) => (i === 60 ? v : x));
    const nan = await post({ lrs, losses: at('NaN'), num_iter: 100 });
    const inf = await post({ lrs, losses: at('Infinity'), num_iter: 100 });
    const unknown = await post({ lrs, losses: at(null), num_iter: 100 });
    expect(nan.res.statusCode).toBe(200);
    // fastai's lr_find cuts its window before the first NaN and keeps ±inf
    expect(nan.json.suggestions.valley.trim.cut_at).toBe(60);
    expect(nan.json.suggestions.valley.window).toEqual({ start: 10, end: 60 });
    expect(inf.json.suggestions.valley.trim.cut_at).toBeNull();
    expect(inf.json.suggestions.valley.window).toEqual({ start: 10, end: SMOOTH.length - 5 });
    // torch-lr-finder has no filter: np.gradient is NaN at 59 and 61, and numpy's argmin is the first NaN
    expect(nan.json.suggestions.steepest).toMatchObject({ index: 59, lr: lrs[59] });
    expect(nan.json.suggestions.steepest.warnings.map((w: Json) => w.code)).toContain('pick_near_non_finite');
    // null: non-finite of unknown kind, read as NaN, and said so
    expect(unknown.json.suggestions.steepest).toMatchObject({ index: 59 });
    expect(unknown.json.suggestions.steepest.warnings.map((w: Json) => w.code)).toContain(
      'unknown_non_finite_read_as_nan',
    );
    // non_finite "cut": the service's own reading, every window ends before it
    const cut = await post({ lrs, losses: at('-Infinity'), suggestion: 'steepest', non_finite: 'cut' });
    expect(cut.json.suggestions.steepest.window).toEqual({ start: 10, end: 60 });
    expect(cut.json.suggestions.steepest.trim.cut_at).toBe(60);
  });

  it('too short a curve gives a reason, not an error', async () => {
    const short = await post({ lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2] });
    expect(short.res.statusCode).toBe(200);
    expect(short.json.suggested_lr).toBeNull();
    expect(short.json.suggestion.reason).toMatch(/at least/);
    expect(short.json.warnings.map((w: Json) => w.code)).toContain('no_suggestion');
  });

  it("emulate: raw losses through fastai's pipeline, its plan giving the LRs; how many points it recorded and why it stopped", async () => {
    const { res, json } = await post({ losses: NOISY_RAW, emulate: 'fastai' });
    expect(res.statusCode).toBe(200);
    const direct = emulate('fastai', NOISY_RAW, {}, { methods: METHOD_NAMES });
    expect(json.emulation).toMatchObject({
      library: 'fastai',
      iterations: direct.iterations,
      stop_reason: direct.stop_reason,
    });
    expect(json.emulation.options).toEqual({
      library: 'fastai',
      start_lr: 1e-7,
      end_lr: 10,
      num_iter: 100,
      step_mode: 'exp',
      beta: 0.98,
      diverge_th: 4,
    });
    expect(json.emulation.lrs).toEqual(direct.lrs);
    // fastai's plan: start * (end/start) ** (i / num_it), end_lr never reached
    expect(json.emulation.lrs[1]).toBe(1e-7 * (10 / 1e-7) ** (1 / 100));
    expect(json.suggestion).toMatchObject({
      method: 'valley',
      index: direct.suggestion.index,
      lr: direct.suggestion.lr,
    });
    expect(Object.keys(json.suggestions)).toEqual([...METHOD_NAMES]);
  });

  it("emulate with the library's own arguments, the request's num_iter, and the caller's lrs replacing the plan", async () => {
    const tlf = await post({
      losses: NOISY_RAW,
      emulate: { library: 'torch-lr-finder', start_lr: 1e-6, end_lr: 1, num_iter: 80, smooth_f: 0.1, diverge_th: 3 },
    });
    expect(tlf.json.emulation.options).toEqual({
      library: 'torch-lr-finder',
      start_lr: 1e-6,
      end_lr: 1,
      num_iter: 80,
      step_mode: 'exp',
      smooth_f: 0.1,
      diverge_th: 3,
    });
    const direct = emulate('torch-lr-finder', NOISY_RAW, {
      start_lr: 1e-6,
      end_lr: 1,
      num_iter: 80,
      smooth_f: 0.1,
      diverge_th: 3,
    });
    expect(tlf.json.emulation.iterations).toBe(direct.iterations);
    expect(tlf.json.suggestions.steepest).toMatchObject({ index: direct.suggestions.steepest!.index });

    const n60 = await post({ losses: NOISY_RAW, emulate: 'lightning', num_iter: 60 });
    expect(n60.json.emulation.options.num_iter).toBe(60);
    expect(n60.json.emulation.iterations).toBeLessThanOrEqual(60);

    const mine = LRS.slice(0, 50);
    const own = await post({ lrs: mine, losses: NOISY_RAW.slice(0, 50), emulate: 'keras-lr-finder' });
    expect(own.json.emulation.lrs).toEqual(mine.slice(0, own.json.emulation.iterations));
    const k = own.json.suggestions.keras_sma;
    if (k.index !== null) expect(k.lr).toBe(mine[k.index]);
  });

  it.each([
    ['an unknown library', { losses: [1, 2], emulate: 'sklearn' }, '/emulate'],
    [
      'an argument the library does not have',
      { losses: [1, 2], emulate: { library: 'fastai', smooth_f: 0.1 } },
      '/emulate/smooth_f',
    ],
    [
      'what the library itself rejects (torch-lr-finder num_iter 1)',
      { losses: [1, 2], emulate: { library: 'torch-lr-finder', num_iter: 1 } },
      '/emulate',
    ],
    ['a linear fastai', { losses: [1, 2], emulate: { library: 'fastai', step_mode: 'linear' } }, '/emulate'],
    ['lrs of another length', { lrs: [1e-3, 1e-2, 1e-1], losses: [1, 2], emulate: 'ignite' }, '/losses'],
    ['a cut with emulate', { losses: [1, 2], emulate: 'ignite', non_finite: 'cut' }, '/non_finite'],
    ['no lrs without emulate', { losses: [1, 2] }, '/lrs'],
    ['a bad non-finite string', { lrs: [1e-3, 1e-2], losses: [1, 'nan'] }, '/losses/1'],
  ])('emulate and losses: %s is a 400 naming the field', async (_what, body, pointer) => {
    const { res, json } = await post(body);
    expectProblem(res, json, 400, 'invalid_request', pointer);
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
    ['an empty curve', { lrs: [], losses: [] }, '/lrs'],
    ['a string skip_start', { lrs: [1e-3, 1e-2], losses: [1, 2], skip_start: '10' }, '/skip_start'],
  ])('rejects %s with a 400 naming the field', async (_what, body, pointer) => {
    const { res, json } = await post(body);
    expectProblem(res, json, 400, 'invalid_request', pointer);
  });

  it('more points than LIMIT_NUM_ITER: limit_exceeded naming the field and the limit', async () => {
    const n = 201;
    const { res, json } = await post({
      lrs: Array.from({ length: n }, (_, i) => 1e-6 * 1.05 ** i),
      losses: Array.from({ length: n }, () => 1),
    });
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
