/**
 * Sweep sessions as real training loops are written, through the routes on a real private
 * redis-server: parameter groups (each group's LR in every `next`, each group's pick in the
 * result), GradScaler-skipped steps (`{iteration, skipped: true}`: the plan does not advance, no
 * point; more than max_skipped_steps in a row stop as non_finite), typed non-finite losses, and
 * `emulate` — one report per optimizer step, the library's picks exactly (the libraries' own
 * code wrote test/lrfinder/fixtures/libraries.json).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lrPlan } from '../../src/lrfinder/lr-plan.js';
import type { LibraryName, WireLoss } from '../../src/lrfinder/index.js';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { expectProblem, sweepClient, type Json } from '../helpers/sweep.js';

interface Emu {
  case: string;
  library: LibraryName;
  run: string;
  options: Record<string, any>;
  lrs: WireLoss[];
  losses: WireLoss[];
  iterations: number;
  stop_reason: string;
  picks: Record<string, number | null>;
}
const F = JSON.parse(readFileSync(new URL('../lrfinder/fixtures/libraries.json', import.meta.url), 'utf8')) as {
  raw: Record<string, WireLoss[]>;
  emulations: Emu[];
};

const KEY = 'carol-secret-key-3';
let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
let api: ReturnType<typeof sweepClient>;

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, {
    QUEUE_PREFIX: `swl-${randomUUID().slice(0, 8)}`,
    API_KEYS: `carol:${KEY}`,
    LIMIT_NUM_ITER: '400',
  });
  await t.connected();
  api = sweepClient(t.app, KEY);
});

afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

/** A falling-then-diverging loss of the LR (test/lrfinder/synthetic.test.ts). */
const L = (lr: number, i: number) =>
  2.3 - (1 + Math.tanh(1.5 * (Math.log10(lr) + 3))) + 2 * lr * lr + 0.08 * Math.sin(i * 12.9898) * Math.cos(i * 78.233);
const num = (v: WireLoss): number =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

describe('parameter groups', () => {
  it("every `next` gives each group's LR in the request's order; the result each group's pick", async () => {
    const groups = [
      { name: 'backbone', lr_mult: 0.1 },
      { name: 'head', lr_mult: 1 },
      { name: 'norm', lr_mult: 0.25 },
    ];
    const s = await api.start({ num_iter: 60, param_groups: groups });
    expect(s.request.param_groups).toEqual(groups);
    expect(s.lrs_planned).toEqual(lrPlan(1e-7, 10, 60, 'exp')); // the curve is in the plan's LR (lr_mult 1)
    let next = s.next;
    let last: Json = s;
    while (next) {
      expect(next.param_groups).toEqual(groups.map((g) => ({ name: g.name, lr: next.lr * g.lr_mult })));
      last = (await api.report(s.id, { iteration: next.iteration, loss: L(next.lr, next.iteration) })).json;
      next = last.next;
    }
    const r = last.result;
    expect(r.suggested_lr).not.toBeNull();
    expect(r.param_groups).toEqual(groups.map((g) => ({ ...g, suggested_lr: r.suggested_lr * g.lr_mult })));
  });

  it.each([
    [
      'two groups of one name',
      {
        param_groups: [
          { name: 'a', lr_mult: 1 },
          { name: 'a', lr_mult: 0.5 },
        ],
      },
      '/param_groups/1/name',
    ],
    ['lr_mult 0', { param_groups: [{ name: 'a', lr_mult: 0 }] }, '/param_groups/0/lr_mult'],
    ['a group without a name', { param_groups: [{ lr_mult: 1 }] }, '/param_groups/0/name'],
    ['no groups', { param_groups: [] }, '/param_groups'],
  ])('%s: a 400 naming the field', async (_w, body, pointer) => {
    expectProblem(await api.call('POST', '/v1/sweep-sessions', body), 400, 'invalid_request', pointer);
  });
});

