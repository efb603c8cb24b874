/**
 * Worked examples for every optimizer variant: one parameter p = [1, -2] and three fixed
 * gradients g1 = [0.5, -0.25], g2 = [0.125, 0.375], g3 = [-0.75, 0.5] (exact in float32).
 * Expected values are PyTorch's update formulas (torch/optim/{sgd,adam,adamw,rmsprop,adagrad}.py,
 * single-tensor path) evaluated in float64, independently of the code under test; step 1 of
 * each is derived by hand in the comments. Compared to 1e-6 relative.
 */
import { describe, expect, it } from 'vitest';
import { expectCloseRows } from '../../helpers/close.js';
import { createOptimizer } from '../../../src/core/optimizers/index.js';
import { createScalarBackend } from '../../../src/core/kernels/scalar.js';
import type { OptimizerSpec } from '../../../src/core/spec.js';
import type { Param } from '../../../src/core/types.js';

const G = [
  [0.5, -0.25],
  [0.125, 0.375],
  [-0.75, 0.5],
];

const base: OptimizerSpec = {
  type: 'sgd',
  lr: 0.1,
  momentum: 0,
  dampening: 0,
  nesterov: false,
  weight_decay: 0,
  betas: [0.9, 0.999],
  eps: 1e-8,
  amsgrad: false,
  alpha: 0.99,
  centered: false,
  lr_decay: 0,
  initial_accumulator_value: 0,
};

function run(spec: Partial<OptimizerSpec>, lr: number): number[][] {
  const backend = createScalarBackend();
  const p: Param = { name: 'p', shape: [2], value: Float32Array.from([1, -2]), grad: new Float32Array(2), decay: true };
  const opt = createOptimizer({ ...base, ...spec }, [p], backend);
  return G.map((g) => {
    p.grad.set(g);
    opt.step(lr);
    return Array.from(p.value);
  });
}

/** the parameters after each step, within 1e-6 relative of the worked example */
const expectClose = (actual: number[][], expected: number[][]): void => expectCloseRows(actual, expected, 1e-6);

describe('SGD (torch.optim.SGD)', () => {
  it('plain: p ← p - lr·g', () => {
    // step 1: 1 - 0.1·0.5 = 0.95; -2 - 0.1·(-0.25) = -1.975
    expectClose(run({ type: 'sgd' }, 0.1), [
      [0.95, -1.975],
      [0.9375, -2.0125],
      [1.0125, -2.0625],
    ]);
  });
  it('momentum 0.9 + weight_decay 0.01: first buffer = grad (+ wd·p)', () => {
    // step 1: d = 0.5 + 0.01·1 = 0.51 = buf; p = 1 - 0.1·0.51 = 0.949
    expectClose(run({ type: 'sgd', momentum: 0.9, weight_decay: 0.01 }, 0.1), [
      [0.949, -1.973],
      [0.889651, -1.9842270000000002],
      [0.910347249, -2.042347073],
    ]);
  });
  it('nesterov: g ← g + momentum·buf', () => {
    // step 1: buf = 0.5, d = 0.5 + 0.9·0.5 = 0.95, p = 1 - 0.095 = 0.905
    expectClose(run({ type: 'sgd', momentum: 0.9, nesterov: true }, 0.1), [
      [0.905, -1.9525],
      [0.84075, -2.0035],
      [0.936675, -2.1106499999999997],
    ]);
  });
  it('dampening 0.5: buf ← momentum·buf + (1-dampening)·g after the first step', () => {
    // step 2: buf = 0.9·0.5 + 0.5·0.125 = 0.5125; p = 0.95 - 0.05125 = 0.89875
    expectClose(run({ type: 'sgd', momentum: 0.9, dampening: 0.5 }, 0.1), [
      [0.95, -1.975],
      [0.8987499999999999, -1.9712500000000002],
      [0.8901249999999999, -1.9928750000000002],
    ]);
  });
  it('rejects nesterov without momentum, like torch', () => {
    expect(() => run({ type: 'sgd', nesterov: true }, 0.1)).toThrow(/Nesterov/);
  });
});

