/** The overfit-one-batch check on hand-made curves: each diagnosis, its status and its hint. */
import { describe, expect, it } from 'vitest';
import { checkOverfit, signChangeFraction } from '../../../../src/kinds/diagnostics/checks/index.js';

const run = (losses: (number | null)[], accuracies: (number | null)[] | null = null, grads?: (number | null)[]) =>
  checkOverfit({ losses, accuracies, grad_norms: grads ?? losses.map(() => 1), steps: 100, lr: 0.01 });
const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('signChangeFraction', () => {
  it('counts direction changes among non-zero differences', () => {
    expect(signChangeFraction([3, 2, 1, 0])).toBe(0);
    expect(signChangeFraction([0, 1, 0, 1, 0])).toBe(1);
    expect(signChangeFraction([0, 1, 1, 2, 1])).toBe(0.5); // diffs +, 0 (skipped), +, -
  });
});

describe('checkOverfit', () => {
  it('passes when the loss falls below 10% of its start', () => {
    const c = run(range(100, (i) => Math.exp(-i / 20)));
    expect(c).toMatchObject({ status: 'pass', diagnosis: 'memorised', hints: [] });
    expect(c.details.final_to_first).toBeCloseTo(Math.exp(-99 / 20), 12);
  });

  it('passes when the batch is classified 100% correctly even if the loss is above 10%', () => {
    const losses = range(100, (i) => 1 - i / 200);
    expect(
      run(
        losses,
        losses.map(() => 0.5),
      ).status,
    ).toBe('fail');
    expect(run(losses, [...losses.slice(1).map(() => 0.5), 1]).status).toBe('pass');
  });

  it('a memorised batch with weights grown more than 100× is a warning to lower the LR', () => {
    const losses = range(100, (i) => Math.exp(-i / 10));
    const c = checkOverfit({
      losses,
      accuracies: null,
      grad_norms: losses.map(() => 1),
      steps: 100,
      lr: 1000,
      weight_growth: 5e4,
    });
    expect(c).toMatchObject({ status: 'warn', diagnosis: 'memorised' });
    expect(c.details.weight_growth).toBe(5e4);
    expect(c.hints[0]).toMatch(/lower the LR/);
    expect(
      checkOverfit({
        losses,
        accuracies: null,
        grad_norms: losses.map(() => 1),
        steps: 100,
        lr: 1e-3,
        weight_growth: 1.5,
      }).status,
    ).toBe('pass');
  });

  it('a NaN/Inf loss fails with clip / lower the LR / check the data', () => {
    const c = run([1, 0.8, 0.9, null]);
    expect(c).toMatchObject({ status: 'fail', diagnosis: 'non_finite' });
    expect(c.details.non_finite_step).toBe(3);
    expect(c.hints.join(' ')).toMatch(/clip gradients \(clip_grad_norm\).*lower the LR.*check the data/);
    expect(run([null]).diagnosis).toBe('non_finite');
  });

  it('a constant loss: LR too small or zero gradients', () => {
    const c = run(range(100, () => 0.7));
    expect(c).toMatchObject({ status: 'fail', diagnosis: 'constant' });
    expect(c.hints[0]).toMatch(/LR too small .* or zero gradients/);
    expect(run(range(100, (i) => 0.7 - i * 1e-7)).diagnosis).toBe('constant'); // moved by 1e-5 of 0.7
    const zero = run(
      range(100, (i) => 0.7 - i * 1e-3),
      null,
      range(100, () => 0),
    );
    expect(zero.diagnosis).toBe('constant');
    expect(zero.summary).toMatch(/every gradient was exactly zero/);
  });

  it('an oscillating loss with no downward trend: lower the LR', () => {
    const c = run(range(100, (i) => 1 + (i % 2 ? 0.3 : -0.3)));
    expect(c).toMatchObject({ status: 'fail', diagnosis: 'oscillating' });
    expect(c.details.sign_change_fraction).toBe(1);
    expect(c.hints[0]).toMatch(/lower the LR/);
  });

  it('a rising loss: diverging, lower the LR', () => {
    const c = run(range(100, (i) => 1 + i / 10));
    expect(c).toMatchObject({ status: 'fail', diagnosis: 'diverging' });
    expect(c.hints[0]).toMatch(/lower the LR/);
  });

  it('a loss that blew up and settled above 10% of its start: spiked, lower the LR', () => {
    const c = run([0.8, 6e5, 9e6, 1.6, ...range(96, () => 0.48)]);
    expect(c).toMatchObject({ status: 'fail', diagnosis: 'spiked' });
    expect(c.summary).toMatch(/spiked to 9\.00e\+6 .* at step 2/);
    expect(c.hints[0]).toMatch(/lower the LR/);
    // a bump below 3× the start is not a spike
    expect(run([1, 2.9, ...range(98, (i) => 0.9 - 0.1 * (i / 97))]).diagnosis).toBe('stuck');
  });

  it('a loss that falls to 30%: slow (warn); to 80%: stuck (fail)', () => {
    const slow = run(range(100, (i) => 1 - 0.7 * (i / 99)));
    expect(slow).toMatchObject({ status: 'warn', diagnosis: 'slow' });
    expect(slow.hints[0]).toMatch(/overfit_steps/);
    const stuck = run(range(100, (i) => 1 - 0.2 * (i / 99)));
    expect(stuck).toMatchObject({ status: 'fail', diagnosis: 'stuck' });
    expect(stuck.hints[0]).toMatch(/raise the LR/);
  });

  it('an oscillation that still trends down is not "oscillating"', () => {
    const c = run(range(100, (i) => 1 - 0.6 * (i / 99) + (i % 2 ? 0.05 : -0.05)));
    expect(c.diagnosis).toBe('slow');
  });
});
