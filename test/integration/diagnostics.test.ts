/**
 * Diagnostics end to end through real parts: a private redis-server, the real worker process
 * (dist/workers/main.js), the Fastify app via inject. The healthy preset passes (overfit one batch
 * included), the broken-init preset fails `init` with the explosion reported, a huge LR gives a
 * non-finite overfit diagnosis, everything is finite, the same request gives the same result; and
 * the validation 400s. Plus the runner's building blocks in process (the tiny batch is the same
 * rows every step, from the same initial weights).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countLayerParams } from '../../src/contracts/params.js';
import { resolveDiagnostics } from '../../src/kinds/diagnostics/resolve.js';
import type { DiagnosticsRequest } from '../../src/kinds/diagnostics/contract.js';
import { createScalarBackend } from '../../src/core/kernels/scalar.js';
import { createTrainer } from '../../src/core/trainer.js';
import type { DiagnosticsResult } from '../../src/kinds/diagnostics/contract.js';
import { renderDiagnosticsSvg } from '../../src/kinds/diagnostics/svg.js';
import { runDiagnostics, sampleRows } from '../../src/kinds/diagnostics/run.js';
import { parseXml } from '../helpers/xml.js';
import { toTrainSpec } from '../../src/contracts/train-spec.js';
import { testConfig } from '../helpers/app.js';
import { allFinite, finished, jobApi, startStack, type Json, type Stack } from '../helpers/stack.js';

let s: Stack;
const api = () => jobApi(s, 'diagnostics');
const submit = (body: unknown) => api().submit(body);
const waitFor: ReturnType<typeof jobApi>['waitFor'] = (...a) => api().waitFor(...a);

beforeAll(async () => {
  s = await startStack({ tag: 'diag' });
});
afterAll(async () => {
  await s?.close();
});

const resolve = (body: DiagnosticsRequest) =>
  resolveDiagnostics(body, { limits: testConfig().limits, countParams: countLayerParams });
const check = (r: Json, name: string) => (r.checks as Json[]).find((c) => c.name === name)!;

async function run(body: unknown): Promise<Json> {
  const { res, json } = await submit(body);
  expect(res.statusCode, JSON.stringify(json)).toBe(202);
  const { final } = await waitFor(json.id, finished);
  expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
  expect(allFinite(final)).toBe(true);
  return final;
}

describe('the overfit batch (in process)', () => {
  const req = resolve({ preset: 'spirals-diagnostics' });
  const spec = toTrainSpec(req, req.seed, 0);

  it('is a seeded sample of distinct training rows, the same for the same seed', () => {
    const full = createTrainer(spec);
    const tiny = sampleRows(full.train, 8, 0);
    const f = full.train.features;
    const rowsOf = (ds: { x: Float32Array; rows: number }) =>
      Array.from({ length: ds.rows }, (_, r) => Array.from(ds.x.subarray(r * f, (r + 1) * f)).join(','));
    const all = new Set(rowsOf(full.train));
    expect(rowsOf(tiny).every((r) => all.has(r))).toBe(true);
    expect(new Set(rowsOf(tiny)).size).toBe(8);
    expect(sampleRows(full.train, 8, 0).x).toEqual(tiny.x);
    expect(sampleRows(full.train, 8, 1).x).not.toEqual(tiny.x);
  });

  it('feeds the same rows every step, from the same initial weights as the full trainer', () => {
    const full = createTrainer(spec);
    const tiny = sampleRows(full.train, 8, 0);
    const t = createTrainer(
      { ...spec, data: { ...spec.data, val_fraction: 0, standardize: false }, batch_size: 8 },
      { dataset: tiny },
    );
    t.model.params.forEach((p, i) => expect(p.value).toEqual(full.model.params[i].value));
    // at lr 0 the weights stay put: the same 8 rows (reshuffled) give the same loss up to summation order
    const same = Array.from({ length: 20 }, () => t.step(0).loss);
    for (const l of same) expect(Math.abs(l - same[0])).toBeLessThan(1e-9 * same[0]);
    // whereas minibatches of 8 from the whole split differ
    const other = createTrainer({ ...spec, batch_size: 8 });
    const varied = Array.from({ length: 20 }, () => other.step(0).loss);
    expect(Math.max(...varied) - Math.min(...varied)).toBeGreaterThan(1e-3);
  });

  it('reports progress per check and counts every step', () => {
    const gen = runDiagnostics(
      { ...req, overfit_steps: 30 },
      { backend: () => createScalarBackend(), dataset: () => undefined },
    );
    const progress: Json[] = [];
    let next = gen.next();
    while (!next.done) {
      progress.push(next.value);
      next = gen.next();
    }
    expect(progress.map((p) => p.iteration)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(progress[0]).toMatchObject({ check: 'data', total: 32 });
    expect(progress[1]).toMatchObject({ check: 'init', total: 32 });
    expect(progress[31]).toMatchObject({ check: 'overfit_batch', lr: 1e-3, total: 32 });
    expect((next.value as Json).overfit.losses).toHaveLength(30);
  });
});

describe('diagnostics, end to end', () => {
  let healthy: Json;

  it('the healthy preset passes every check, overfitting one batch included', async () => {
    const { res, json } = await submit({ preset: 'spirals-diagnostics' });
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe(`/v1/diagnostics/${json.id}`);
    expect(json).toMatchObject({ kind: 'diagnostics', status: 'queued', result: null });
    expect(json.request).toMatchObject({
      preset: 'spirals-diagnostics',
      lr: 1e-3,
      overfit_steps: 200,
      tiny_batch: 8,
      checks: ['data', 'init', 'gradients', 'overfit_batch'],
    });
    const { final } = await waitFor(json.id, finished);
    expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
    expect(allFinite(final)).toBe(true);
    const r = final.result;
    expect(r.checks.map((c: Json) => [c.name, c.status])).toEqual([
      ['data', 'pass'],
      ['init', 'pass'],
      ['gradients', 'pass'],
      ['overfit_batch', 'pass'],
    ]);
    expect(r.verdict).toBe('pass');
    expect(r.overfit).toMatchObject({ lr: 1e-3, rows: 8 });
    expect(r.overfit.losses).toHaveLength(200);
    expect(r.overfit.losses[199]).toBeLessThan(0.1 * r.overfit.losses[0]);
    expect(r.overfit.accuracies.at(-1)).toBe(1);
    expect(check(r, 'init').details.expected_loss).toBeCloseTo(Math.LN2, 12);
    expect(r.layers.map((l: Json) => l.layer)).toEqual(['layers.0', 'layers.1', 'layers.2']);
    expect(final.progress).toMatchObject({ iteration: 202, total: 202, check: 'overfit_batch' });
    // the job views: the overfit curve and the layers as a plot, the curve as a table
    const svg = await s.t.app.inject({ method: 'GET', url: `/v1/diagnostics/${json.id}/plot.svg` });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const els = parseXml(svg.body);
    expect(
      els
        .filter((e) => e.name === 'path' && /overfit-(loss|accuracy)|act-std|grad-norm/.test(e.attrs.class ?? ''))
        .map((e) => e.attrs.class),
    ).toEqual(['overfit-loss', 'overfit-accuracy', 'act-std', 'grad-norm']);
    const csv = await s.t.app.inject({ method: 'GET', url: `/v1/diagnostics/${json.id}/curve.csv` });
    expect(csv.statusCode).toBe(200);
    const rows = csv.body.trim().split('\r\n');
    expect(rows[0]).toBe('step,loss,accuracy,grad_norm');
    expect(rows).toHaveLength(201);
    expect(Number(rows[1].split(',')[1])).toBe(r.overfit.losses[0]);
    healthy = final;
  });

  it('the generic job views serve the kind: the list and the event stream of a finished job', async () => {
    const list = await s.t.app.inject({ method: 'GET', url: '/v1/diagnostics?limit=5' });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: Json) => i.id)).toContain(healthy.id);
    const events = await s.t.app.inject({ method: 'GET', url: `/v1/diagnostics/${healthy.id}/events` });
    expect(events.statusCode).toBe(200);
    expect(events.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(events.body).toMatch(/event: status/);
    expect(events.body).toContain('"verdict":"pass"');
  });

  it('the same request gives the identical result', async () => {
    const again = await run({ preset: 'spirals-diagnostics' });
    expect(again.result).toEqual(healthy.result);
  });

  it('the broken-init preset fails init and reports the explosion', async () => {
    const r = (await run({ preset: 'broken-init-diagnostics', checks: ['init', 'gradients'] })).result;
    const init = check(r, 'init');
    expect(init.status).toBe('fail');
    expect(init.summary).toMatch(/activations explode at init/);
    expect(init.details.act_std_growth).toBeGreaterThan(100);
    expect(init.details.loss_ratio).toBeGreaterThan(1.5);
    expect(init.hints.join(' ')).toMatch(/kaiming_normal/);
    expect(r.verdict).toBe('fail');
    expect(r.overfit).toBeNull();
    expect(r.checks.map((c: Json) => c.name)).toEqual(['init', 'gradients']);
    // each hidden layer's activation std is several times the previous one's (~√(64/2) for ReLU with std-1 weights)
    const stds = r.layers.slice(1, 6).map((l: Json) => l.act_std);
    for (let i = 1; i < stds.length; i++) expect(stds[i] / stds[i - 1]).toBeGreaterThan(3);
  });

  it('an LR of 1e3 gives a non-finite overfit diagnosis with SGD, with nulls instead of NaN', async () => {
    const r = (
      await run({ preset: 'spirals-diagnostics', optimizer: { type: 'sgd' }, lr: 1e3, checks: ['overfit_batch'] })
    ).result;
    const o = check(r, 'overfit_batch');
    expect(o.status).toBe('fail');
    expect(o.details.diagnosis).toBe('non_finite');
    expect(o.hints.join(' ')).toMatch(/clip_grad_norm.*lower the LR.*check the data/);
    expect(r.overfit.losses.at(-1)).toBeNull();
    expect(r.overfit.losses.length).toBeLessThan(200);
    expect(r.layers).toEqual([]);
    // the plot marks where the loss went NaN/Inf
    const svg = renderDiagnosticsSvg(r as DiagnosticsResult);
    expect(parseXml(svg).some((e) => e.name === 'path' && e.attrs.class === 'non-finite')).toBe(true);
    expect(svg).toContain(`NaN/Inf at step ${r.overfit.losses.length - 1}`);
  });
});

describe('diagnostics, an absurd LR with Adam', () => {
  it('memorises the batch only by blowing the weights up: a warning to lower the LR', async () => {
    // Adam's steps are ~lr per weight whatever the gradient: at lr 1e3 the 8 points get separated without an overflow
    const r = (await run({ preset: 'spirals-diagnostics', lr: 1e3, checks: ['overfit_batch'] })).result;
    const o = check(r, 'overfit_batch');
    expect(o.status).toBe('warn');
    expect(o.details.diagnosis).toBe('memorised');
    expect(o.details.weight_growth).toBeGreaterThan(100);
    expect(o.hints[0]).toMatch(/lower the LR/);
    expect(r.verdict).toBe('warn');
  });
});

describe('diagnostics validation', () => {
  const post = (payload: object) => s.t.app.inject({ method: 'POST', url: '/v1/diagnostics', payload });

  it('an unknown check name is a 400 pointing at it', async () => {
    const res = await post({ checks: ['init', 'weights'] });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().errors[0].pointer).toBe('/checks/1');
  });

  it('overfit_steps above its bound is a 400 (schema bound, then LIMIT_NUM_ITER)', async () => {
    const schema = await post({ overfit_steps: 100_001 });
    expect(schema.statusCode).toBe(400);
    expect(schema.json().errors[0].pointer).toBe('/overfit_steps');
    const limit = await post({ overfit_steps: 5001 });
    expect(limit.statusCode).toBe(400);
    expect(limit.json()).toMatchObject({ code: 'limit_exceeded', errors: [{ pointer: '/overfit_steps' }] });
  });

  it('unknown fields, repeated checks, strings for numbers and a range-test preset are 400s', async () => {
    expect((await post({ num_iter: 10 })).statusCode).toBe(400);
    expect((await post({ checks: ['init', 'init'] })).statusCode).toBe(400);
    expect((await post({ lr: '0.1' })).statusCode).toBe(400);
    expect((await post({ tiny_batch: 1 })).statusCode).toBe(400);
    const preset = await post({ preset: 'spirals-mlp' });
    expect(preset.statusCode).toBe(400);
    expect(preset.json().errors[0].pointer).toBe('/preset');
  });

  it('GET /v1/presets lists the diagnostics presets', async () => {
    const res = await s.t.app.inject({ method: 'GET', url: '/v1/presets' });
    const names = (res.json().presets as Json[]).filter((p) => p.kinds.includes('diagnostics')).map((p) => p.name);
    expect(names).toEqual(['spirals-diagnostics', 'broken-init-diagnostics']);
  });
});
