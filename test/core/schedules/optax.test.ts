/**
 * optax schedules against google-deepmind/optax optax/schedules/_schedule_test.py and _join_test.py.
 * optax computes in float32; the expected arrays are float32 too. We compare at 1e-6 relative
 * (1e-8 absolute for zeros), tighter than upstream's atol 1e-3 for most tests.
 */
import { describe, expect, it } from 'vitest';
import { expect32, expectClose, lrs, range, rep } from './helpers.js';

const f = Math.fround;
const at = (spec: object, counts: number[]): number[] => {
  const all = lrs(spec, Math.max(...counts) + 1);
  return counts.map((c) => all[c]);
};

describe('_schedule_test.py', () => {
  it('ConstantTest.test_constant', () => {
    expect32(lrs({ type: 'constant_schedule', value: 10 }, 15), rep(10, 15));
  });
  it('PolynomialTest.test_linear', () => {
    expect32(lrs({ type: 'polynomial_schedule', init_value: 10, end_value: 20, power: 1, transition_steps: 10 }, 15), [
      ...range(10).map((x) => 10 + x),
      ...rep(20, 5),
    ]);
  });
  it('PolynomialTest.test_zero_steps_schedule', () => {
    for (const n of [-1, 0])
      expect32(
        lrs({ type: 'polynomial_schedule', init_value: 10, end_value: 20, power: 1, transition_steps: n }, 15),
        rep(10, 15),
      );
  });
  it('PolynomialTest.test_nonlinear', () => {
    const e = [...range(10).map((n) => f(10 + 15 * (1 - n / 10) ** 2)), ...rep(10, 5)];
    expect32(
      lrs({ type: 'polynomial_schedule', init_value: 25, end_value: 10, power: 2, transition_steps: 10 }, 15),
      e,
    );
  });
  it('PolynomialTest.test_with_decay_begin', () => {
    const e = [...rep(30, 4), ...range(10).map((n) => f(10 + 20 * (1 - n / 10) ** 2)), ...rep(10, 6)];
    expect32(
      lrs(
        {
          type: 'polynomial_schedule',
          init_value: 30,
          end_value: 10,
          power: 2,
          transition_steps: 10,
          transition_begin: 4,
        },
        20,
      ),
      e,
    );
  });
  it('PiecewiseConstantTest.test_positive / test_negative', () => {
    const e = [0.1, 0.1, 0.1, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1];
    expect32(
      lrs({ type: 'piecewise_constant_schedule', init_value: 0.1, boundaries_and_scales: { 3: 2, 6: 0.5 } }, 10),
      e,
    );
    expect32(
      lrs({ type: 'piecewise_constant_schedule', init_value: -0.1, boundaries_and_scales: { 3: 2, 6: 0.5 } }, 10),
      e.map((x) => -x),
    );
  });
  it('piecewise_constant sorts boundaries numerically, not as JSON strings', () => {
    expect32(
      lrs({ type: 'piecewise_constant_schedule', init_value: 1, boundaries_and_scales: { 10: 0.5, 9: 0.1 } }, 12),
      [...rep(1, 9), 0.1, 0.05, 0.05],
    );
  });
  for (const staircase of [false, true]) {
    it(`ExponentialTest.test_constant_schedule / test_nonvalid_* (staircase=${staircase})`, () => {
      expect32(
        lrs({ type: 'exponential_decay', init_value: 1, transition_steps: 15, decay_rate: 1, staircase }, 15),
        rep(1, 15),
      );
      for (const T of [-1, 0])
        expect32(
          lrs({ type: 'exponential_decay', init_value: 1, transition_steps: T, decay_rate: 1, staircase }, 15),
          rep(1, 15),
        );
      expect32(
        lrs({ type: 'exponential_decay', init_value: 1, transition_steps: 2, decay_rate: 0, staircase }, 15),
        rep(1, 15),
      );
    });
    for (const begin of [0, 5]) {
      it(`ExponentialTest.test_exponential (staircase=${staircase}, transition_begin=${begin})`, () => {
        const p = (c: number): number => (staircase ? Math.floor(c / 2) : c / 2);
        const e = [...rep(1, begin), ...range(15).map((c) => f(2 ** p(c)))];
        expect32(
          lrs(
            {
              type: 'exponential_decay',
              init_value: 1,
              transition_steps: 2,
              decay_rate: 2,
              transition_begin: begin,
              staircase,
            },
            15 + begin,
          ),
          e,
        );
      });
    }
    for (const [rate, end] of [
      [0.2, 0.1],
      [1.0, 0.1],
      [2.0, 3.0],
    ]) {
      it(`ExponentialTest.test_end_value_with_staircase (${rate}, ${end}, ${staircase})`, () => {
        const p = (c: number): number => (staircase ? Math.floor(c / 2) : c / 2);
        let e = [...rep(1, 3), ...range(11).map((c) => f(rate ** p(c)))];
        e = e.map((x) => (rate < 1 ? Math.max(x, f(end)) : Math.min(x, f(end))));
        expect32(
          lrs(
            {
              type: 'exponential_decay',
              init_value: 1,
              transition_steps: 2,
              decay_rate: rate,
              transition_begin: 3,
              staircase,
              end_value: end,
            },
            14,
          ),
          e,
        );
      });
    }
  }
  it('ExponentialTest.test_immutable_count', () => {
    expect32(
      lrs({ type: 'exponential_decay', init_value: 32, transition_steps: 1, decay_rate: 0.5 }, 5),
      [32, 16, 8, 4, 2],
    );
  });
  it('CosineDecayTest.test_decay_count_smaller_count', () => {
    const e = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((x) => 0.1 * (0.5 + 0.5 * Math.cos(Math.PI * x)));
    expect32(lrs({ type: 'cosine_decay_schedule', init_value: 0.1, decay_steps: 10, alpha: 0 }, 10), e);
  });
  it('CosineDecayTest.test_decay_count_greater_count (+ with_alpha): clamped after decay_steps', () => {
    const m = [0, 0.2, 0.4, 0.6, 0.8, 1, 1, 1, 1, 1, 1, 1].map((x) => 0.5 + 0.5 * Math.cos(Math.PI * x));
    expect32(
      lrs({ type: 'cosine_decay_schedule', init_value: 0.1, decay_steps: 5, alpha: 0 }, 12),
      m.map((x) => 0.1 * x),
    );
    expect32(
      lrs({ type: 'cosine_decay_schedule', init_value: 0.1, decay_steps: 5, alpha: 0.1 }, 12),
      m.map((x) => 0.1 * (0.9 * x + 0.1)),
    );
  });
  it('CosineDecayTest.test_with_exponent (published float32 values)', () => {
    const got = at(
      { type: 'cosine_decay_schedule', init_value: 0.1, decay_steps: 100, alpha: 0, exponent: 2 },
      [0, 10, 50, 75, 100],
    );
    expect32(got, [0.1, 0.09516553580760956, 0.025, 0.0021446612663567066, 0.0]);
    // the two values published at full float32 precision are reproduced bit for bit
    expect([got[1], got[3]]).toEqual([0.09516553580760956, 0.0021446612663567066]);
  });
  it('WarmupCosineDecayTest.test_limits', () => {
    for (const [init, peak, end] of [
      [10, 0.5, 1e-4],
      [5, 3, 0],
    ]) {
      const got = at(
        {
          type: 'warmup_cosine_decay_schedule',
          init_value: init,
          peak_value: peak,
          warmup_steps: 100,
          decay_steps: 1000,
          end_value: end,
        },
        [0, 100, 1000],
      );
      expect32(got.slice(0, 2), [init, peak]);
      expectClose([got[2]], [end], 1e-3, 1e-8);
    }
  });
  it('WarmupCosineDecayTest.test_with_exponent (published float32 values, bit-exact)', () => {
    const got = at(
      {
        type: 'warmup_cosine_decay_schedule',
        init_value: 0.2,
        peak_value: 1.21,
        end_value: -3.0,
        warmup_steps: 50,
        decay_steps: 100,
        exponent: 2,
      },
      [0, 10, 50, 75, 100],
    );
    // bit-exact: a float64 computation would give 0.2, 0.402, 1.21, -1.9475, -3 (within 1e-6, so check equality)
    expect(got).toEqual([
      0.20000004768371582, 0.4020000100135803, 1.2100000381469727, -1.947500228881836, -3.000000238418579,
    ]);
  });
  it('WarmupCosineDecayTest.test_zero_peak_value', () => {
    const got = at(
      {
        type: 'warmup_cosine_decay_schedule',
        init_value: 0.2,
        peak_value: 0,
        end_value: -3.0,
        warmup_steps: 50,
        decay_steps: 100,
        exponent: 2,
      },
      [0, 10, 50, 75, 100],
    );
    expect32(got, [0.2, 0.16, 0.0, 0.0, 0.0]);
  });
  for (const [name, lr0, lr1, lr2] of [
    ['with step decay', 1.6, 0.8, 0.4],
    ['without step_decay', 1.6, 1.6, 1.6],
  ] as const) {
    it(`SGDRTest.test_limits (${name})`, () => {
      const cosine_kwargs = [2e3, 3e3, 5e3].map((step, i) => ({
        decay_steps: step,
        peak_value: [lr0, lr1, lr2][i],
        init_value: 0,
        end_value: 0.0,
        warmup_steps: 500,
      }));
      expect32(at({ type: 'sgdr_schedule', cosine_kwargs }, [500, 2500, 5500]), [lr0, lr1, lr2]);
    });
  }
  it('PiecewiseInterpolateTest (linear, cosine, empty dict, no dict)', () => {
    expect32(
      lrs(
        {
          type: 'piecewise_interpolate_schedule',
          interpolate_type: 'linear',
          init_value: 200,
          boundaries_and_scales: { 5: 1.5, 10: 0.25 },
        },
        13,
      ),
      [200, 220, 240, 260, 280, 300, 255, 210, 165, 120, 75, 75, 75],
    );
    expect32(
      lrs(
        {
          type: 'piecewise_interpolate_schedule',
          interpolate_type: 'cosine',
          init_value: 400,
          boundaries_and_scales: { 5: 1.2, 3: 0.6, 7: 1 },
        },
        9,
      ),
      [400, 360, 280, 240, 264, 288, 288, 288, 288],
    );
    expect32(
      lrs(
        {
          type: 'piecewise_interpolate_schedule',
          interpolate_type: 'linear',
          init_value: 13,
          boundaries_and_scales: {},
        },
        5,
      ),
      rep(13, 5),
    );
    expect32(
      lrs({ type: 'piecewise_interpolate_schedule', interpolate_type: 'cosine', init_value: 17 }, 3),
      rep(17, 3),
    );
  });
  it('OneCycleTest.test_linear', () => {
    const got = lrs(
      {
        type: 'linear_onecycle_schedule',
        transition_steps: 10,
        peak_value: 1000,
        pct_start: 0.3,
        pct_final: 0.7,
        div_factor: 10,
        final_div_factor: 100,
      },
      12,
    );
    expect32(got, [100, 400, 700, 1000, 775, 550, 325, 100, 67, 34, 1, 1]);
  });
  it('OneCycleTest.test_cosine', () => {
    const got = lrs(
      {
        type: 'cosine_onecycle_schedule',
        transition_steps: 5,
        peak_value: 1000,
        pct_start: 0.4,
        div_factor: 10,
        final_div_factor: 100,
      },
      7,
    );
    expect32(got, [100, 550, 1000, 750.25, 250.75, 1, 1]);
  });
});

describe('_join_test.py', () => {
  it('JoinTest.test_join_schedules', () => {
    const spec = {
      type: 'join_schedules',
      boundaries: [3, 6],
      schedules: [1, 2, 1].map((v) => ({ type: 'constant_schedule', value: v })),
    };
    expect(lrs(spec, 7)).toEqual([1, 1, 1, 2, 2, 2, 1]);
  });
  it('warmup_exponential_decay_schedule = join(linear warmup, exponential_decay from peak) (hand-derived)', () => {
    const got = lrs(
      {
        type: 'warmup_exponential_decay_schedule',
        init_value: 0,
        peak_value: 1,
        warmup_steps: 2,
        transition_steps: 1,
        decay_rate: 0.5,
        end_value: 0.2,
      },
      6,
    );
    expect32(got, [0, 0.5, 1, 0.5, 0.25, 0.2]);
  });
});
