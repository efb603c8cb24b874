/**
 * A benchmark setup + seed → what the job would build: the resolved request (the range-test
 * resolution: preset, defaults, data seed = request seed), the TrainSpec with a given training
 * seed, the SIMD backend workers/backend.ts chooses, the dataset loaded like the worker does.
 */
import { dataShape, datasetRows } from '../../src/contracts/resolve.js';
import { toTrainSpec } from '../../src/contracts/train-spec.js';
import { resolveRangeTest, type ResolvedRangeTest } from '../../src/kinds/lr-range-tests/resolve.js';
import { loadConfig } from '../../src/config.js';
import { countLayerParams } from '../../src/contracts/params.js';
import { createTrainer } from '../../src/core/trainer.js';
import type { Dataset } from '../../src/core/spec.js';
import {
  rangeTest,
  RANGE_TEST_OPTION_DEFAULTS,
  type RangeTestOptions,
  type RangeTestOutcome,
} from '../../src/lrfinder/range-test.js';
import type { TrialRunnerSetup } from '../../src/lrfinder/search/trial-runner.js';
import { chooseBackend } from '../../workers/backend.js';
import { loadIoDataset } from '../../workers/datasets.js';
import { CachedRunner, setupKey } from './cache.js';
import type { BenchSetup } from './setups.js';

/** The training seed of the "fresh" run: the user's own training, unseen by the search. */
export const FRESH_SEED_OFFSET = 1000;

export interface SeedEnv {
  setup: BenchSetup;
  seed: number;
  trainSeed: number;
  req: ResolvedRangeTest;
  runnerSetup: () => TrialRunnerSetup;
  cache: CachedRunner;
  /** the range test of the search (torch-lr-finder defaults, training seed = the search's) */
  rangeTest(opts?: Partial<RangeTestOptions>): RangeTestOutcome;
}

const datasetCache = new Map<string, Dataset | undefined>();

export function seedEnv(setup: BenchSetup, seed: number, trainSeed = seed): SeedEnv {
  const ctx = { limits: loadConfig({}).limits, countParams: countLayerParams };
  const req = resolveRangeTest({ ...setup.body, seed }, ctx);
  const dkey = JSON.stringify(req.data);
  if (!datasetCache.has(dkey)) datasetCache.set(dkey, loadIoDataset(req.data, req.seed, {}));
  const dataset = datasetCache.get(dkey);
  const spec = toTrainSpec(req, trainSeed, 1e-3);
  const shape = { ...dataShape(req.data), rows: dataset?.rows ?? datasetRows(req.data) };
  const runnerSetup = (): TrialRunnerSetup => ({
    spec,
    dataset,
    backend: (s) => chooseBackend(s, shape),
    train_steps: setup.train_steps,
    schedule: setup.schedule,
    metric: setup.metric,
  });
  const rows = dataset?.rows ?? datasetRows(req.data);
  // checkpoints: every 10 steps, fewer when evaluating is expensive (big validation sets) or runs are long
  const every = rows > 4000 || setup.train_steps > 1000 ? 50 : 10;
  const cache = new CachedRunner(runnerSetup, setupKey(runnerSetup()), every);
  return {
    setup,
    seed,
    trainSeed,
    req,
    runnerSetup,
    cache,
    rangeTest(o = {}) {
      const opts: RangeTestOptions = { ...RANGE_TEST_OPTION_DEFAULTS, ...o };
      return cache.rangeTest(JSON.stringify(opts), () => {
        const rs = toTrainSpec(req, trainSeed, opts.start_lr);
        const trainer = createTrainer(rs, { backend: chooseBackend(rs, shape), dataset });
        const gen = rangeTest(opts, (lr) => trainer.step(lr));
        let n = gen.next();
        while (!n.done) n = gen.next();
        return n.value;
      });
    },
  };
}
