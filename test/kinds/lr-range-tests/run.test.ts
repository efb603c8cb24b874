/**
 * The range-test job runner in-process (no queue): results conform to the published result
 * schema for classification, regression, repeats and divergence, never carry NaN/Infinity, and
 * the same request gives bit-identical results. With `emulate`, the job's picks are the batch
 * emulation's on the same raw losses (itself checked against the libraries' own code in
 * test/lrfinder/libraries.test.ts; the job against Python in test/integration/lr-range-test-emulate.test.ts).
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
import { decodeLoss, emulate, METHOD_NAMES, type LibraryName, type WireLoss } from '../../../src/lrfinder/index.js';

const ajv = new Ajv({ strict: false });
for (const s of SHARED_SCHEMAS) ajv.addSchema(s as object);
const validate = ajv.getSchema('LrRangeTestResult')!;

function run(body: LrRangeTestRequest) {
  const req = resolveRangeTest(body, { limits: loadConfig({}).limits, countParams: countLayerParams });
  const g = runLrRangeTest(req, { backend: chooseBackend, dataset: () => undefined });
  let n = g.next();
  const progress: Record<string, unknown>[] = [];
  while (!n.done) {
    progress.push(n.value);
    n = g.next();
  }
  return { result: JSON.parse(JSON.stringify(n.value)) as Record<string, any>, progress, req };
}

describe('runLrRangeTest', () => {
  it.each<[string, LrRangeTestRequest]>([
    ['classification', { preset: 'spirals-mlp' }],
    ['regression', { preset: 'sine-mlp', num_iter: 60 }],
    ['repeats', { preset: 'iris-mlp', repeats: 3, num_iter: 40 }],
    [
      'divergence with plain SGD to 1e6',
      { preset: 'spirals-mlp', optimizer: { type: 'sgd' }, start_lr: 1e-3, end_lr: 1e6, num_iter: 80 },
    ],
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

describe("runLrRangeTest with emulate: the library's whole pipeline on the trainer's raw losses", () => {
  it.each<LibraryName>(['fastai', 'torch-lr-finder', 'lightning', 'keras-lr-finder', 'ignite'])('%s', (library) => {
    const { result, progress, req } = run({ preset: 'iris-mlp', num_iter: 60, emulate: library });
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    expect(allFinite(result)).toBe(true);
    const e = result.emulation;
    expect(e.library).toBe(library);
    expect(e.options).toEqual(req.emulate);
    expect(result.iterations).toBe(e.iterations);
    expect(progress).toHaveLength(e.iterations);
    expect(result.lrs).toEqual(e.lrs);
    // the same raw losses through the batch emulation: the same points, the same picks for all ten methods
    const { library: _l, ...options } = req.emulate!;
    const batch = emulate(library, (e.raw_losses as WireLoss[]).map(decodeLoss), options, { methods: METHOD_NAMES });
    expect(e.iterations).toBe(batch.iterations);
    expect(e.stop_reason).toBe(batch.stop_reason);
    expect(e.lrs).toEqual(batch.lrs);
    expect(Object.keys(result.suggestions)).toEqual([...METHOD_NAMES]);
    for (const m of METHOD_NAMES) {
      expect(result.suggestions[m], m).toMatchObject({
        lr: batch.suggestions[m]!.lr,
        index: batch.suggestions[m]!.index,
      });
    }
    expect(result.suggestion.method).toBe(batch.suggestion.method);
    expect(result.suggested_lr).toBe(batch.suggestion.lr);
  });

  it("ignite records num_iter + 1 points; Lightning's plan skips the 1/N step; fastai never reaches end_lr", () => {
    expect(
      run({ preset: 'iris-mlp', num_iter: 30, diverge_th: 1e6, emulate: { library: 'ignite', diverge_th: 1e6 } }).result
        .iterations,
    ).toBe(31);
    const lt = run({ preset: 'iris-mlp', num_iter: 30, emulate: { library: 'lightning', diverge_th: null } }).result;
    expect(lt.iterations).toBe(30);
    expect(lt.lrs[1]).toBe(1e-8 * (1 / 1e-8) ** (2 / 30));
    expect(lt.lrs[29]).toBe(1);
    const fa = run({ preset: 'iris-mlp', num_iter: 30, emulate: { library: 'fastai', diverge_th: null } }).result;
    expect(fa.iterations).toBe(30);
    expect(fa.lrs[29]).toBe(1e-7 * (10 / 1e-7) ** (29 / 30));
  });

  it("a diverging run stops where the library's stop rule stops it, that point recorded", () => {
    const { result } = run({
      preset: 'spirals-mlp',
      optimizer: { type: 'sgd' },
      num_iter: 80,
      emulate: { library: 'torch-lr-finder', start_lr: 1e-3, end_lr: 1e6 },
    });
    expect(result.stop_reason).toBe('diverged');
    expect(result.emulation.stop_reason).toBe('diverged');
    expect(result.iterations).toBeLessThan(80);
    const last = result.emulation.losses.at(-1);
    const best = Math.min(...result.emulation.losses.slice(0, -1).filter((v: unknown) => typeof v === 'number'));
    expect(last === 'Infinity' || (typeof last === 'number' && last > 5 * best)).toBe(true);
  });

  it('is deterministic', () => {
    expect(run({ preset: 'spirals-mlp', num_iter: 40, emulate: 'fastai' }).result).toEqual(
      run({ preset: 'spirals-mlp', num_iter: 40, emulate: 'fastai' }).result,
    );
  });
});
