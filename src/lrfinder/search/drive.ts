/**
 * Drives a search to the end with a runner that trains its asks (the job: ./trial-runner.ts; the
 * benchmark: a cache in front of it). A generator: one progress event per range test and trial,
 * so a worker can report progress and stop pulling to cancel; it returns the final state.
 */
import type { RangeTestOptions } from '../range-test.js';
import { searchAsk, tellRangeTest, tellTrial } from './engine.js';
import type { RangeTestCurve, SearchState, Trial, TrialReport } from './types.js';

export interface SearchRunner {
  rangeTest(opts: RangeTestOptions): RangeTestCurve;
  /** the metric at the initial weights */
  initialMetric(): number | null;
  run(lr: number, steps: number, evalAt: readonly number[]): TrialReport;
  /** optional: the trial one step at a time (driveSearch then reports each step) */
  trial?(
    lr: number,
    steps: number,
    evalAt: readonly number[],
  ): Generator<{ step: number; lr: number; loss: number | null }, TrialReport>;
  release(lr: number): void;
}

export interface SearchProgress {
  /** what just happened: the range test finished, a trial finished, or (runners with `trial`) a trial's step ran */
  done: 'range_test' | 'trial' | 'step';
  /** the step's LR and minibatch loss ('step' events) */
  step?: { step: number; lr: number; loss: number | null };
  trial: Pick<Trial, 'id' | 'lr' | 'steps' | 'reason'> | null;
  metric: number | null;
  diverged: boolean;
  /** steps spent so far (range test included) and the budget */
  steps: number;
  budget_steps: number;
}

export function* driveSearch(state: SearchState, runner: SearchRunner): Generator<SearchProgress, SearchState> {
  let s = state;
  for (;;) {
    const ask = searchAsk(s);
    if (ask.type === 'done') return s;
    if (ask.type === 'range_test') {
      s = tellRangeTest(s, runner.rangeTest(ask.options), runner.initialMetric());
      yield {
        done: 'range_test',
        trial: null,
        metric: null,
        diverged: false,
        steps: s.cost.range_test + s.cost.trials,
        budget_steps: s.options.budget_steps,
      };
      continue;
    }
    for (const lr of ask.release) runner.release(lr);
    const t = ask.trial;
    let report: TrialReport;
    if (runner.trial) {
      const spentBefore = s.cost.range_test + s.cost.trials;
      const gen = runner.trial(t.lr, t.steps, t.eval_at);
      let next = gen.next();
      while (!next.done) {
        const st = next.value;
        yield {
          done: 'step',
          step: st,
          trial: { id: t.id, lr: t.lr, steps: t.steps, reason: t.reason },
          metric: null,
          diverged: false,
          steps: spentBefore + st.step - t.from_steps,
          budget_steps: s.options.budget_steps,
        };
        next = gen.next();
      }
      report = next.value;
    } else {
      report = runner.run(t.lr, t.steps, t.eval_at);
    }
    s = tellTrial(s, t.id, report);
    yield {
      done: 'trial',
      trial: { id: t.id, lr: t.lr, steps: t.steps, reason: t.reason },
      metric: typeof report.metric === 'number' && Number.isFinite(report.metric) ? report.metric : null,
      diverged: report.diverged === true || report.metric === null,
      steps: s.cost.range_test + s.cost.trials,
      budget_steps: s.options.budget_steps,
    };
  }
}
