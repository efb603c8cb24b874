/**
 * The LR search session's state machine (pure): a client loop on a hand-built landscape ends with
 * the same result as the engine driven directly (every trial from the initial weights); reports
 * are idempotent; gaps, conflicting values and the wrong kind of report are 409s naming what is
 * expected; bad requests are 400s naming the field.
 */
import { describe, expect, it } from 'vitest';
import { ProblemError } from '../../../src/contracts/problems.js';
import { lrAt } from '../../../src/lrfinder/lr-plan.js';
import {
  createSearch,
  searchAsk,
  searchResult,
  tellRangeTest,
  tellTrial,
} from '../../../src/lrfinder/search/engine.js';
import {
  applyReport,
  nextOf,
  resolveSearchSession,
  startSession,
  type SearchSessionDoc,
} from '../../../src/sync/lr-search-sessions/session.js';
import { loadConfig } from '../../../src/config.js';
import { BOWL, metricOf } from '../../lrfinder/search/landscape.js';

const limits = loadConfig({}).limits;
const L = { ...BOWL, K: 200 };
/** the range-test loss the landscape's own driver uses (test/lrfinder/search/landscape.ts rangeCurve) */
const rtLoss = (lr: number): number => {
  const x = Math.log10(lr);
  return x < L.cliff - 1.3
    ? L.initial - (0.4 * (x + 7)) / (L.cliff + 5.7)
    : L.initial * (1 + 10 * (x - (L.cliff - 1.3)) ** 2);
};

function newDoc(body = {}): SearchSessionDoc {
  const request = resolveSearchSession({ train_steps: L.K, ...body }, limits);
  return { id: 'id', owner: 'o', created_at: 't', updated_at: 't', request, ...startSession(request) };
}

const problem = (fn: () => unknown): ProblemError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProblemError) return e;
    throw e;
  }
  throw new Error('expected a ProblemError');
};

/** The client's loop: the range-test loss of each step, then each trial's metric on the landscape. */
function loop(doc: SearchSessionDoc): SearchSessionDoc {
  const now = new Date(0);
  for (let guard = 0; guard < 1000; guard++) {
    const n = nextOf(doc);
    if (n === null) return doc;
    if (n.type === 'leases') throw new Error('not a parallel session');
    doc =
      n.type === 'sweep'
        ? applyReport(doc, { iteration: n.iteration, loss: rtLoss(n.lr) }, now)
        : applyReport(doc, { trial: n.trial, metric: metricOf(L, n.lr, n.steps) }, now);
  }
  throw new Error('the session did not finish');
}

