/**
 * Schedule simulations end to end through real parts: a private redis-server, the real worker
 * process (dist/workers/main.js), the Fastify app via inject. Constant vs warmup+cosine vs
 * one-cycle on the spirals preset: 202 + Location → succeeded, the LRs trained with are the
 * preview's, a deterministic ranking for a fixed seed; ReduceLROnPlateau on the evaluation loss;
 * a diverging schedule ranks last; cancel.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countLayerParams } from '../../src/contracts/params.js';
import { resolveScheduleSimulation } from '../../src/kinds/schedule-simulations/resolve.js';
import type { ScheduleSimulationRequest } from '../../src/kinds/schedule-simulations/contract.js';
import { createScalarBackend } from '../../src/core/kernels/scalar.js';
import { runScheduleSimulation } from '../../src/kinds/schedule-simulations/run.js';
import { testConfig } from '../helpers/app.js';
import { allFinite, finished, jobApi, startStack, type Json, type Stack } from '../helpers/stack.js';

let stack: Stack;
const api = () => jobApi(stack, 'schedule-simulations');
const submit = (body: unknown) => api().submit(body);
const waitFor: ReturnType<typeof jobApi>['waitFor'] = (...a) => api().waitFor(...a);
const KIND = '/v1/schedule-simulations';

beforeAll(async () => {
  stack = await startStack({ tag: 'ts' });
});
afterAll(async () => {
  await stack?.close();
});

const STEPS = 40;
const SCHEDULES = [
  { name: 'constant', schedule: { type: 'constant', lr: 0.01 } },
  {
    name: 'warmup-cosine',
    schedule: {
      type: 'SequentialLR',
      lr: 0.01,
      milestones: [5],
      schedulers: [
        { type: 'LinearLR', start_factor: 0.1, total_iters: 5 },
        { type: 'CosineAnnealingLR', T_max: 35, eta_min: 1e-4 },
      ],
    },
  },
  { name: 'one-cycle', schedule: { type: 'OneCycleLR', max_lr: 0.03, total_steps: STEPS, cycle_momentum: false } },
];
// the spirals preset's setup, made smaller to keep the file fast
const BODY = {
  preset: 'spirals-schedules',
  schedules: SCHEDULES,
  steps: STEPS,
  train: {
    data: { name: 'spirals', n_samples: 300, noise: 0.2 },
    model: { hidden: [16, 16], activation: 'relu', init: 'kaiming_normal' },
    batch_size: 32,
  },
};

/** The expected ranking from the runs' own numbers: final val loss ascending, ties by name, diverged last. */
function expectedRanking(runs: Json[]): string[] {
  const bad = (r: Json) => r.diverged || r.final_val_loss === null;
  return [...runs]
    .sort(
      (a, b) =>
        Number(bad(a)) - Number(bad(b)) ||
        (bad(a) ? 0 : a.final_val_loss - b.final_val_loss) ||
        (a.name < b.name ? -1 : 1),
    )
    .map((r) => r.name);
}

describe('schedule simulation runner (in process)', () => {
  it('two schedules with the same LR sequence train identically (same init, same minibatches)', () => {
    const req = resolveScheduleSimulation(
      <ScheduleSimulationRequest>{
        ...BODY,
        steps: 25,
        schedules: [
          { name: 'constant', schedule: { type: 'constant', lr: 0.01 } },
          { name: 'step-never', schedule: { type: 'StepLR', lr: 0.01, step_size: 1000 } },
          { name: 'optax-constant', schedule: { type: 'constant_schedule', value: 0.01 } },
        ],
      },
      { limits: testConfig().limits, countParams: countLayerParams },
    );
    const gen = runScheduleSimulation(req, { backend: () => createScalarBackend(), dataset: () => undefined });
    let next = gen.next();
    const progress: Json[] = [];
    while (!next.done) {
      progress.push(next.value);
      next = gen.next();
    }
    const r = next.value as Json;
    const [a, b, c] = r.schedules as Json[];
    expect(b.lrs).toEqual(a.lrs);
    expect(b.losses).toEqual(a.losses);
    expect(b.eval_losses).toEqual(a.eval_losses);
    expect(b.final_val_loss).toBe(a.final_val_loss);
    // optax.constant_schedule returns its value as given (no float32 cast): the same run again
    expect(c.lrs).toEqual(a.lrs);
    expect(c.losses).toEqual(a.losses);
    // an exact tie in final loss is ranked by name
    expect(r.ranking.indexOf('constant')).toBeLessThan(r.ranking.indexOf('step-never'));
    expect(progress.map((p) => p.iteration)).toEqual(Array.from({ length: 75 }, (_, i) => i + 1));
    expect(progress[30]).toMatchObject({ total: 75, schedule: 'step-never', lr: 0.01 });
  });
});

