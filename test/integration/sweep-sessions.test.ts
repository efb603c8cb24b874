/**
 * Sweep sessions against a real private redis-server: a client loop driven by an analytic
 * loss(lr) stops where the pure state machine (and so rangeTest) stops, with the same result;
 * repeats are idempotent, gaps and conflicting values are 409s naming the expected iteration,
 * null losses stop with non_finite, concurrent reports of one iteration advance it once,
 * another owner gets 404, bad input is a 400 naming the field, no Redis is a 503.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSweep, sweepNext, sweepResult, sweepStep } from '../../src/lrfinder/session.js';
import { RANGE_TEST_OPTION_DEFAULTS } from '../../src/lrfinder/range-test.js';
import { lrPlan } from '../../src/lrfinder/lr-plan.js';
import { METHOD_NAMES } from '../../src/lrfinder/suggest/registry.js';
import { wireSweepResult } from '../../src/sync/sweep-sessions/resource.js';
import { redisKeys } from '../../src/queue/keys.js';
import { appOn, appWithoutRedis } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { expectProblem, sweepClient, type Json } from '../helpers/sweep.js';

let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
const ALICE = 'alice-secret-key-1';
const BOB = 'bob-secret-key-22';
const PREFIX = `sw-${randomUUID().slice(0, 8)}`;
const TTL = 3600;

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, {
    QUEUE_PREFIX: PREFIX,
    API_KEYS: `alice:${ALICE},bob:${BOB}`,
    LIMIT_NUM_ITER: '300',
    RESULT_TTL_S: String(TTL),
  });
  await t.connected();
});

afterAll(async () => {
  await t?.close();
  await redis?.cleanup();
});

const call = (...a: Parameters<ReturnType<typeof sweepClient>['call']>) => sweepClient(t.app, ALICE).call(...a);
const start = (body: unknown = {}) => sweepClient(t.app, ALICE).start(body);
const report = (id: string, body: unknown, key = ALICE) => sweepClient(t.app, ALICE).report(id, body, key);

/** The synthetic training loop: falls around lr = 1e-3, blows up past lr ≈ 1 (test/lrfinder/synthetic.test.ts). */
const L = (lr: number, i: number) =>
  2.3 - (1 + Math.tanh(1.5 * (Math.log10(lr) + 3))) + 2 * lr * lr + 0.08 * Math.sin(i * 12.9898) * Math.cos(i * 78.233);

describe('POST /v1/sweep-sessions', () => {
  it("plans torch-lr-finder's LRs: 201 + Location, next = iteration 0 at start_lr, defaults filled", async () => {
    const r = await call('POST', '/v1/sweep-sessions', { num_iter: 50 });
    expect(r.res.statusCode).toBe(201);
    expect(r.res.headers.location).toBe(`/v1/sweep-sessions/${r.json.id}`);
    expect(r.json).toMatchObject({
      status: 'running',
      iterations: 0,
      next: { iteration: 0, lr: 1e-7 },
      stop_reason: null,
      result: null,
      request: {
        start_lr: 1e-7,
        end_lr: 10,
        num_iter: 50,
        step_mode: 'exp',
        smooth_f: 0.05,
        diverge_th: 5,
        suggestion: 'minimum',
        max_skipped_steps: 20,
      },
      links: { self: r.res.headers.location, losses: `${r.res.headers.location}/losses` },
    });
    expect(r.json.lrs_planned).toEqual(lrPlan(1e-7, 10, 50, 'exp'));
    const ttl = await t.redis.ttl(redisKeys(PREFIX).session('sweep-session', r.json.id));
    expect(ttl).toBeGreaterThan(TTL - 10);
    expect(ttl).toBeLessThanOrEqual(TTL);
  });
});

