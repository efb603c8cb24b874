/**
 * Every name a client sends that the service looks up in a table (schedule types — PyTorch,
 * transformers, optax, as top-level schedules and as SequentialLR children — optimizers, layers,
 * activations, initializers, losses, datasets, presets, suggestion methods, emulated libraries,
 * diagnostics checks, ...) misses on Object.prototype's names: each of them answers a 400 problem
 * naming the field, never a 500 (`cls.parse is not a function` was the answer for schedules).
 * The app's Redis is a closed port: a body that passed every check would answer 503, never 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appWithoutRedis } from '../helpers/app.js';

type Json = Record<string, any>;

let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis();
});
afterAll(async () => {
  await t.close();
});

const NAMES = [
  'toString',
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
];

const rangeTest = (): Json => ({
  model: {
    layers: [{ type: 'dense', units: 8, activation: 'relu', init: { name: 'kaiming_normal', nonlinearity: 'relu' } }],
  },
  data: { name: 'spirals', n_samples: 64 },
  loss: { name: 'cross_entropy' },
  optimizer: { type: 'sgd' },
  num_iter: 10,
});
const constant = { name: 'b', schedule: { type: 'ConstantLR', lr: 0.1 } };
const sequential = (child: Json): Json => ({
  type: 'SequentialLR',
  lr: 0.1,
  milestones: [3],
  schedulers: [child, { type: 'ConstantLR', factor: 1, total_iters: 1 }],
});

/**
 * [route, a valid body, the pointer of the name field in it, the pointer the problem names when it
 * is not that one]. A layer's `type` selects one of the layer schemas (a union): Ajv's answer is the
 * deepest failure among the branches, a field of that layer (e.g. `/model/layers/0/units: is not a
 * known field`), never the service's tables.
 */