describe('Adam / AdamW (torch.optim.Adam, AdamW)', () => {
  it('adam defaults', () => {
    // step 1: m = 0.05, v = 0.00025, step_size = 0.1/0.1 = 1, denom = √0.00025/√0.001 + 1e-8 = 0.5 + 1e-8
    //         p = 1 - 0.05/(0.5 + 1e-8) = 0.900000002
    expectClose(run({ type: 'adam' }, 0.1), [
      [0.900000002, -1.9000000039999998],
      [0.8169402509120945, -1.9247701848362375],
      [0.8332664217101409, -1.9850492010503262],
    ]);
  });
  it('adam with L2 weight_decay 0.1 and amsgrad', () => {
    // step 1: g = 0.5 + 0.1·1 = 0.6 → p = 1 - 0.06/(0.6 + 1e-8) ≈ 0.9000000016667
    expectClose(run({ type: 'adam', weight_decay: 0.1, amsgrad: true }, 0.1), [
      [0.9000000016666666, -1.900000002222222],
      [0.8118121145523903, -1.866338055023362],
      [0.8110732297319911, -1.8790808532253023],
    ]);
  });
  it('adamw: decoupled decay p ← p·(1 - lr·wd) before the Adam step', () => {
    // step 1: p = 1·(1 - 0.1·0.01) = 0.999, then - 0.100000000 (as adam) → 0.899000002
    expectClose(run({ type: 'adamw', weight_decay: 0.01 }, 0.1), [
      [0.899000002, -1.8980000039999998],
      [0.8150412509100945, -1.9208721848322374],
      [0.8305523804572307, -1.9792303288614939],
    ]);
  });
  it('adamw with amsgrad, betas (0.8, 0.9), weight_decay 0.1', () => {
    expectClose(run({ type: 'adamw', weight_decay: 0.1, amsgrad: true, betas: [0.8, 0.9] }, 0.1), [
      [0.890000002, -1.8800000039999998],
      [0.8006930531428069, -1.8914027927074692],
      [0.817910624607918, -1.9385528634273406],
    ]);
  });
});

describe('RMSprop (torch.optim.RMSprop)', () => {
  it('defaults (alpha 0.99, eps 1e-8), lr 0.01', () => {
    // step 1: sq = 0.01·0.25 = 0.0025, avg = 0.05 + 1e-8, p = 1 - 0.01·0.5/0.05 ≈ 0.9
    expectClose(run({ type: 'rmsprop' }, 0.01), [
      [0.900000019999996, -1.9000000399999841],
      [0.87563151580916, -1.983333354814803],
      [0.9583043729578742, -2.057829635847864],
    ]);
  });
  it('centered', () => {
    // step 1: ga = 0.005, avg = √(0.0025 - 0.000025) + 1e-8 = 0.04975, p = 1 - 0.005/0.04975
    expectClose(run({ type: 'rmsprop', centered: true }, 0.01), [
      [0.899496238676095, -1.899496258878103],
      [0.8749477601068312, -1.98286304290473],
      [0.9576299361417223, -2.0576857174796954],
    ]);
  });
  it('centered + momentum 0.9 + weight_decay 0.1', () => {
    expectClose(run({ type: 'rmsprop', centered: true, momentum: 0.9, weight_decay: 0.1 }, 0.01), [
      [0.8994962353090928, -1.899496240920763],
      [0.7748876742813618, -1.8472940131093725],
      [0.7356547176358901, -1.8550499399289353],
    ]);
  });
});

describe('Adagrad (torch.optim.Adagrad)', () => {
  it('defaults (eps 1e-10)', () => {
    // step 1: sum = 0.25, p = 1 - 0.1·0.5/(0.5 + 1e-10) = 0.90000000002
    expectClose(run({ type: 'adagrad', eps: 1e-10 }, 0.1), [
      [0.90000000002, -1.90000000004],
      [0.8757464375210726, -1.9832050294553227],
      [0.9581627758812294, -2.057483164715109],
    ]);
  });
  it('lr_decay 0.1, initial_accumulator_value 0.1, weight_decay 0.1', () => {
    // step 2 uses clr = 0.1/(1 + 1·0.1)
    expectClose(
      run({ type: 'adagrad', eps: 1e-10, lr_decay: 0.1, initial_accumulator_value: 0.1, weight_decay: 0.1 }, 0.1),
      [
        [0.9115348263201052, -1.9181818181966943],
        [0.8839300310010992, -1.9469084114758421],
        [0.9406623118218298, -1.9857407630761506],
      ],
    );
  });
});

describe('optimizer contract', () => {
  it('uses the lr passed to each step (not spec.lr)', () => {
    const a = run({ type: 'sgd', lr: 123 }, 0.1);
    expect(a[0][0]).toBeCloseTo(0.95, 7);
  });
  it('rejects a negative or non-finite lr', () => {
    expect(() => run({ type: 'adam' }, NaN)).toThrow(/learning rate/);
    expect(() => run({ type: 'adam' }, -1)).toThrow(/learning rate/);
  });
  it('the worked-example checker catches a wrong formula', () => {
    // Adam without bias correction would give p1 = 1 - 0.1·0.05/√0.00025 ≈ 0.6838 ≠ 0.9
    expect(() => expectClose([[0.6838, -1.68]], [[0.900000002, -1.9000000039999998]])).toThrow();
  });
});
