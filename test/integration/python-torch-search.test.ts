/**
 * lrfinder.torch.search (clients/python/tests/test_torch_search.py) on real small torch models,
 * against a real listening server and a private redis-server (LR search sessions need no worker).
 * Needs a python that imports torch: Debian's python3-torch (.ci/run installs it); skipped, saying
 * so, only when there is none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { pythonWith, runPythonTests, type PythonOutcome } from '../helpers/python.js';

const TORCH_PYTHON = await pythonWith(['torch']);
const SKIP = 'SKIPPED: no python imports torch (apt-get install -y python3-torch libopenblas0-pthread)';
if (!TORCH_PYTHON) console.warn(`python-torch-search.test.ts ${SKIP}`);

const TESTS = [
  'test_recommends_a_trained_lr_inside_its_interval_and_restores_everything',
  'test_every_trial_starts_from_the_same_weights_and_batch_order',
  'test_a_schedule_is_scaled_to_each_candidate_and_run_as_a_prefix',
  'test_a_diverging_trial_is_reported_as_diverged_and_never_recommended',
];

describe.skipIf(!TORCH_PYTHON)(TORCH_PYTHON ? `lrfinder.torch.search with ${TORCH_PYTHON}` : `lrfinder.torch.search ${SKIP}`, () => {
  let s: Stack;
  let results: Record<string, PythonOutcome>;

  beforeAll(async () => {
    s = await startStack({ tag: 'pytorch-search', listen: true, worker: false });
    results = await runPythonTests(TORCH_PYTHON as string, ['test_torch_search.py'], { LRF_URL: s.base });
  }, 300_000);
  afterAll(async () => { await s?.close(); });

  it('ran exactly the tests listed here', () => {
    expect(Object.keys(results).sort()).toEqual([...TESTS].sort());
  });

  it.each(TESTS)('%s', (name) => {
    const r = results[name];
    expect(r?.outcome, r?.detail).toBe('passed');
  });
});
