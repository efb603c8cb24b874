/**
 * LR searches end to end through real parts: a private redis-server, the real worker process
 * (dist/workers/main.js), the Fastify app via inject. POST → 202 + Location → poll → succeeded
 * with a recommendation trained to the horizon; the same request, the same result; bad input is
 * a 400 naming the field and queues nothing; the list, the plot and the table; cancel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFinite, finished, jobApi, startStack, type Json, type Stack } from '../helpers/stack.js';

let s: Stack;
const api = () => jobApi(s, 'lr-searches');

beforeAll(async () => {
  s = await startStack({ tag: 'lr-search' });
});
afterAll(async () => {
  await s?.close();
});

describe('LR search, end to end', () => {
  let first: Json;

  it('queues spirals-search for 300 steps (202 + Location) and recommends an LR trained to the horizon, within budget', async () => {
    const { res, json } = await api().submit({ preset: 'spirals-search', train_steps: 300 });
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe(`/v1/lr-searches/${json.id}`);
    expect(json).toMatchObject({ kind: 'lr-searches', status: 'queued', result: null });
    expect(json.request).toMatchObject({
      preset: 'spirals-search',
      train_steps: 300,
      budget_steps: 1200,
      num_iter: 75,
      metric: 'val_loss',
      tolerance: 0.1,
      schedule: null,
    });
    const { final } = await api().waitFor(json.id, finished);
    expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
    const r = final.result;
    const pick = r.candidates.find((c: Json) => c.lr === r.recommended_lr);
    expect(pick).toMatchObject({ at_horizon: true, diverged: false, steps: 300 });
    expect(r.cost.steps).toBeLessThanOrEqual(1200);
    expect(r.cost.grid_steps).toBe(3900);
    expect(['high', 'medium', 'low']).toContain(r.confidence.level);
    expect(r.confidence.p_within_tolerance).toBeGreaterThanOrEqual(0);
    expect(r.confidence.p_within_tolerance).toBeLessThanOrEqual(1);
    expect(Object.keys(r.range_test.suggestions)).toEqual(expect.arrayContaining(['valley', 'minimum', 'steepest']));
    expect(final.progress).toMatchObject({
      iteration: r.cost.steps,
      total: 1200,
      phase: 'done',
      finished_early: r.cost.steps < 1200,
    });
    expect(final.progress.note).toMatch(/^finished/);
    expect(allFinite(final)).toBe(true);
    first = final;
  });

  it('the same request gives the same result', async () => {
    const { json } = await api().submit({ preset: 'spirals-search', train_steps: 300 });
    const { final } = await api().waitFor(json.id, finished);
    expect(final.result).toEqual(first.result);
  });

  it('lists it with its summary, and serves the plot and the candidate table', async () => {
    const list = await s.t.app.inject({ method: 'GET', url: '/v1/lr-searches' });
    expect(list.statusCode).toBe(200);
    const item = list.json().items.find((i: Json) => i.id === first.id);
    expect(item.summary).toEqual({
      recommended_lr: first.result.recommended_lr,
      confidence: first.result.confidence.level,
      p_within_tolerance: first.result.confidence.p_within_tolerance,
      train_steps: 300,
      cost_steps: first.result.cost.steps,
    });
    const svg = await s.t.app.inject({ method: 'GET', url: `/v1/lr-searches/${first.id}/plot.svg` });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(svg.body).toContain(`data-lr="${first.result.recommended_lr}"`);
    const csv = await s.t.app.inject({ method: 'GET', url: `/v1/lr-searches/${first.id}/curve.csv` });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.split('\r\n').filter(Boolean)).toHaveLength(first.result.candidates.length + 1);
  });

  it('bad input is a 400 problem naming the field, and nothing is queued', async () => {
    const before = (await s.t.app.inject({ method: 'GET', url: '/v1/lr-searches' })).json().items.length;
    const cases: [Json, string][] = [
      [{ train_steps: 0 }, '/train_steps'],
      [{ metric: 'val_loss', data: { name: 'spirals', val_fraction: 0 } }, '/metric'],
      [{ schedule: { type: 'ReduceLROnPlateau' } }, '/schedule/type'],
      [{ train_steps: 100, budget_steps: 50 }, '/budget_steps'],
      [{ bogus: 1 }, '/bogus'],
    ];
    for (const [body, pointer] of cases) {
      const res = await s.t.app.inject({ method: 'POST', url: '/v1/lr-searches', payload: body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(
        res.json().errors.map((e: Json) => e.pointer),
        JSON.stringify(body),
      ).toContain(pointer);
    }
    expect((await s.t.app.inject({ method: 'GET', url: '/v1/lr-searches' })).json().items.length).toBe(before);
  });

  it('cancels a running search: it stops and reads canceled', async () => {
    const { json } = await api().submit({ preset: 'spirals-search', train_steps: 10_000 });
    await api().waitFor(json.id, (j) => j.status === 'running' && (j.progress?.iteration ?? 0) > 0);
    const res = await api().cancel(json.id);
    expect(res.statusCode).toBe(202);
    const { final } = await api().waitFor(json.id, (j) => j.finished_at !== null, 10_000);
    expect(final.status).toBe('canceled');
    expect(final.result).toBeNull();
    expect(final.progress.iteration).toBeLessThan(40_000);
  });
});
