/**
 * The range-test job runner in-process (no queue): results conform to the published result
 * schema for classification, regression, repeats and divergence, never carry NaN/Infinity, and
 * the same request gives bit-identical results.
 */
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { SHARED_SCHEMAS } from '../../../src/api/schemas.js';
import { loadConfig } from '../../../src/config.js';
import { countLayerParams } from '../../../src/contracts/params.js';
import type { LrRangeTestRequest } from '../../../src/kinds/lr-range-tests/contract.js';
import { resolveRangeTest } from '../../../src/kinds/lr-range-tests/resolve.js';
import { chooseBackend } from '../../../workers/backend.js';
import { runLrRangeTest } from '../../../src/kinds/lr-range-tests/run.js';
import { allFinite } from '../../helpers/stack.js';

const ajv = new Ajv({ strict: false });
for (const s of SHARED_SCHEMAS) ajv.addSchema(s as object);
const validate = ajv.getSchema('LrRangeTestResult')!;

function run(body: LrRangeTestRequest) {
  const req = resolveRangeTest(body, { limits: loadConfig({}).limits, countParams: countLayerParams });
  const g = runLrRangeTest(req, { backend: chooseBackend, dataset: () => undefined });
  let n = g.next();
  const progress: Record<string, unknown>[] = [];
  while (!n.done) { progress.push(n.value); n = g.next(); }
  return { result: JSON.parse(JSON.stringify(n.value)) as Record<string, any>, progress, req };
}

describe('runLrRangeTest', () => {
  it.each<[string, LrRangeTestRequest]>([
    ['classification', { preset: 'spirals-mlp' }],
    ['regression', { preset: 'sine-mlp', num_iter: 60 }],
    ['repeats', { preset: 'iris-mlp', repeats: 3, num_iter: 40 }],
    ['divergence with plain SGD to 1e6', { preset: 'spirals-mlp', optimizer: { type: 'sgd' }, start_lr: 1e-3, end_lr: 1e6, num_iter: 80 }],
    ['validation loss', { preset: 'moons-mlp', eval: 'val', num_iter: 40 }],
  ])('%s: the result matches the schema and is finite', (_name, body) => {
    const { result, progress, req } = run(body);
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    expect(allFinite(result)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ total: req.num_iter * req.repeats });
    if (req.repeats > 1) {
      expect(result.runs).toHaveLength(req.repeats);
      expect(result.suggestion_spread.n).toBeGreaterThan(0);
      expect(result.runs[0].losses).toEqual(result.losses);
      expect(result.runs[1].losses).not.toEqual(result.losses); // seed + 1
    }
  });

  it('is deterministic: the same request, bit-identical curves and layer statistics', () => {
    const a = run({ preset: 'spirals-mlp', num_iter: 50 }).result;
    const b = run({ preset: 'spirals-mlp', num_iter: 50 }).result;
    expect(b).toEqual(a);
  });
});