describe('a client loop', () => {
  it('reports one loss per step until stopped: the same points and result as the pure state machine', async () => {
    const s = await start({ suggestion: 'steepest' });
    let next = s.next;
    let answer: Json = {};
    let steps = 0;
    while (next) {
      const r = await report(s.id, { iteration: next.iteration, loss: L(next.lr, next.iteration) });
      expect(r.res.statusCode).toBe(200);
      answer = r.json;
      next = answer.next;
      if (++steps > 200) throw new Error('never stopped');
    }
    // the reference: the same losses through src/lrfinder/session.ts (≡ rangeTest, test/lrfinder/session.test.ts)
    const opts = { ...RANGE_TEST_OPTION_DEFAULTS };
    let ref = newSweep();
    for (let n = sweepNext(ref, opts); n; n = sweepNext(ref, opts)) ref = sweepStep(ref, opts, L(n.lr, n.iteration));
    const expected = JSON.parse(
      JSON.stringify(wireSweepResult(sweepResult(ref, { ...opts, suggestion: 'steepest', methods: METHOD_NAMES }))),
    );

    expect(answer).toMatchObject({
      status: 'stopped',
      stop_reason: 'diverged',
      next: null,
      iterations: ref.losses.length,
    });
    expect(answer.result).toEqual(expected);
    expect(answer.result.suggestion.method).toBe('steepest');
    expect(answer.result.suggested_lr).toBeGreaterThan(1e-5);
    expect(answer.result.suggested_lr).toBeLessThan(1e-1);
    expect(Object.keys(answer.result.suggestions)).toEqual([...METHOD_NAMES]);
    expect(answer.result.suggestions.steepest.trim).toEqual({
      skip_start: 10,
      skip_end: 5,
      source: 'library',
      cut_at: null,
    });
    expect(answer.last).toEqual({
      iteration: steps - 1,
      lr: expected.lrs[steps - 1],
      loss: expected.losses[steps - 1],
      smoothed_loss: expected.smoothed_losses[steps - 1],
    });

    const got = await call('GET', `/v1/sweep-sessions/${s.id}`);
    expect(got.res.statusCode).toBe(200);
    expect(got.json).toMatchObject({ status: 'stopped', stop_reason: 'diverged', iterations: steps, next: null });
    expect(got.json.lrs).toEqual(expected.lrs);
    expect(got.json.smoothed_losses).toEqual(expected.smoothed_losses);
    expect(got.json.result).toEqual(expected);
    expect(got.json.best_lr).toBe(expected.best_lr);

    // a repeat of the stopping report: the same answer; a new iteration after the stop: 409
    const again = await report(s.id, { iteration: steps - 1, loss: L(expected.lrs[steps - 1], steps - 1) });
    expect(again.res.statusCode).toBe(200);
    expect(again.json).toEqual(answer);
    expectProblem(await report(s.id, { iteration: steps, loss: 1 }), 409, 'session_stopped', '/iteration');
  });

  it('a batch records in order, ignores what follows the stop, and a retried batch gets the same answer', async () => {
    const s = await start({ num_iter: 100 });
    const plan: number[] = s.lrs_planned;
    const all = plan.map((lr, i) => ({ iteration: i, loss: L(lr, i) }));
    const first = await report(s.id, { losses: all.slice(0, 30) });
    expect(first.json).toMatchObject({
      status: 'running',
      iterations: 30,
      next: { iteration: 30, lr: plan[30] },
      ignored: 0,
    });
    const rest = await report(s.id, { losses: all.slice(30) });
    expect(rest.res.statusCode).toBe(200);
    expect(rest.json.status).toBe('stopped');
    expect(rest.json.stop_reason).toBe('diverged');
    expect(rest.json.ignored).toBe(100 - rest.json.iterations);
    expect(rest.json.ignored).toBeGreaterThan(0);
    const retry = await report(s.id, { losses: all.slice(30) });
    expect(retry.json).toEqual(rest.json);
  });
});

