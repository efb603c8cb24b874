/**
 * Nesting is bounded before anything recursive reads a body: LIMIT_JSON_DEPTH at the body parser
 * (one iterative walk), LIMIT_SCHEDULE_DEPTH on every schedule (preview, simulations, LR searches)
 * before the schedule builder recurses. A SequentialLR nested 2,000 or 8,000 deep (hundreds of KB,
 * under the body limit) answered 500 or overflowed the API's stack on main; here it is a 400
 * limit_exceeded naming the pointer and the limit, with the default LIMIT_JSON_DEPTH and with one
 * raised so far that only the schedule check stands between the body and the builder. The app's
 * Redis is a closed port: a body that passes every check answers 503, never 202.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithoutRedis } from '../helpers/app.js';

type Json = Record<string, any>;

/** A SequentialLR whose first child is a SequentialLR ... `depth` schedules deep (depth 1 = a plain schedule). */
function nested(depth: number, withLr = true): Json {
  let s: Json = { type: 'LinearLR', start_factor: 0.5, total_iters: 2 };
  for (let d = 2; d <= depth; d++) {
    s = { type: 'SequentialLR', milestones: [2], schedulers: [s, { type: 'ConstantLR', factor: 1, total_iters: 1 }] };
  }
  return withLr ? { ...s, lr: 0.1 } : s;
}
/** nested(depth) as JSON text, built without recursion (JSON.stringify overflows the stack on 8,000 levels) */
function nestedText(depth: number): string {
  const open = '{"type": "SequentialLR", "milestones": [2], "schedulers": [';
  const close = ', {"type": "ConstantLR", "factor": 1, "total_iters": 1}]}';
  const inner = '{"type": "LinearLR", "start_factor": 0.5, "total_iters": 2}';
  if (depth === 1) return inner.slice(0, -1) + ', "lr": 0.1}';
  return '{"lr": 0.1, ' + open.slice(1) + open.repeat(depth - 2) + inner + close.repeat(depth - 1);
}
/** The pointer of the schedule at `depth` (1 = `base`) along the first children. */
const at = (base: string, depth: number) => base + '/schedulers/0'.repeat(depth - 1);

/** [route, the body around a schedule (JSON text), the schedule's pointer] */
const ROUTES: [string, (schedule: string) => string, string][] = [
  ['/v1/schedules/preview', (schedule) => `{"schedule": ${schedule}, "steps": 10}`, '/schedule'],
  [
    '/v1/schedule-simulations',
    (schedule) =>
      `{"schedules": [{"name": "a", "schedule": ${schedule}}, {"name": "b", "schedule": {"type": "ConstantLR", "lr": 0.1}}], "steps": 10}`,
    '/schedules/0/schedule',
  ],
  ['/v1/lr-searches', (schedule) => `{"schedule": ${schedule}}`, '/schedule'],
];

async function post(t: Awaited<ReturnType<typeof appWithoutRedis>>, url: string, payload: string) {
  const res = await t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
  return { res, json: res.json() as Json };
}

function expectLimit(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  json: Json,
  pointer: string | RegExp,
  env: string,
): void {
  expect(res.statusCode, res.body.slice(0, 500)).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(json.code).toBe('limit_exceeded');
  if (typeof pointer === 'string') expect(json.errors[0].pointer).toBe(pointer);
  else expect(json.errors[0].pointer).toMatch(pointer);
  expect(json.detail).toContain(env);
}

describe('default limits (LIMIT_SCHEDULE_DEPTH 8, LIMIT_JSON_DEPTH 64)', () => {
  let t: Awaited<ReturnType<typeof appWithoutRedis>>;
  beforeAll(async () => {
    t = await appWithoutRedis();
  });
  afterAll(async () => {
    await t.close();
  });

  for (const [url, body, base] of ROUTES) {
    it(`${url}: depth 8 passes, depth 9 is a 400 naming the ninth schedule and LIMIT_SCHEDULE_DEPTH`, async () => {
      const ok = await post(t, url, body(JSON.stringify(nested(8))));
      expect(ok.res.statusCode, ok.res.body).not.toBe(400);
      const { res, json } = await post(t, url, body(JSON.stringify(nested(9))));
      expectLimit(res, json, at(base, 9), 'LIMIT_SCHEDULE_DEPTH');
      expect(json.detail).toMatch(/above this service's limit of 8/);
    });

    for (const depth of [2000, 8000]) {
      it(`${url}: a SequentialLR ${depth} deep is a 400 naming LIMIT_JSON_DEPTH, never a 500`, async () => {
        const payload = body(nestedText(depth));
        expect(payload.length).toBeLessThan(1_048_576);
        const { res, json } = await post(t, url, payload);
        expectLimit(res, json, new RegExp(`^${base}(/schedulers/0)+(/schedulers|/milestones)?$`), 'LIMIT_JSON_DEPTH');
      });
    }
  }

  it('optax join_schedules children count too', async () => {
    let s: Json = { type: 'constant_schedule', value: 0.1 };
    for (let d = 2; d <= 9; d++)
      s = { type: 'join_schedules', schedules: [s, { type: 'constant_schedule', value: 0.1 }], boundaries: [2] };
    const { res, json } = await post(t, '/v1/schedules/preview', JSON.stringify({ schedule: s, steps: 10 }));
    expectLimit(res, json, '/schedule' + '/schedules/0'.repeat(8), 'LIMIT_SCHEDULE_DEPTH');
  });

  it('deep arrays anywhere in a body ([[[[...]]]], 100,000 deep) are a 400 at the parser', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    for (const [url, payload] of [
      ['/v1/curve-analyses', `{"lrs": ${deep}, "losses": [1, 2, 3]}`],
      ['/v1/lr-range-tests', `{"data": {"x": ${deep}, "y": [0]}}`],
      ['/v1/schedules/preview', deep],
    ] as const) {
      const { res, json } = await post(t, url, payload);
      expectLimit(res, json, /^(\/lrs|\/data\/x|)(\/0)+$/, 'LIMIT_JSON_DEPTH');
    }
  });
});

describe('LIMIT_JSON_DEPTH raised far beyond the schedules: the schedule check alone stops them', () => {
  let t: Awaited<ReturnType<typeof appWithoutRedis>>;
  beforeAll(async () => {
    t = await appWithoutRedis({ LIMIT_JSON_DEPTH: '100000', LIMIT_SCHEDULE_DEPTH: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  for (const [url, body, base] of ROUTES) {
    for (const depth of [4, 2000, 8000]) {
      it(`${url}: ${depth} deep is a 400 naming the fourth schedule and LIMIT_SCHEDULE_DEPTH`, async () => {
        const { res, json } = await post(t, url, body(nestedText(depth)));
        expectLimit(res, json, at(base, 4), 'LIMIT_SCHEDULE_DEPTH');
        expect(json.detail).toContain(
          `the nesting depth of schedules (SequentialLR / ChainedScheduler / join_schedules children) is ${depth}`,
        );
      });
    }
  }
});
