/**
 * The LR search fanned out (KindFanOut, ../kind.ts): the range test in the job's own thread, then
 * each rung's trials as tasks that any worker may run at the same time, then the result.
 *
 * The same search as `runLrSearch` (./run.ts), bit for bit: a trial runs on a fresh trial runner of
 * the request's setup (same seed: same initial weights and minibatch order); a survivor continues
 * from the carry its previous trial left (the trainer's whole position: weights, optimizer state,
 * minibatch order, dropout stream — `CandidateState`), exactly where the single runner would have
 * continued it; and a rung's reports are told to the engine in the order of its `pending` list
 * (the single runner's order), whichever trial finished first.
 */
import type { CandidateState, RunnerReport } from '../../lrfinder/search/trial-runner.js';
import { tellRangeTest, tellTrial } from '../../lrfinder/search/engine.js';
import type { SearchState, Trial } from '../../lrfinder/search/types.js';
import type { FanTask, JobDeps, KindFanOut } from '../kind.js';
import type { LrSearchResult } from './contract.js';
import type { ResolvedLrSearch } from './resolve.js';
import { finishLrSearch, searchRunner, searchStart, type LrSearchProgress } from './run.js';

/** The fanned-out search's state: the engine's, and the trial that last trained each candidate (its carry goes on). */
export interface FanState {
  search: SearchState;
  /** candidate index → id of its last trial */
  last: Record<string, string>;
}

interface TrialTask extends FanTask {
  trial: Trial;
}

/** A running trial's step, as its task reports it. */
interface TrialTaskStep {
  step: number;
  lr: number;
  loss: number | null;
  from: number;
  candidate_lr: number;
  candidate_steps: number;
  [key: string]: unknown;
}

const spentOf = (s: SearchState): number => s.cost.range_test + s.cost.trials;

function* start(req: ResolvedLrSearch, deps: JobDeps): Generator<LrSearchProgress, FanState> {
  const runner = searchRunner(req, deps);
  const s0 = searchStart(req);
  // driveSearch's order: the range test, then the initial metric
  const search = tellRangeTest(s0, runner.rangeTest(s0.options.range_test), runner.initialMetric());
  yield {
    iteration: spentOf(search),
    total: search.options.budget_steps,
    lr: null,
    loss: null,
    phase: 'range_test',
    candidate_lr: null,
    candidate_steps: null,
  };
  return { search, last: {} };
}

function tasks(state: FanState): TrialTask[] {
  if (state.search.phase !== 'trials') return [];
  return state.search.pending.map((trial) => {
    const after = trial.from_steps > 0 ? state.last[String(trial.candidate)] : null;
    if (after === undefined) {
      throw new RangeError(`trial ${trial.id} continues candidate ${trial.candidate}, which has no earlier trial`);
    }
    return { id: trial.id, after, trial };
  });
}

function* run(
  req: ResolvedLrSearch,
  task: TrialTask,
  carry: unknown,
  deps: JobDeps,
): Generator<TrialTaskStep, { output: RunnerReport; carry: CandidateState | null }> {
  const t = task.trial;
  const runner = searchRunner(req, deps);
  if (t.from_steps > 0) {
    const c = carry as CandidateState | null;
    if (!c || c.losses.length !== t.from_steps) {
      throw new RangeError(`trial ${t.id}: the state of its candidate after ${t.from_steps} steps is missing`);
    }
    runner.load(t.lr, c);
  }
  const gen = runner.trial(t.lr, t.steps, t.eval_at);
  let next = gen.next();
  while (!next.done) {
    yield { ...next.value, from: t.from_steps, candidate_lr: t.lr, candidate_steps: t.steps };
    next = gen.next();
  }
  return { output: next.value, carry: runner.save(t.lr) };
}

function tell(state: FanState, outputs: readonly unknown[]): FanState {
  const trials = tasks(state);
  if (outputs.length !== trials.length) {
    throw new RangeError(`${trials.length} trials are pending, ${outputs.length} reports were given`);
  }
  let search = state.search;
  const last = { ...state.last };
  trials.forEach(({ trial }, i) => {
    search = tellTrial(search, trial.id, outputs[i] as RunnerReport);
    last[String(trial.candidate)] = trial.id;
  });
  return { search, last };
}

/** Carries a later trial may continue: the last trial of each candidate still open. */
function keep(state: FanState): string[] {
  return state.search.candidates
    .filter((c) => c.open && !c.diverged && state.last[String(c.id)] !== undefined)
    .map((c) => state.last[String(c.id)]);
}

function progress(
  state: FanState,
  done: readonly unknown[],
  running: readonly Record<string, unknown>[],
): LrSearchProgress {
  const s = state.search;
  let spent = spentOf(s);
  for (const d of done) spent += (d as RunnerReport).steps_trained;
  let latest: TrialTaskStep | null = null;
  for (const r of running as readonly TrialTaskStep[]) {
    spent += r.step - r.from;
    latest = r;
  }
  return {
    iteration: spent,
    total: s.options.budget_steps,
    lr: latest?.lr ?? null,
    loss: latest?.loss ?? null,
    phase: 'trial',
    candidate_lr: latest?.candidate_lr ?? null,
    candidate_steps: latest?.candidate_steps ?? null,
  };
}

export const lrSearchFanOut: KindFanOut<ResolvedLrSearch, LrSearchResult> = {
  start,
  tasks: (state) => tasks(state as FanState),
  run: (req, task, carry, deps) => run(req, task as TrialTask, carry, deps),
  tell: (state, outputs) => tell(state as FanState, outputs),
  keep: (state) => keep(state as FanState),
  progress: (state, done, running) => progress(state as FanState, done, running),
  finish: (req, state) => finishLrSearch(req, (state as FanState).search),
};