describe('order and idempotency', () => {
  it('a repeated report with the same loss is idempotent; with another loss it is a 409', async () => {
    const s = await start();
    const a = await report(s.id, { iteration: 0, loss: 2.5 });
    const b = await report(s.id, { iteration: 0, loss: 2.5 });
    expect(b.res.statusCode).toBe(200);
    expect(b.json).toEqual(a.json);
    expect(a.json).toMatchObject({
      iterations: 1,
      next: { iteration: 1 },
      last: { iteration: 0, loss: 2.5, smoothed_loss: 2.5 },
    });
    const c = await report(s.id, { iteration: 0, loss: 2.4 });
    expectProblem(c, 409, 'loss_conflict', '/loss');
    expect(c.json.detail).toContain('next expected iteration is 1');
    expect((await call('GET', `/v1/sweep-sessions/${s.id}`)).json.iterations).toBe(1);
  });

  it('a skipped iteration is a 409 naming the expected one; nothing is recorded (batches are all or nothing)', async () => {
    const s = await start();
    await report(s.id, { iteration: 0, loss: 2.5 });
    const skip = await report(s.id, { iteration: 2, loss: 2.4 });
    expectProblem(skip, 409, 'out_of_order', '/iteration');
    expect(skip.json.detail).toContain('expected iteration 1');
    const batch = await report(s.id, {
      losses: [
        { iteration: 1, loss: 2.4 },
        { iteration: 3, loss: 2.3 },
      ],
    });
    expectProblem(batch, 409, 'out_of_order', '/losses/1/iteration');
    expect(batch.json.detail).toContain('expected iteration 2');
    expect((await call('GET', `/v1/sweep-sessions/${s.id}`)).json).toMatchObject({
      iterations: 1,
      next: { iteration: 1 },
    });
  });

  it('concurrent reports of the same iteration with different losses: exactly one is recorded', async () => {
    const s = await start();
    await report(s.id, { iteration: 0, loss: 2.5 });
    const rs = await Promise.all(
      Array.from({ length: 8 }, (_, k) => report(s.id, { iteration: 1, loss: 2 + k / 100 })),
    );
    const ok = rs.filter((r) => r.res.statusCode === 200);
    expect(ok).toHaveLength(1);
    for (const r of rs)
      if (r.res.statusCode !== 200) expect(r.json.code).toMatch(/^(loss_conflict|concurrent_update)$/);
    const got = (await call('GET', `/v1/sweep-sessions/${s.id}`)).json;
    expect(got.iterations).toBe(2);
    expect(got.losses[1]).toBe(ok[0].json.last.loss);
  });
});

describe('stops', () => {
  it('a null loss (NaN/Inf in the client) stops with non_finite; the curve before it is analysed', async () => {
    const s = await start();
    const plan: number[] = s.lrs_planned;
    await report(s.id, { losses: plan.slice(0, 40).map((lr, i) => ({ iteration: i, loss: L(lr, i) })) });
    const r = await report(s.id, { iteration: 40, loss: null });
    expect(r.json).toMatchObject({
      status: 'stopped',
      stop_reason: 'non_finite',
      iterations: 41,
      next: null,
      last: { iteration: 40, loss: null, smoothed_loss: null },
    });
    expect(r.json.result.losses[40]).toBeNull();
    expect(r.json.result.warnings.map((w: Json) => w.code)).toEqual(
      expect.arrayContaining(['non_finite_losses', 'non_finite']),
    );
    expect(r.json.result.best_loss).not.toBeNull();
  });

  it('POST .../stop ends early with the result on the points so far (idempotent)', async () => {
    const s = await start();
    const plan: number[] = s.lrs_planned;
    await report(s.id, { losses: plan.slice(0, 60).map((lr, i) => ({ iteration: i, loss: L(lr, i) })) });
    const st = await call('POST', `/v1/sweep-sessions/${s.id}/stop`);
    expect(st.res.statusCode).toBe(200);
    expect(st.json).toMatchObject({ status: 'stopped', stop_reason: 'stopped_by_client', iterations: 60, next: null });
    expect(st.json.result).toMatchObject({ stop_reason: 'stopped_by_client', iterations: 60 });
    expect(st.json.result.lrs).toEqual(plan.slice(0, 60));
    expect((await call('POST', `/v1/sweep-sessions/${s.id}/stop`)).json).toEqual(st.json);
    const empty = await start();
    const e = await call('POST', `/v1/sweep-sessions/${empty.id}/stop`);
    expect(e.json).toMatchObject({ status: 'stopped', iterations: 0, result: { suggested_lr: null, iterations: 0 } });
  });
});

