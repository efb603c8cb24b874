/**
 * A finished LR search's last progress point says whether it needed its whole budget, and why not:
 * a job resource showing 197/240 after success reads as "stuck" without it.
 */
import { describe, expect, it } from 'vitest';
import { finalProgress } from '../../../src/kinds/lr-searches/run.js';

const cand = (diverged: boolean) => ({ diverged }) as never;

describe('finalProgress', () => {
  it('under budget with diverged candidates: finished early, naming how many diverged', () => {
    const p = finalProgress({
      cost: { steps: 197, budget_steps: 240 } as never,
      candidates: [cand(true), cand(false), cand(true)],
      recommended_metric: 0.14,
    });
    expect(p).toMatchObject({ iteration: 197, total: 240, phase: 'done', finished_early: true, loss: 0.14, lr: null });
    expect(p.note).toBe(
      'finished after 197 of its 240 budgeted steps: 2 candidates diverged and stopped early, and the plan keeps budget for trials that run to their end',
    );
  });
  it('under budget with nothing diverged: the plan needed no more', () => {
    const p = finalProgress({
      cost: { steps: 3407, budget_steps: 4000 } as never,
      candidates: [cand(false)],
      recommended_metric: null,
    });
    expect(p.finished_early).toBe(true);
    expect(p.note).toMatch(/^finished after 3407 of its 4000 budgeted steps: the trials it planned needed no more/);
  });
  it('the whole budget spent: not early', () => {
    const p = finalProgress({
      cost: { steps: 4000, budget_steps: 4000 } as never,
      candidates: [],
      recommended_metric: 0.5,
    });
    expect(p).toMatchObject({
      iteration: 4000,
      total: 4000,
      finished_early: false,
      note: 'finished: the 4000-step budget is spent',
    });
  });
});