const FIELDS: [string, () => Json, string, string?][] = [
  [
    '/v1/schedules/preview',
    () => ({ schedule: { type: 'StepLR', lr: 0.1, step_size: 3 }, steps: 10 }),
    '/schedule/type',
  ],
  [
    '/v1/schedules/preview',
    () => ({ schedule: sequential({ type: 'LinearLR' }), steps: 10 }),
    '/schedule/schedulers/0/type',
  ],
  [
    '/v1/schedules/preview',
    () => ({ schedule: { type: 'cosine', lr: 0.1, num_warmup_steps: 2, num_training_steps: 10 }, steps: 10 }),
    '/schedule/type',
  ],
  [
    '/v1/schedules/preview',
    () => ({ schedule: { type: 'cosine_decay_schedule', init_value: 0.1, decay_steps: 10 }, steps: 10 }),
    '/schedule/type',
  ],
  [
    '/v1/schedule-simulations',
    () => ({ schedules: [{ name: 'a', schedule: { type: 'StepLR', lr: 0.1, step_size: 3 } }, constant], steps: 10 }),
    '/schedules/0/schedule/type',
  ],
  [
    '/v1/schedule-simulations',
    () => ({ schedules: [{ name: 'a', schedule: sequential({ type: 'LinearLR' }) }, constant], steps: 10 }),
    '/schedules/0/schedule/schedulers/0/type',
  ],
  ['/v1/schedule-simulations', () => ({ preset: 'x', steps: 10 }), '/preset'],
  ['/v1/lr-searches', () => ({ schedule: { type: 'StepLR', lr: 0.1, step_size: 3 } }), '/schedule/type'],
  ['/v1/lr-searches', () => ({ schedule: sequential({ type: 'LinearLR' }) }), '/schedule/schedulers/0/type'],
  ['/v1/lr-searches', () => ({ preset: 'x' }), '/preset'],
  ['/v1/lr-searches', () => ({ metric: 'val_loss' }), '/metric'],
  ['/v1/lr-range-tests', () => ({ ...rangeTest(), preset: 'x' }), '/preset'],
  ['/v1/lr-range-tests', rangeTest, '/optimizer/type'],
  ['/v1/lr-range-tests', rangeTest, '/loss/name'],
  ['/v1/lr-range-tests', () => ({ ...rangeTest(), loss: 'mse' }), '/loss'],
  ['/v1/lr-range-tests', rangeTest, '/data/name'],
  ['/v1/lr-range-tests', rangeTest, '/model/layers/0/type', '/model/layers/0/'],
  ['/v1/lr-range-tests', rangeTest, '/model/layers/0/activation'],
  ['/v1/lr-range-tests', rangeTest, '/model/layers/0/init/name'],
  ['/v1/lr-range-tests', rangeTest, '/model/layers/0/init/nonlinearity'],
  [
    '/v1/lr-range-tests',
    () => ({ ...rangeTest(), model: { layers: [{ type: 'residual', layers: [{ type: 'dense', units: 2 }] }] } }),
    '/model/layers/0/layers/0/type',
    '/model/layers/0/layers/0/',
  ],
  [
    '/v1/lr-range-tests',
    () => ({ ...rangeTest(), model: { hidden: [8], activation: 'relu', init: 'xavier_normal' } }),
    '/model/activation',
  ],
  [
    '/v1/lr-range-tests',
    () => ({ ...rangeTest(), model: { hidden: [8], activation: 'relu', init: 'xavier_normal' } }),
    '/model/init',
  ],
  ['/v1/lr-range-tests', () => ({ ...rangeTest(), suggestion: 'valley' }), '/suggestion'],
  ['/v1/lr-range-tests', () => ({ ...rangeTest(), step_mode: 'exp' }), '/step_mode'],
  ['/v1/lr-range-tests', () => ({ ...rangeTest(), eval: 'train' }), '/eval'],
  ['/v1/lr-range-tests', () => ({ ...rangeTest(), emulate: { library: 'fastai' } }), '/emulate/library'],
  ['/v1/diagnostics', () => ({ preset: 'x' }), '/preset'],
  ['/v1/diagnostics', () => ({ checks: ['init'] }), '/checks/0'],
  ['/v1/curve-analyses', () => ({ lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2], suggestion: 'valley' }), '/suggestion'],
  ['/v1/curve-analyses', () => ({ lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2], methods: ['valley'] }), '/methods/0'],
  [
    '/v1/curve-analyses',
    () => ({ lrs: [1e-3, 1e-2, 1e-1], losses: [1, 0.5, 2], emulate: { library: 'fastai' } }),
    '/emulate/library',
  ],
  ['/v1/sweep-sessions', () => ({ suggestion: 'valley' }), '/suggestion'],
  ['/v1/sweep-sessions', () => ({ emulate: { library: 'fastai' } }), '/emulate/library'],
];

/** `body` with the value at `pointer` replaced by `value` (`__proto__` set as an own key, as JSON.parse makes it). */
function withValue(body: Json, pointer: string, value: string): Json {
  const keys = pointer.split('/').slice(1);
  let at: any = body;
  for (const k of keys.slice(0, -1)) at = at[k];
  Object.defineProperty(at, keys[keys.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return body;
}

describe('a user-supplied name that is an Object.prototype property is a 400 naming the field', () => {
  for (const [url, body, pointer, within] of FIELDS) {
    it(`${url} ${pointer}`, async () => {
      for (const name of NAMES) {
        const payload = JSON.stringify(withValue(body(), pointer, name));
        const res = await t.app.inject({
          method: 'POST',
          url,
          payload,
          headers: { 'content-type': 'application/json' },
        });
        const json = res.json();
        expect(res.statusCode, `${name}: ${res.body}`).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        if (within) expect(json.errors?.[0]?.pointer, `${name}: ${res.body}`).toMatch(new RegExp(`^${within}`));
        else expect(json.errors?.[0]?.pointer, `${name}: ${res.body}`).toBe(pointer);
        expect(JSON.stringify(json)).not.toMatch(/is not a function|Cannot read prop/);
      }
    });
  }
});
