/**
 * End to end through real parts: a private redis-server, the real worker process
 * (dist/workers/main.js), the Fastify app via inject. POST → 202 + Location → poll → succeeded;
 * determinism; cancel of queued and running jobs; Redis going away (503) and coming back.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allFinite, finished, jobApi, startStack, type Json, type Stack } from '../helpers/stack.js';

let s: Stack;
const api = () => jobApi(s, 'lr-range-tests');
const submit = (body: unknown) => api().submit(body);
const waitFor: ReturnType<typeof jobApi>['waitFor'] = (...a) => api().waitFor(...a);

beforeAll(async () => {
  s = await startStack({ tag: 'e2e' });
});
afterAll(async () => {
  await s?.close();
});

describe('LR range test, end to end', () => {
  let first: Json;

  it('queues the spirals preset (202 + Location) and finishes with a suggestion inside [start_lr, end_lr]', async () => {
    const { res, json } = await submit({ preset: 'spirals-mlp' });
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe(`/v1/lr-range-tests/${json.id}`);
    expect(json).toMatchObject({ kind: 'lr-range-tests', status: 'queued', result: null, error: null });
    expect(json.request).toMatchObject({
      preset: 'spirals-mlp',
      start_lr: 1e-7,
      end_lr: 10,
      num_iter: 100,
      step_mode: 'exp',
      smooth_f: 0.05,
      diverge_th: 5,
      seed: 0,
    });

    const { final, seen } = await waitFor(json.id, finished);
    expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
    expect([...seen].every((s) => ['queued', 'running', 'succeeded'].includes(s))).toBe(true);
    const r = final.result;
    expect(r.lrs[0]).toBe(1e-7);
    expect(r.iterations).toBe(r.lrs.length);
    expect(r.losses).toHaveLength(r.iterations);
    expect(r.smoothed_losses).toHaveLength(r.iterations);
    expect(['completed', 'diverged']).toContain(r.stop_reason);
    expect(r.suggested_lr).toBeGreaterThanOrEqual(1e-7);
    expect(r.suggested_lr).toBeLessThanOrEqual(10);
    expect(r.suggestion).toMatchObject({ method: 'minimum', lr: r.suggested_lr });
    expect(Object.keys(r.suggestions)).toEqual(
      expect.arrayContaining(['valley', 'steepest', 'minimum', 'steep', 'slide']),
    );
    expect(r.best_loss).toBeLessThan(r.losses[0]);
    expect(final.progress).toMatchObject({ iteration: r.iterations, total: 100 });
    expect(final.started_at).not.toBeNull();
    expect(final.finished_at).not.toBeNull();
    expect(allFinite(final)).toBe(true);
    first = final;
  });

  it('the same request gives bit-identical curves; another seed does not', async () => {
    const again = await submit({ preset: 'spirals-mlp' });
    const other = await submit({ preset: 'spirals-mlp', seed: 1 });
    const a = (await waitFor(again.json.id, finished)).final.result;
    const b = (await waitFor(other.json.id, finished)).final.result;
    expect(a.losses).toEqual(first.result.losses);
    expect(a.smoothed_losses).toEqual(first.result.smoothed_losses);
    expect(a.suggested_lr).toBe(first.result.suggested_lr);
    expect(b.losses).not.toEqual(first.result.losses);
  });

  it('a sweep to a huge LR diverges and still answers with finite numbers or nulls', async () => {
    const { json } = await submit({
      preset: 'spirals-mlp',
      optimizer: { type: 'sgd' },
      start_lr: 1e-3,
      end_lr: 1e6,
      num_iter: 80,
    });
    const { final } = await waitFor(json.id, finished);
    expect(final.status).toBe('succeeded');
    expect(['diverged', 'non_finite']).toContain(final.result.stop_reason);
    expect(final.result.iterations).toBeLessThan(80);
    expect(allFinite(final)).toBe(true);
    const s = final.result.suggested_lr;
    expect(s === null ? typeof final.result.suggestion.reason : s).toSatisfy(
      (v: unknown) => typeof v === 'string' || (typeof v === 'number' && v >= 1e-3 && v <= 1e6),
    );
  });

  it('cancels a running job: it stops and reads canceled', async () => {
    const { json } = await submit({ preset: 'spirals-mlp', num_iter: 5000, end_lr: 1e-3, batch_size: 256 });
    await waitFor(json.id, (j) => j.status === 'running' && (j.progress?.iteration ?? 0) > 0);
    const res = await s.t.app.inject({ method: 'POST', url: `/v1/lr-range-tests/${json.id}/cancel` });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('canceled');
    const { final } = await waitFor(json.id, (j) => j.finished_at !== null, 10_000);
    expect(final.status).toBe('canceled');
    expect(final.result).toBeNull();
    expect(final.progress.iteration).toBeLessThan(5000);
    // canceling again is idempotent
    const again = await s.t.app.inject({ method: 'POST', url: `/v1/lr-range-tests/${json.id}/cancel` });
    expect(again.statusCode).toBe(202);
    expect(again.json().status).toBe('canceled');
  });

  it('a job canceled while queued never runs', async () => {
    await s.worker!.stop();
    const { json } = await submit({ preset: 'spirals-mlp' });
    const res = await s.t.app.inject({ method: 'POST', url: `/v1/lr-range-tests/${json.id}/cancel` });
    expect(res.json().status).toBe('canceled');
    await s.startWorker();
    const { final } = await waitFor(json.id, (j) => j.finished_at !== null);
    expect(final.status).toBe('canceled');
    expect(final.started_at === null || final.result === null).toBe(true);
  });

  it('a finished job cannot be canceled (409); an unknown id is 404', async () => {
    const done = await s.t.app.inject({ method: 'POST', url: `/v1/lr-range-tests/${first.id}/cancel` });
    expect(done.statusCode).toBe(409);
    expect(done.json().code).toBe('job_finished');
    const missing = await s.t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${randomUUID()}` });
    expect(missing.statusCode).toBe(404);
  });

  it('/readyz is ready with a live worker', async () => {
    const res = await s.t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json().checks.workers).toBeGreaterThanOrEqual(1);
  });

  it('Redis down: 503 at once, nothing queued; back up: the service recovers and accepted jobs survived', async () => {
    const accepted = await submit({ preset: 'spirals-mlp', num_iter: 30 });
    expect(accepted.res.statusCode).toBe(202);
    await s.worker!.stop();
    await s.redis.kill();
    const down = await submit({ preset: 'spirals-mlp' });
    expect(down.res.statusCode).toBe(503);
    expect(down.json.code).toBe('queue_unavailable');

    s.redis = await s.redis.restart();
    await s.t.connected(10_000);
    await s.startWorker();
    const { final } = await waitFor(accepted.json.id, finished);
    expect(final.status).toBe('succeeded');
  });
});
