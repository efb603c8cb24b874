/**
 * The LR search job as the training thread runs it (runJob: the production backend, the result
 * checked against its schema): the recommendation was trained to the horizon without diverging,
 * within budget; the progress counts the steps spent; the same request gives the same result.
 */
import { describe, expect, it } from 'vitest';
import { findKind } from '../../../src/kinds/registry.js';
import type { LrSearchResult } from '../../../src/kinds/lr-searches/contract.js';
import type { LrSearchProgress } from '../../../src/kinds/lr-searches/run.js';
import { runJob } from '../../../workers/run-job.js';
import { resolveContext } from '../../helpers/resolve.js';

const SMALL = {
  preset: null,
  data: { name: 'moons', n_samples: 300, noise: 0.2 },
  model: { hidden: [16], activation: 'tanh' },
  optimizer: { type: 'sgd', momentum: 0.9 },
  batch_size: 32,
  train_steps: 80,
};

function run(body: Record<string, unknown>): {
  progress: LrSearchProgress[];
  result: LrSearchResult;
  request: Record<string, unknown>;
} {
  const kind = findKind('lr-searches')!;
  const request = JSON.parse(JSON.stringify(kind.resolve(body, resolveContext())));
  const gen = runJob('lr-searches', request);
  const progress: LrSearchProgress[] = [];
  let next = gen.next();
  while (!next.done) {
    progress.push(next.value as LrSearchProgress);
    next = gen.next();
  }
  return { progress, result: next.value as LrSearchResult, request };
}

describe('lr-searches run', () => {
  const a = run(SMALL);
  const r = a.result;

  it('recommends a candidate trained to train_steps without diverging, inside its interval, within budget', () => {
    expect(r.recommended_lr).not.toBeNull();
    const pick = r.candidates.find((c) => c.lr === r.recommended_lr)!;
    expect(pick).toMatchObject({ at_horizon: true, diverged: false, steps: 80 });
    expect(r.recommended_metric).toBe(pick.metric);
    expect(r.interval!.low).toBeLessThanOrEqual(r.recommended_lr!);
    expect(r.interval!.high).toBeGreaterThanOrEqual(r.recommended_lr!);
    expect(r.cost.steps).toBeLessThanOrEqual(4 * 80);
    expect(r.cost).toMatchObject({
      budget_steps: 320,
      grid_steps: 13 * 80,
      range_test_steps: r.range_test!.lrs.length,
    });
    // every candidate that reached the horizon and is not in the interval is worse than (1 + tolerance) × the best
    const f = 0.002 * r.initial_metric!;
    for (const c of r.candidates.filter((x) => x.at_horizon)) {
      const within = (c.metric! + f) / (r.recommended_metric! + f) <= 1.1;
      expect(within, String(c.lr)).toBe(c.lr >= r.interval!.low && c.lr <= r.interval!.high);
    }
  });

  it('reports progress as steps spent of budget_steps, ending at cost.steps', () => {
    expect(a.progress[0]).toMatchObject({ phase: 'range_test', total: 320 });
    const its = a.progress.map((p) => p.iteration);
    for (let i = 1; i < its.length; i++) expect(its[i]).toBeGreaterThanOrEqual(its[i - 1]);
    expect(its.at(-1)).toBe(r.cost.steps);
    expect(a.progress.filter((p) => p.phase === 'trial').every((p) => p.candidate_lr !== null)).toBe(true);
  });

  it('gives the same result for the same request, and another for another seed', () => {
    expect(JSON.stringify(run(SMALL).result)).toBe(JSON.stringify(r));
    expect(run({ ...SMALL, seed: 1 }).result.range_test!.losses).not.toEqual(r.range_test!.losses);
  });

  it("finds the peak LR of a schedule: every step of a candidate runs at candidate × the schedule's shape", () => {
    const s = run({ ...SMALL, schedule: { type: 'CosineAnnealingLR', T_max: 80 }, budget_steps: 250 });
    expect(s.result.cost.steps).toBeLessThanOrEqual(250);
    const steps = s.progress.filter((p) => p.phase === 'trial' && p.lr !== null);
    // a cosine from the candidate: never above it, and at the candidate at some first step
    expect(steps.every((p) => p.lr! <= p.candidate_lr! * (1 + 1e-12))).toBe(true);
    expect(steps.some((p) => p.lr === p.candidate_lr)).toBe(true);
    expect(steps.some((p) => p.lr! < 0.5 * p.candidate_lr!)).toBe(true);
  });
});