describe('owners and errors', () => {
  it("another owner's session is a 404 for GET, losses and stop; no key is a 401", async () => {
    const s = await start();
    expectProblem(await call('GET', `/v1/sweep-sessions/${s.id}`, undefined, BOB), 404, 'not_found');
    expectProblem(await report(s.id, { iteration: 0, loss: 1 }, BOB), 404, 'not_found');
    expectProblem(await call('POST', `/v1/sweep-sessions/${s.id}/stop`, undefined, BOB), 404, 'not_found');
    expect((await call('GET', `/v1/sweep-sessions/${s.id}`)).json.iterations).toBe(0);
    const anon = await t.app.inject({ method: 'GET', url: `/v1/sweep-sessions/${s.id}` });
    expect(anon.statusCode).toBe(401);
    expectProblem(await call('GET', `/v1/sweep-sessions/${randomUUID()}`), 404, 'not_found');
  });

  it.each([
    ['an unknown field', { num_iter: 100, model: {} }, '/model'],
    ['a string num_iter', { num_iter: '100' }, '/num_iter'],
    ['num_iter = 1', { num_iter: 1 }, '/num_iter'],
    ['a zero start_lr', { start_lr: 0 }, '/start_lr'],
    ['smooth_f = 1', { smooth_f: 1 }, '/smooth_f'],
    ['diverge_th = 1', { diverge_th: 1 }, '/diverge_th'],
    ['an unknown suggestion', { suggestion: 'best' }, '/suggestion'],
    ['a bad step_mode', { step_mode: 'cos' }, '/step_mode'],
    ['end_lr <= start_lr', { start_lr: 1, end_lr: 0.1 }, '/end_lr'],
  ])('start: %s is a 400 naming the field', async (_w, body, pointer) => {
    expectProblem(await call('POST', '/v1/sweep-sessions', body), 400, 'invalid_request', pointer);
  });

  it('num_iter above LIMIT_NUM_ITER: limit_exceeded naming the limit', async () => {
    const r = await call('POST', '/v1/sweep-sessions', { num_iter: 301 });
    expectProblem(r, 400, 'limit_exceeded', '/num_iter');
    expect(r.json.detail).toContain('LIMIT_NUM_ITER');
  });

  it.each([
    ['a string loss', { iteration: 0, loss: '2.3' }, '/loss'],
    ['a missing loss', { iteration: 0 }, '/loss'],
    ['a negative iteration', { iteration: -1, loss: 1 }, '/iteration'],
    ['a fractional iteration', { iteration: 0.5, loss: 1 }, '/iteration'],
    ['an unknown field', { iteration: 0, loss: 1, lr: 1e-7 }, '/lr'],
    [
      'a bad batch item',
      {
        losses: [
          { iteration: 0, loss: 1 },
          { iteration: 1, loss: 'x' },
        ],
      },
      '/losses/1/loss',
    ],
    ['an empty batch', { losses: [] }, '/losses'],
    ['a loss without its iteration', { loss: 1 }, '/iteration'],
    ['both forms at once', { iteration: 0, loss: 1, losses: [{ iteration: 0, loss: 1 }] }, '/iteration'],
  ])('report: %s is a 400 naming the field', async (_w, body, pointer) => {
    const s = await start();
    expectProblem(await report(s.id, body), 400, 'invalid_request', pointer);
  });

  it('NaN in the JSON is an invalid_json problem; a non-UUID id is a 400', async () => {
    const s = await start();
    const r = await report(s.id, '{"iteration": 0, "loss": NaN}');
    expectProblem(r, 400, 'invalid_json');
    expect(r.json.detail).toContain('allow_nan=False');
    expectProblem(await call('GET', '/v1/sweep-sessions/not-a-uuid'), 400, 'invalid_request', '/params/id');
  });
});

describe('Redis down', () => {
  it('every sweep route answers 503 with Retry-After, at once', async () => {
    const down = await appWithoutRedis();
    try {
      const id = randomUUID();
      for (const [method, url, payload] of [
        ['POST', '/v1/sweep-sessions', {}],
        ['GET', `/v1/sweep-sessions/${id}`, undefined],
        ['POST', `/v1/sweep-sessions/${id}/losses`, { iteration: 0, loss: 1 }],
        ['POST', `/v1/sweep-sessions/${id}/stop`, undefined],
      ] as const) {
        const res = await down.app.inject({ method, url, payload });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('2');
        expect(res.json().code).toBe('queue_unavailable');
      }
    } finally {
      await down.close();
    }
  });
});