describe('GradScaler-skipped steps: {iteration, skipped: true}', () => {
  it('the plan does not advance, no point is recorded; the points are those of a loop without the skipped steps', async () => {
    const s = await api.start({ num_iter: 40 });
    const plain = await api.start({ num_iter: 40 });
    const skipAt = new Set([3, 4, 17]);
    let next = s.next;
    let k = 0;
    let answer: Json = {};
    while (next) {
      if (skipAt.has(next.iteration)) {
        answer = (await api.report(s.id, { iteration: next.iteration, skipped: true })).json;
        expect(answer.next).toMatchObject({ iteration: next.iteration + 1, lr: next.lr }); // the same LR again
        expect(answer.iterations).toBe(k);
        next = answer.next;
        continue;
      }
      answer = (await api.report(s.id, { iteration: next.iteration, loss: L(next.lr, k) })).json;
      await api.report(plain.id, { iteration: k, loss: L(next.lr, k) });
      k++;
      next = answer.next;
    }
    const ref = (await api.get(plain.id)).json.result;
    const r = answer.result;
    expect(r.lrs).toEqual(ref.lrs);
    expect(r.losses).toEqual(ref.losses);
    expect(r.suggestions).toEqual(ref.suggestions);
    expect(ref.iterations).toBeGreaterThan(20);
    expect(r).toMatchObject({
      iterations: ref.iterations,
      reports: ref.iterations + 3,
      skipped: [3, 4, 17],
      stop_reason: ref.stop_reason,
    });
    expect(r.warnings.map((w: Json) => w.code)).toContain('skipped_steps');
    const got = (await api.get(s.id)).json;
    expect(got).toMatchObject({ iterations: ref.iterations, reports: ref.iterations + 3, skipped: [3, 4, 17] });
    expect(answer.last.iteration).toBe(ref.iterations + 2); // the report number of the last point
  });

  it('a re-sent skipped report is the same answer; a loss for a skipped iteration (or skipped for a point) is a 409', async () => {
    const s = await api.start({ num_iter: 20 });
    await api.report(s.id, { iteration: 0, loss: 2.3 });
    const a = await api.report(s.id, { iteration: 1, skipped: true });
    const b = await api.report(s.id, { iteration: 1, skipped: true });
    expect(b.json).toEqual(a.json);
    expect(a.json).toMatchObject({ iterations: 1, reports: 2, next: { iteration: 2 } });
    expectProblem(await api.report(s.id, { iteration: 1, loss: 2.2 }), 409, 'loss_conflict', '/skipped');
    expectProblem(await api.report(s.id, { iteration: 0, skipped: true }), 409, 'loss_conflict', '/skipped');
    // two skips in a row are two reports, not a retry
    const c = await api.report(s.id, { iteration: 2, skipped: true });
    expect(c.json).toMatchObject({ iterations: 1, reports: 3, next: { iteration: 3, lr: s.lrs_planned[1] } });
  });

  it('more than max_skipped_steps in a row stop the session as non_finite (default 20)', async () => {
    const s = await api.start({ num_iter: 50, max_skipped_steps: 3 });
    await api.report(s.id, {
      losses: [
        { iteration: 0, loss: 2.3 },
        { iteration: 1, skipped: true },
        { iteration: 2, loss: 2.29 },
      ],
    });
    let r: Json = {};
    for (let it = 3; it <= 6; it++) r = (await api.report(s.id, { iteration: it, skipped: true })).json;
    expect(r).toMatchObject({ status: 'stopped', stop_reason: 'non_finite', iterations: 2, reports: 7, next: null });
    expect(r.result.warnings.map((w: Json) => w.code)).toEqual(
      expect.arrayContaining(['skipped_steps', 'too_many_skipped_steps']),
    );
    expect(r.result.warnings.map((w: Json) => w.code)).not.toContain('non_finite');

    const d = await api.start({ num_iter: 50 });
    expect(d.request.max_skipped_steps).toBe(20);
    const skips = Array.from({ length: 20 }, (_, k) => ({ iteration: k + 1, skipped: true }));
    const twenty = (await api.report(d.id, { losses: [{ iteration: 0, loss: 2.3 }, ...skips] })).json;
    expect(twenty.status).toBe('running');
    const more = (await api.report(d.id, { iteration: 21, skipped: true })).json;
    expect(more).toMatchObject({ status: 'stopped', stop_reason: 'non_finite' });
  });

  it('a report needs a loss or skipped: true', async () => {
    const s = await api.start();
    expectProblem(await api.report(s.id, { iteration: 0 }), 400, 'invalid_request', '/loss');
    expectProblem(await api.report(s.id, { iteration: 0, skipped: false }), 400, 'invalid_request', '/loss');
    expectProblem(
      await api.report(s.id, { losses: [{ iteration: 0, loss: 1 }, { iteration: 1 }] }),
      400,
      'invalid_request',
      '/losses/1/loss',
    );
    expectProblem(await api.report(s.id, { iteration: 0, skipped: 'yes' }), 400, 'invalid_request', '/skipped');
  });
});

