/**
 * Bad input never reaches the queue: strict bodies (unknown fields and coercions are 400s),
 * service limits named with their value, RFC 9457 problem+json everywhere. The app's Redis is
 * a closed port here, so a body that passed validation would answer 503, not 202.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithoutRedis } from '../helpers/app.js';

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis({ LIMIT_NUM_ITER: '500', LIMIT_BODY_BYTES: '65536' });
});
afterAll(async () => {
  await t.close();
});

async function post(body: unknown, url = '/v1/lr-range-tests') {
  const res = await t.app.inject({
    method: 'POST',
    url,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  return { res, json: res.json() as Record<string, any> };
}

function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown> },
  json: Record<string, any>,
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(json).toMatchObject({ status, code, type: `https://lr-finder.dev/problems/${code}` });
  expect(typeof json.title).toBe('string');
  expect(typeof json.detail).toBe('string');
  expect(typeof json.instance).toBe('string');
}

describe('POST /v1/lr-range-tests validation', () => {
  it('rejects an unknown field instead of dropping it, naming it', async () => {
    const { res, json } = await post({ preset: 'spirals-mlp', lerning_rate: 0.1 });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.errors).toEqual([{ pointer: '/lerning_rate', detail: expect.stringContaining('not a known field') }]);
  });

  it.each([
    ['a numeric string', '100'],
    ['a boolean', true],
    ['null', null],
    ['a one-element array', [100]],
  ])('never coerces %s into num_iter', async (_what, value) => {
    const { res, json } = await post({ num_iter: value });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.errors[0].pointer).toBe('/num_iter');
  });

  it('names a nested field with a JSON pointer', async () => {
    const { res, json } = await post({
      model: {
        layers: [
          { type: 'dense', units: 8 },
          { type: 'dense', units: 0 },
        ],
      },
      data: { name: 'moons' },
    });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.errors[0].pointer).toBe('/model/layers/1/units');
    expect(json.errors[0].detail).toMatch(/>= 1/);
  });

  it('rejects an unknown enum value and lists the allowed ones', async () => {
    const { res, json } = await post({ step_mode: 'log' });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.errors[0]).toEqual({ pointer: '/step_mode', detail: 'must be one of: exp, linear' });
  });

  it('answers a configured limit with the field and the limit, queuing nothing', async () => {
    const { res, json } = await post({ num_iter: 501 });
    expectProblem(res, json, 400, 'limit_exceeded');
    expect(json.errors[0].pointer).toBe('/num_iter');
    expect(json.detail).toContain('501');
    expect(json.detail).toContain('500');
    expect(json.detail).toContain('LIMIT_NUM_ITER');
  });

  it('rejects end_lr ≤ start_lr', async () => {
    const { res, json } = await post({ start_lr: 1, end_lr: 0.1 });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.errors[0].pointer).toBe('/end_lr');
  });

  it('rejects an unknown preset, listing the known ones', async () => {
    const { res, json } = await post({ preset: 'nope' });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.detail).toContain('spirals-mlp');
  });

  it('rejects optimizer arguments the PyTorch optimizer does not take', async () => {
    const { res, json } = await post({ optimizer: { type: 'sgd', betas: [0.9, 0.99] } });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.errors[0].pointer).toBe('/optimizer/betas');
  });

  it('rejects Nesterov without momentum as torch.optim.SGD does', async () => {
    const { res, json } = await post({ optimizer: { type: 'sgd', nesterov: true } });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.detail).toContain('Nesterov momentum requires a momentum and zero dampening');
  });

  it('rejects inline data whose x and y lengths differ', async () => {
    const { res, json } = await post({
      data: {
        x: [
          [0, 1],
          [1, 0],
          [1, 1],
        ],
        y: [0, 1],
        task: 'classification',
      },
    });
    expectProblem(res, json, 400, 'invalid_request');
    expect(json.errors[0].pointer).toBe('/data/y');
  });

  it('explains NaN in a Python-made body', async () => {
    const { res, json } = await post('{"start_lr": NaN}');
    expectProblem(res, json, 400, 'invalid_json');
    expect(json.detail).toContain('allow_nan=False');
  });

  it('answers 413 for a body over the limit', async () => {
    const big = {
      data: {
        x: Array.from({ length: 10000 }, () => [1.5, 2.5]),
        y: Array.from({ length: 10000 }, () => 0),
        task: 'classification',
      },
    };
    const { res, json } = await post(big);
    expectProblem(res, json, 413, 'body_too_large');
  });

  it('prototype pollution is a 400', async () => {
    const { res, json } = await post('{"__proto__": {"admin": true}}');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(json.status).toBe(400);
  });
});

describe('Redis unavailable', () => {
  it('a valid request answers 503 problem+json with Retry-After, at once', async () => {
    const { res, json } = await post({ preset: 'spirals-mlp' });
    expectProblem(res, json, 503, 'queue_unavailable');
    expect(res.headers['retry-after']).toBe('2');
  });

  it('GET and cancel answer 503 too', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [method, url] of [
      ['GET', `/v1/lr-range-tests/${id}`],
      ['POST', `/v1/lr-range-tests/${id}/cancel`],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode).toBe(503);
    }
  });

  it('/healthz is 200 and /readyz 503', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'not_ready', checks: { redis: 'unreachable' } });
  });
});

describe('routing', () => {
  it('an invalid job id is a 400, an unknown route a 404 problem', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/v1/lr-range-tests/not-a-uuid' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/params/id');
    const nf = await t.app.inject({ method: 'GET', url: '/v1/nothing' });
    expect(nf.statusCode).toBe(404);
    expect(nf.headers['content-type']).toMatch(/problem\+json/);
  });

  it('GET /v1/presets lists spirals-mlp with a body that validates', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/presets' });
    expect(res.statusCode).toBe(200);
    const spirals = res.json().presets.find((p: { name: string }) => p.name === 'spirals-mlp');
    expect(spirals.body).toMatchObject({ data: { name: 'spirals' } });
  });
});

describe('GET /v1/datasets', () => {
  it('lists every built-in dataset with its shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/datasets' });
    expect(res.statusCode).toBe(200);
    const byName = Object.fromEntries(res.json().datasets.map((d: { name: string }) => [d.name, d]));
    expect(Object.keys(byName).sort()).toEqual([
      'blobs',
      'circles',
      'iris',
      'mnist',
      'moons',
      'sine',
      'spirals',
      'xor',
    ]);
    expect(byName.mnist).toMatchObject({ task: 'classification', features: 784, classes: 10, max_samples: 10000 });
    expect(byName.iris).toMatchObject({ features: 4, classes: 3, n_samples: 150 });
    expect(byName.sine).toMatchObject({ task: 'regression', outputs: 1 });
  });
});
