/**
 * lrfinder.torch.search with parallel trials and isolated evaluation (clients/python/tests/
 * test_torch_parallel.py) against a real listening server and a private redis-server: parallelism 2
 * and 3 on threads give the result of parallelism 1; a model with dropout warns on threads and runs
 * exactly on a process pool; every trial equals a plain training run of its LR across epoch
 * boundaries with validations in between; Client.search takes parallelism too.
 * Needs a python that imports torch (Debian's python3-torch); skipped, saying so, when there is none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { pythonWith, runPythonTests, type PythonOutcome } from '../helpers/python.js';

const TORCH_PYTHON = await pythonWith(['torch']);
const SKIP = 'SKIPPED: no python imports torch (apt-get install -y python3-torch libopenblas0-pthread)';
if (!TORCH_PYTHON) console.warn(`python-torch-parallel.test.ts ${SKIP}`);

const TESTS = [
  'test_an_isolated_validation_between_steps_changes_nothing_across_epochs',
  'test_a_loader_with_its_own_generator_is_isolated_too',
  'test_every_trial_equals_a_plain_run_of_its_lr_across_epochs_with_validation_in_between',
  'test_parallelism_2_on_threads_gives_the_result_of_parallelism_1',
  'test_a_loader_with_its_own_generator_repeats_its_order_in_parallel_too',
  'test_dropout_on_threads_warns_and_a_process_pool_runs_it_exactly',
  'test_client_search_takes_parallelism_too',
];

const TITLE = TORCH_PYTHON ? `lrfinder.torch.search in parallel with ${TORCH_PYTHON}` : `lrfinder.torch ${SKIP}`;
describe.skipIf(!TORCH_PYTHON)(TITLE, () => {
  let s: Stack;
  let results: Record<string, PythonOutcome>;

  beforeAll(async () => {
    s = await startStack({ tag: 'pytorch-par', listen: true, worker: false });
    results = await runPythonTests(TORCH_PYTHON as string, ['test_torch_parallel.py'], { LRF_URL: s.base });
  }, 300_000);
  afterAll(async () => {
    await s?.close();
  });

  it('ran exactly the tests listed here', () => {
    expect(Object.keys(results).sort()).toEqual([...TESTS].sort());
  });

  for (const name of TESTS) {
    it(name.replace(/^test_/, '').replace(/_/g, ' '), () => {
      expect(results[name], name).toBeDefined();
      expect(results[name].outcome, results[name].detail).toBe('passed');
    });
  }
});