describe('typed non-finite losses', () => {
  it('"NaN", "Infinity", "-Infinity" and null stop the service\'s pipeline as non_finite; a re-send is the same answer', async () => {
    for (const bad of ['NaN', 'Infinity', '-Infinity', null]) {
      const s = await api.start({ num_iter: 30 });
      await api.report(s.id, {
        losses: s.lrs_planned.slice(0, 12).map((lr: number, i: number) => ({ iteration: i, loss: L(lr, i) })),
      });
      const r = await api.report(s.id, { iteration: 12, loss: bad });
      expect(r.json).toMatchObject({
        status: 'stopped',
        stop_reason: 'non_finite',
        iterations: 13,
        last: { loss: null, smoothed_loss: null },
      });
      expect((await api.report(s.id, { iteration: 12, loss: bad })).json).toEqual(r.json);
    }
  });

  it('an emulating session keeps the kind: torch-lr-finder runs on through a NaN (its EMA stays NaN), stops at +Infinity', async () => {
    const raw = F.raw.noisy.slice(0, 40).map(num);
    const run = async (v: WireLoss) => {
      const s = await api.start({ emulate: { library: 'torch-lr-finder', num_iter: 40 } });
      const losses: WireLoss[] = raw.map((x, i) => (i === 20 ? v : x));
      return (await api.report(s.id, { losses: losses.map((loss, iteration) => ({ iteration, loss })) })).json;
    };
    const nan = await run('NaN');
    const inf = await run('Infinity');
    expect(nan.result.emulation).toMatchObject({ stop_reason: 'completed', iterations: 40 });
    expect(nan.result.emulation.raw_losses[20]).toBe('NaN');
    expect(nan.result.emulation.losses.slice(20).every((v: WireLoss) => v === 'NaN')).toBe(true);
    expect(nan.result.smoothed_losses[20]).toBeNull();
    expect(inf.result.emulation).toMatchObject({ stop_reason: 'diverged', iterations: 21 });
    expect(inf.result.emulation.losses[20]).toBe('Infinity');
    // a re-send of a typed loss must be the same kind
    const s = await api.start({ emulate: { library: 'fastai', num_iter: 40 } });
    await api.report(s.id, { iteration: 0, loss: 'Infinity' });
    expect((await api.report(s.id, { iteration: 0, loss: 'Infinity' })).res.statusCode).toBe(200);
    expectProblem(await api.report(s.id, { iteration: 0, loss: 'NaN' }), 409, 'loss_conflict', '/loss');
  });
});

/** The fixture's library options as `emulate`; sessions plan ahead, so keras and ignite get num_iter = the number of
 * losses. */
function emulateOf(e: Emu): { emulate: Json; sma?: number } | null {
  const o = e.options;
  const n = F.raw[e.case].length;
  switch (e.library) {
    case 'fastai':
      return { emulate: { library: 'fastai', num_iter: o.num_iter, diverge_th: o.diverge_th } };
    case 'keras-lr-finder':
      return {
        emulate: {
          library: 'keras-lr-finder',
          start_lr: o.start_lr,
          end_lr: o.end_lr,
          num_iter: n,
          steps_per_epoch: o.steps_per_epoch,
        },
        sma: o.sma,
      };
    case 'ignite':
      return { emulate: { library: 'ignite', ...o, num_iter: o.num_iter ?? n } };
    default:
      return o.num_iter < 2 ? null : { emulate: { library: e.library, ...o } };
  }
}