describe('schedule simulation, end to end', () => {
  let first: Json;

  it('trains constant vs warmup+cosine vs one-cycle on the spirals preset and ranks them', async () => {
    const { res, json } = await submit(BODY);
    expect(res.statusCode, JSON.stringify(json)).toBe(202);
    expect(res.headers.location).toBe(`${KIND}/${json.id}`);
    expect(json).toMatchObject({ kind: 'schedule-simulations', status: 'queued', result: null, error: null });
    expect(json.request).toMatchObject({
      preset: 'spirals-schedules',
      steps: STEPS,
      eval_every: null,
      diverge_th: 5,
      train: {
        batch_size: 32,
        seed: 0,
        optimizer: { type: 'adam' },
        data: { name: 'spirals', n_samples: 300 },
        clip_grad_norm: null,
      },
    });
    expect(json.request.schedules.map((s: Json) => s.name)).toEqual(['constant', 'warmup-cosine', 'one-cycle']);

    const { final, seen } = await waitFor(json.id, finished);
    expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
    expect([...seen].every((s) => ['queued', 'running', 'succeeded'].includes(s))).toBe(true);
    expect(final.progress).toMatchObject({ iteration: 3 * STEPS, total: 3 * STEPS, schedule: 'one-cycle' });
    expect(allFinite(final)).toBe(true);

    const r = final.result;
    expect(r).toMatchObject({
      steps: STEPS,
      seed: 0,
      ranked_by: 'val_loss',
      eval_split: 'val',
      eval_every: Math.ceil(240 / 32),
    });
    expect(r.schedules.map((s: Json) => s.name)).toEqual(['constant', 'warmup-cosine', 'one-cycle']);
    for (const [i, s] of (r.schedules as Json[]).entries()) {
      expect(s).toMatchObject({
        type: SCHEDULES[i].schedule.type,
        steps_run: STEPS,
        stop_reason: 'completed',
        diverged: false,
        diverged_at: null,
        warnings: [],
      });
      expect(s.losses).toHaveLength(STEPS);
      expect(s.losses.every((x: unknown) => typeof x === 'number')).toBe(true);
      expect(s.eval_steps).toEqual([8, 16, 24, 32, 40]);
      expect(s.eval_losses).toHaveLength(5);
      // per-step gradient norms and per-layer diagnostics at each evaluation (2 hidden + output layer)
      expect(s.grad_norms).toHaveLength(STEPS);
      expect(s.layers.length).toBeGreaterThanOrEqual(3);
      for (const l of s.layers as Json[]) expect(l.grad_norm).toHaveLength(5);
      expect(s.final_val_loss).toBeGreaterThan(0);
      expect(s.final_val_accuracy).toBeGreaterThan(0.5); // better than chance on 2 classes
      expect(s.final_train_loss).toBeLessThan(s.losses[0]); // it learned something
      // the LRs trained with are exactly the preview's
      const preview = await stack.t.app.inject({
        method: 'POST',
        url: '/v1/schedules/preview',
        payload: { schedule: SCHEDULES[i].schedule, steps: STEPS },
      });
      expect(s.lrs).toEqual(preview.json().lrs);
    }
    // same initial weights and same first minibatch: the loss before the first update is the same under every schedule
    expect(new Set(r.schedules.map((s: Json) => s.losses[0])).size).toBe(1);
    expect(new Set(r.schedules.map((s: Json) => s.losses[1])).size).toBe(3);
    expect([...r.ranking].sort()).toEqual(['constant', 'one-cycle', 'warmup-cosine']);
    expect(r.ranking).toEqual(expectedRanking(r.schedules));
    expect(r.schedules.map((s: Json) => s.rank)).toEqual(r.schedules.map((s: Json) => r.ranking.indexOf(s.name) + 1));
    // the job views take this result: a plot with both panels, a table with every schedule
    const svg = await stack.t.app.inject({ method: 'GET', url: `${KIND}/${json.id}/plot.svg` });
    expect(svg.statusCode).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    for (const name of r.ranking) expect(svg.body).toContain(name);
    const csv = await stack.t.app.inject({ method: 'GET', url: `${KIND}/${json.id}/curve.csv` });
    expect(csv.statusCode).toBe(200);
    expect(csv.body.trim().split('\n')).toHaveLength(1 + 3 * STEPS);
    first = final;
  });

  it('the same request gives an identical result and ranking; another seed does not', async () => {
    const again = await submit(BODY);
    const other = await submit({ ...BODY, train: { ...BODY.train, seed: 1 } });
    const a = (await waitFor(again.json.id, finished)).final;
    const b = (await waitFor(other.json.id, finished)).final;
    expect(a.status).toBe('succeeded');
    expect(a.result).toEqual(first.result);
    expect(a.result.ranking).toEqual(first.result.ranking);
    expect(b.result.seed).toBe(1);
    expect(b.result.schedules[0].losses).not.toEqual(first.result.schedules[0].losses);
  });

  it('{"preset": "spirals-schedules"} alone runs the complete example', async () => {
    const { json } = await submit({ preset: 'spirals-schedules' });
    const { final } = await waitFor(json.id, finished);
    expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
    expect(final.result.steps).toBe(200);
    expect([...final.result.ranking].sort()).toEqual(['constant', 'one-cycle', 'warmup-cosine']);
    expect(final.result.ranking).toEqual(expectedRanking(final.result.schedules));
  });

  it('ReduceLROnPlateau steps on the evaluation loss; a diverging schedule stops and ranks last', async () => {
    const { json } = await submit({
      ...BODY,
      steps: 30,
      eval_every: 5,
      train: { ...BODY.train, optimizer: { type: 'sgd', momentum: 0.9 } },
      schedules: [
        {
          name: 'plateau',
          schedule: { type: 'ReduceLROnPlateau', lr: 0.05, patience: 0, factor: 0.5, threshold: 0.2 },
        },
        { name: 'exploding', schedule: { type: 'ExponentialLR', lr: 0.05, gamma: 2 } },
        { name: 'constant', schedule: { type: 'constant', lr: 0.05 } },
      ],
    });
    const { final } = await waitFor(json.id, finished);
    expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
    expect(allFinite(final)).toBe(true);
    const [plateau, exploding] = final.result.schedules as Json[];
    expect(plateau.eval_steps).toEqual([5, 10, 15, 20, 25, 30]);
    // the LR only changes right after an evaluation, and only by factor 0.5, when that loss did not improve on the best
    let best = Infinity;
    for (let k = 0; k < 6; k++) {
      const block = plateau.lrs.slice(k * 5, k * 5 + 5);
      expect(new Set(block).size).toBe(1);
      if (k === 5) break;
      const m = plateau.eval_losses[k];
      const improved = m < best * (1 - 0.2); // threshold_mode 'rel'
      if (improved) best = m;
      expect(plateau.lrs[(k + 1) * 5]).toBe(improved ? block[0] : block[0] * 0.5);
    }
    const changes = plateau.lrs.filter((x: number, i: number) => i > 0 && x !== plateau.lrs[i - 1]).length;
    expect(changes).toBeGreaterThan(0); // it reduced at least once...
    expect(changes).toBeLessThan(5); // ...and not after every evaluation
    expect(exploding).toMatchObject({ diverged: true });
    expect(['diverged', 'non_finite']).toContain(exploding.stop_reason);
    expect(exploding.steps_run).toBeLessThan(30);
    expect(exploding.diverged_at).toBe(exploding.steps_run - 1);
    expect(exploding.warnings[0].code).toBe(exploding.stop_reason);
    expect(final.result.ranking.at(-1)).toBe('exploding');
  });

  it('cancels a running simulation: it stops and reads canceled', async () => {
    const { json } = await submit({
      ...BODY,
      steps: 20_000,
      schedules: SCHEDULES.slice(0, 2).map((s) => ({ name: s.name, schedule: { type: 'constant', lr: 0.001 } })),
    });
    expect(json.status).toBe('queued');
    await waitFor(json.id, (j) => j.status === 'running' && (j.progress?.iteration ?? 0) > 0);
    const res = await stack.t.app.inject({ method: 'POST', url: `${KIND}/${json.id}/cancel` });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('canceled');
    const { final } = await waitFor(json.id, (j) => j.finished_at !== null, 10_000);
    expect(final.status).toBe('canceled');
    expect(final.result).toBeNull();
    expect(final.progress.iteration).toBeLessThan(40_000);
    const done = await stack.t.app.inject({ method: 'POST', url: `${KIND}/${first.id}/cancel` });
    expect(done.statusCode).toBe(409);
  });
});
