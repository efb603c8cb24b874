/**
 * lrfinder.torch.range_test and lrfinder.torch.search (clients/python/tests/test_torch.py,
 * test_torch_search.py) on real small torch models, against a real listening server and a private
 * redis-server (sweep and LR search sessions need no worker).
 * Needs a python that imports torch: Debian's python3-torch (.ci/run installs it); skipped, saying
 * so, only when there is none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';
import { pythonWith, runPythonTests, type PythonOutcome } from '../helpers/python.js';

const TORCH_PYTHON = await pythonWith(['torch']);
const SKIP = 'SKIPPED: no python imports torch (apt-get install -y python3-torch libopenblas0-pthread)';
if (!TORCH_PYTHON) console.warn(`python-torch.test.ts ${SKIP}`);

const TESTS = [
  'test_restores_model_optimizer_grads_and_modes_exactly',
  'test_training_afterwards_is_what_it_would_have_been_without_the_range_test',
  'test_suggestion_on_a_learnable_problem_is_finite_inside_the_range_and_below_the_stability_bound',
  'test_gradient_accumulation_reports_once_per_optimizer_step_with_the_mean_loss',
  'test_amp_steps_the_scaler_skipped_are_not_points_and_do_not_advance_the_plan',
  'test_amp_a_skipped_step_with_a_nan_loss_ends_the_test_as_non_finite',
  'test_amp_steps_skipped_forever_end_the_test_after_max_skipped_steps',
  'test_param_groups_keep_their_ratios',
  'test_dict_batches_of_a_model_that_returns_its_loss_train_in_train_mode',
  'test_val_loader_reports_the_whole_validation_loss_after_each_step',
  'test_the_result_shows_its_plot_inline',
  'test_options_left_out_are_not_sent_and_the_service_resolves_them_to_the_old_defaults',
  'test_the_service_has_param_groups_skipped_reports_and_typed_losses',
  'test_next_param_groups_are_read_in_request_order',
  'test_param_groups_and_skipped_reports_go_to_the_service',
  'test_training_state_around_a_hand_written_sweep_loop',
  'test_trainer_train_steps_follows_lr_fn_and_retries_skipped_steps',
  // test_torch_search.py
  'test_recommends_a_trained_lr_inside_its_interval_and_restores_everything',
  'test_every_trial_starts_from_the_same_weights_and_batch_order',
  'test_a_schedule_is_scaled_to_each_candidate_and_run_as_a_prefix',
  'test_a_diverging_trial_is_reported_as_diverged_and_never_recommended',
  'test_search_sends_only_the_options_given_and_the_service_resolves_the_old_defaults',
];

describe.skipIf(!TORCH_PYTHON)(
  TORCH_PYTHON ? `lrfinder.torch.range_test and search with ${TORCH_PYTHON}` : `lrfinder.torch ${SKIP}`,
  () => {
    let s: Stack;
    let results: Record<string, PythonOutcome>;

    beforeAll(async () => {
      s = await startStack({ tag: 'pytorch', listen: true, worker: false });
      results = await runPythonTests(TORCH_PYTHON as string, ['test_torch.py', 'test_torch_search.py'], {
        LRF_URL: s.base,
      });
    }, 300_000);
    afterAll(async () => {
      await s?.close();
    });

    it('ran exactly the tests listed here', () => {
      expect(Object.keys(results).sort()).toEqual([...TESTS].sort());
    });

    it.each(TESTS)('%s', (name) => {
      const r = results[name];
      expect(r?.outcome, r?.detail).toBe('passed');
    });
  },
);