describe("emulate: one report per step, the library's picks exactly", () => {
  const cases = F.emulations.filter((e) => emulateOf(e) !== null && e.options.num_iter !== 5);
  it('covers every library and stop reason', () => {
    expect(new Set(cases.map((e) => e.library)).size).toBe(5);
    expect(new Set(cases.map((e) => e.stop_reason))).toEqual(
      new Set(['completed', 'diverged', 'exhausted', 'non_finite']),
    );
  });

  it.each(cases.map((e) => [`${e.library} ${e.run} on ${e.case}`, e] as const))('%s', async (_n, e) => {
    const { emulate, sma } = emulateOf(e)!;
    const s = await api.start({ emulate, ...(sma !== undefined ? { sma } : {}) });
    const raw = F.raw[e.case];
    expect(s.lrs_planned.length).toBeGreaterThanOrEqual(Math.min(raw.length, e.iterations));
    // the LR to train each step at, then the losses as a batch (what follows the library's stop is ignored)
    let answer = (await api.report(s.id, { losses: raw.map((loss, iteration) => ({ iteration, loss })) })).json;
    if (answer.status === 'running') answer = (await api.stop(s.id)).json; // the losses ran out first
    const r = answer.result;
    expect(r.emulation.iterations).toBe(e.iterations);
    expect(r.emulation.stop_reason).toBe(e.stop_reason);
    expect(r.iterations).toBe(e.iterations);
    const lrs = e.lrs.map(num);
    r.emulation.lrs.forEach((lr: number, i: number) => expect(rel(lr, lrs[i]), `lrs[${i}]`).toBeLessThanOrEqual(1e-12));
    expect(r.lrs).toEqual(r.emulation.lrs);
    for (const [m, want] of Object.entries(e.picks)) {
      const got = r.suggestions[m];
      if (want === null) {
        expect(got.index, m).toBeNull();
        continue;
      }
      expect(got.index, m).toBe(want);
      expect(rel(got.lr, m === 'minimum' ? lrs[want] / 10 : lrs[want]), `${m} lr`).toBeLessThanOrEqual(1e-12);
    }
  });

  it("`next` is the LR the library trains at (ignite one step behind what it records), with each group's", async () => {
    const s = await api.start({
      emulate: { library: 'ignite', start_lr: 1e-6, end_lr: 1, num_iter: 6 },
      param_groups: [{ name: 'a', lr_mult: 0.5 }],
    });
    const rec = (i: number) => 1e-6 * (1 / 1e-6) ** ((i + 1) / 6);
    expect(s.next).toEqual({ iteration: 0, lr: rec(0), param_groups: [{ name: 'a', lr: rec(0) * 0.5 }] });
    const a = (await api.report(s.id, { iteration: 0, loss: 1 })).json;
    expect(a.next.lr).toBe(rec(0));
    const b = (await api.report(s.id, { iteration: 1, loss: 1 })).json;
    expect(b.next.lr).toBe(rec(1));
    expect(b.last.lr).toBe(rec(1));
    expect(s.lrs_planned).toHaveLength(7); // ignite records num_iter + 1 points
    expect(s.request.emulate).toEqual({
      library: 'ignite',
      start_lr: 1e-6,
      end_lr: 1,
      num_iter: 6,
      step_mode: 'exp',
      smooth_f: 0.05,
      diverge_th: 5,
    });
    expect(s.request.suggestion).toBe('ignite');
  });

  it('a skipped step is recorded with its loss, as the library records it; without the loss it is a 400', async () => {
    const s = await api.start({ emulate: 'fastai' });
    expectProblem(await api.report(s.id, { iteration: 0, skipped: true }), 400, 'invalid_request', '/loss');
    const r = (await api.report(s.id, { iteration: 0, skipped: true, loss: 2.3 })).json;
    expect(r).toMatchObject({ iterations: 1, reports: 1, next: { iteration: 1 } });
    const stopped = (await api.stop(s.id)).json;
    expect(stopped.result.skipped).toEqual([0]);
    expect(stopped.result.warnings.map((w: Json) => w.code)).toContain('skipped_steps_recorded');
  });

  it.each([
    [
      'an argument the library does not have',
      { emulate: { library: 'lightning', smooth_f: 0.1 } },
      '/emulate/smooth_f',
      'invalid_request',
    ],
    [
      'ignite without num_iter',
      { emulate: { library: 'ignite', num_iter: null } },
      '/emulate/num_iter',
      'invalid_request',
    ],
    [
      'num_iter above LIMIT_NUM_ITER',
      { emulate: { library: 'fastai', num_iter: 401 } },
      '/emulate/num_iter',
      'limit_exceeded',
    ],
    ['an unknown library', { emulate: 'optuna' }, '/emulate', 'invalid_request'],
  ])('%s: a 400 naming the field', async (_w, body, pointer, code) => {
    expectProblem(await api.call('POST', '/v1/sweep-sessions', body), 400, code, pointer);
  });
});

describe('sessions stored before picks carried their trimming', () => {
  it('answer a result recomputed from their points', async () => {
    const s = await api.start({ num_iter: 30 });
    await api.report(s.id, {
      losses: s.lrs_planned.slice(0, 25).map((lr: number, i: number) => ({ iteration: i, loss: L(lr, i) })),
    });
    const now = (await api.stop(s.id)).json.result;
    // rewrite the stored doc as an older service stored it: v1 picks {lr, index}, skip_start/skip_end in the request
    const key = (await t.redis.keys(`*sweep-session:${s.id}`))[0];
    const doc = JSON.parse((await t.redis.hget(key, 'doc')) as string);
    doc.result.suggestions = Object.fromEntries(
      Object.entries(now.suggestions).map(([m, p]: [string, any]) => [m, { lr: p.lr, index: p.index }]),
    );
    await t.redis.hset(key, 'doc', JSON.stringify(doc));
    const got = await api.get(s.id);
    expect(got.res.statusCode).toBe(200);
    expect(got.json.result).toEqual(now);
  });
});