describe('LR search session', () => {
  it("plans the range test first (torch-lr-finder's plan), then trials from the initial weights, then a result", () => {
    const d0 = newDoc();
    expect(nextOf(d0)).toEqual({ type: 'sweep', iteration: 0, lr: 1e-7 });
    const done = loop(d0);
    expect(done.result).not.toBeNull();
    expect(nextOf(done)).toBeNull();
    // every trial started from the initial weights (no continuation in a client's loop)
    expect(done.search.candidates.every((c) => c.metrics.length > 0)).toBe(true);
    expect(done.result!.cost.steps).toBeLessThanOrEqual(4 * L.K);
  });

  it('ends with the result of the engine driven directly on the same curve and metrics', () => {
    const done = loop(newDoc());
    const r = done.request;
    let direct = createSearch({
      train_steps: L.K,
      resumable: false,
      metric: 'val_loss',
      range_test: {
        start_lr: r.start_lr,
        end_lr: r.end_lr,
        num_iter: r.num_iter,
        step_mode: r.step_mode,
        smooth_f: r.smooth_f,
        diverge_th: r.diverge_th,
        suggestion: r.suggestion,
      },
    });
    const lrs = done.sweep.losses.map((_, i) => lrAt(i, r.start_lr, r.end_lr, r.num_iter, r.step_mode));
    direct = tellRangeTest(direct, {
      lrs,
      losses: done.sweep.losses,
      smoothed_losses: done.sweep.smoothed_losses,
      stop_reason: done.sweep.stop_reason as 'diverged',
    });
    for (let a = searchAsk(direct); a.type === 'trial'; a = searchAsk(direct)) {
      direct = tellTrial(direct, a.trial.id, { metric: metricOf(L, a.trial.lr, a.trial.steps) });
    }
    expect(done.result).toEqual(searchResult(direct));
    // the landscape's best half-decade LR at the horizon
    expect(done.result!.recommended_lr).toBe(10 ** (-60 / 24));
  });

  it('re-sent reports change nothing; other values, gaps and the wrong kind of report are 409s', () => {
    const now = new Date(0);
    let d = newDoc();
    d = applyReport(d, { iteration: 0, loss: 2.3 }, now);
    expect(applyReport(d, { iteration: 0, loss: 2.3 }, now)).toBe(d);
    expect(problem(() => applyReport(d, { iteration: 0, loss: 2.0 }, now)).code).toBe('loss_conflict');
    expect(problem(() => applyReport(d, { iteration: 5, loss: 2.0 }, now)).code).toBe('out_of_order');
    expect(problem(() => applyReport(d, { trial: 't0', metric: 1 }, now)).code).toBe('range_test_running');
    // to the first trial
    while (nextOf(d)?.type === 'sweep') {
      const n = nextOf(d) as { iteration: number; lr: number };
      d = applyReport(d, { iteration: n.iteration, loss: rtLoss(n.lr) }, now);
    }
    const t = nextOf(d)!;
    expect(t.type).toBe('trial');
    expect(problem(() => applyReport(d, { iteration: d.sweep.losses.length, loss: 1 }, now)).code).toBe(
      'range_test_done',
    );
    const tid = (t as { trial: string }).trial;
    expect(problem(() => applyReport(d, { trial: 't99', metric: 1 }, now)).code).toBe('out_of_order');
    const d2 = applyReport(d, { trial: tid, metric: 0.5 }, now);
    expect(applyReport(d2, { trial: tid, metric: 0.5 }, now)).toBe(d2);
    expect(problem(() => applyReport(d2, { trial: tid, metric: 0.6 }, now)).code).toBe('metric_conflict');
    expect(problem(() => applyReport(d2, { trial: tid }, now)).errors[0].pointer).toBe('/metric');
  });

  it('a null metric is a diverged trial; a batch of range-test losses past its end is cut there', () => {
    const now = new Date(0);
    let d = newDoc({ num_iter: 30 });
    const losses = Array.from({ length: 40 }, (_, i) => ({
      iteration: i,
      loss: rtLoss(lrAt(Math.min(i, 29), 1e-7, 10, 30, 'exp')),
    }));
    d = applyReport(d, { losses }, now);
    expect(d.sweep.stop_reason).not.toBeNull();
    expect(d.sweep.losses.length).toBeLessThanOrEqual(30);
    expect(applyReport(d, { losses }, now)).toBe(d);
    const t = nextOf(d) as { trial: string };
    d = applyReport(d, { trial: t.trial, metric: null, steps: 3 }, now);
    const c = d.search.candidates.find((x) => x.lr === d.search.candidates[0].lr)!;
    expect(c.diverged).toBe(true);
    expect(c.steps).toBe(3);
  });

  it('resolves like the job: defaults, limits and the budget named by their fields', () => {
    expect(newDoc().request).toMatchObject({
      train_steps: 200,
      budget_steps: 800,
      num_iter: 50,
      tolerance: 0.1,
      start_lr: 1e-7,
      end_lr: 10,
    });
    expect(problem(() => resolveSearchSession({ train_steps: 100, budget_steps: 100 }, limits)).errors[0].pointer).toBe(
      '/budget_steps',
    );
    expect(
      problem(() =>
        resolveSearchSession({ train_steps: 100, num_iter: 500 }, loadConfig({ LIMIT_NUM_ITER: '200' }).limits),
      ).errors[0].pointer,
    ).toBe('/num_iter');
    expect(problem(() => resolveSearchSession({ start_lr: 1, end_lr: 0.1 }, limits)).errors[0].pointer).toBe('/end_lr');
  });
});

describe('LR search session without a range test', () => {
  it("starts with trials screening down from end_lr, and still finds the landscape's best LR within budget", () => {
    let d = newDoc({ range_test: false, end_lr: 1 });
    expect(nextOf(d)).toMatchObject({ type: 'trial', steps: Math.round(L.K / 8) });
    // the screen: 7 LRs half a decade apart from end_lr down
    expect(d.search.pending.map((t) => Math.log10(t.lr))).toEqual([-3, -2.5, -2, -1.5, -1, -0.5, 0]);
    expect(d.search.range_test).toMatchObject({ lrs: [], stop_reason: 'skipped', top_lr: 1 });
    d = loop(d);
    expect(d.result!.recommended_lr).toBe(10 ** (-60 / 24));
    expect(d.result!.cost.range_test_steps).toBe(0);
    expect(d.result!.cost.steps).toBeLessThanOrEqual(4 * L.K);
    expect(d.result!.warnings.map((w) => w.code)).toContain('no_range_test');
  });
});
