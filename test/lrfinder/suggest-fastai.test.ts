/**
 * fastai's suggestion functions (fastai/callback/schedule.py: minimum, steep, valley, slide).
 * fastai's notebook (nbs/14_callback.schedule.ipynb) only calls them on a random synth_learner
 * run (no fixed expected values are published), so the expectations here are
 * (a) the output of fastai's own code run in Python on the fixture curves, with torch float32
 *     tensors replaced by numpy float32 arrays (same dtype, same formulas), and
 * (b) hand-derived worked examples (derivations in the comments).
 */
import { describe, expect, it } from 'vitest';
import { minimum } from '../../src/lrfinder/suggest/minimum.js';
import { slide } from '../../src/lrfinder/suggest/slide.js';
import { steep } from '../../src/lrfinder/suggest/steep.js';
import { valley, valleyRawIndex, valleyRawIndexReference } from '../../src/lrfinder/suggest/valley.js';
import { SUGGESTION_METHODS } from '../../src/lrfinder/suggest/index.js';
import { LRS, NOISY, SMOOTH } from './fixtures.js';

const f32 = Math.fround;
const geo = (n: number, lo = -6, step = 0.25) => Array.from({ length: n }, (_, i) => 10 ** (lo + i * step));

describe('fastai on the fixture curves (bit-compatible with fastai code under numpy float32)', () => {
  // Python: lrs, losses = tensor(LRS[100//10:-5]), tensor(SMOOTH[100//10:-5]) → minimum/steep/valley/slide
  const cases = [
    {
      name: 'SMOOTH',
      losses: SMOOTH,
      expect: {
        minimum: [0.07390722036361694, 85],
        steep: [0.003351602703332901, 56],
        valley: [0.0005214008269831538, 46],
        slide: [0.0015922827878966928, 52],
      },
    },
    {
      name: 'NOISY',
      losses: NOISY,
      expect: {
        minimum: [0.08902150988578797, 86],
        steep: [0.004037017468363047, 57],
        valley: [0.002310129813849926, 54],
        slide: [0.0015922827878966928, 52],
      },
    },
  ] as const;
  for (const c of cases) {
    for (const m of ['minimum', 'steep', 'valley', 'slide'] as const) {
      it(`${m} on ${c.name}`, () => {
        const s = SUGGESTION_METHODS[m].suggest(
          { lrs: LRS.slice(0, c.losses.length), losses: c.losses },
          { num_it: 100 },
        );
        // fastai's index (the float32 value fastai returns is c.expect[m][0]); the lr is the caller's own number
        const i = c.expect[m][1];
        expect(s).toEqual({ lr: m === 'minimum' ? LRS[i] / 10 : LRS[i], index: i });
        expect(f32(m === 'minimum' ? f32(LRS[i]) / 10 : LRS[i])).toBe(f32(c.expect[m][0]));
      });
    }
  }
});

describe('valley (longest strictly decreasing subsequence)', () => {
  const lrs4 = [1e-3, 1e-2, 1e-1, 1];

  it('strictly decreasing prefix → idx -1 → the LAST element (Python negative index)', () => {
    // losses [3,2,5,6]: lds = [1,2,1,1]; max_end = 1, max_start = 1-2 = -1;
    // sections = (1-(-1))/3 = 0.667; idx = -1 + int(.667) + int(.333) = -1 → lrs[-1] = lrs[3]
    expect(valleyRawIndex([3, 2, 5, 6])).toBe(-1);
    expect(valley(lrs4, [3, 2, 5, 6])).toEqual({ lr: 1, index: 3 });
    // n = 2 decreasing: same path, lrs[-1] = lrs[1]
    expect(valley([1e-3, 1e-2], [2, 1])).toEqual({ lr: 1e-2, index: 1 });
  });

  it('ties keep the earliest max_end', () => {
    // [5,4,3,6,5,4]: lds = [1,2,3,1,2,3]; lds[5] = 3 ties lds[2] → max_end stays 2, max_start = -1
    // sections = 1; idx = -1 + 1 + 0 = 0
    expect(valleyRawIndex([5, 4, 3, 6, 5, 4])).toBe(0);
    expect(valley([1, 2, 3, 4, 5, 6], [5, 4, 3, 6, 5, 4])).toEqual({ lr: 1, index: 0 });
  });

  it('picks about halfway through the valley: start + ⌊L/3⌋ + ⌊L/6⌋', () => {
    // [10..1, 2, 3]: lds[i] = i+1 up to i = 9; max_end = 9, max_start = 9-10 = -1, L = 10
    // sections = 3.33; idx = -1 + 3 + int(1.67) = 3
    const lrs = Array.from({ length: 12 }, (_, i) => 1e-3 * (i + 1));
    expect(valley(lrs, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 2, 3])).toEqual({ lr: lrs[3], index: 3 });
  });

  it('a subsequence, not a contiguous run', () => {
    // [5, 9, 4, 9, 3, 9, 2]: the decreasing subsequence 5,4,3,2 skips the 9s: lds[6] = 4,
    // max_end = 6, max_start = 2, sections = 4/3 → idx = 2 + 1 + 0 = 3
    expect(valleyRawIndex([5, 9, 4, 9, 3, 9, 2])).toBe(3);
  });

  it('no decrease at all → idx 0; one point → idx 0; none → insufficient', () => {
    expect(valleyRawIndex([1, 1, 1])).toBe(0);
    expect(valleyRawIndex([1, 2, 3])).toBe(0);
    expect(valley([0.5], [1])).toEqual({ lr: 0.5, index: 0 });
    const none = valley([], []);
    expect(none.lr).toBeNull();
    if (none.lr === null) expect(none.reason).toMatch(/at least 1 point.*got 0/);
  });

  it('the O(n log n) version equals fastai’s O(n²) loop on random curves (ties, plateaus, NaN)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let t = 0; t < 400; t++) {
      const n = 1 + Math.floor(rnd() * 40);
      const levels = 2 + Math.floor(rnd() * 8); // few distinct values → many ties
      const losses = Array.from({ length: n }, () =>
        rnd() < 0.03 ? NaN : Math.floor(rnd() * levels) + (rnd() < 0.2 ? 1e-9 : 0),
      );
      expect(valleyRawIndex(losses)).toBe(valleyRawIndexReference(losses));
    }
    expect(valleyRawIndex(NOISY)).toBe(valleyRawIndexReference(NOISY));
  });

  it('compares in float32 like fastai’s tensors', () => {
    // float64: [2, 1+1e-9, 1, .5] strictly decreasing → lds [1,2,3,4], idx = -1 + 1 + 0 = 0
    // float32: 1+1e-9 rounds to 1 → [2,1,1,.5], lds [1,2,2,3], max_end 3, max_start 0 → idx 0+0+0... =
    //   sections = 1 → idx = 0 + 1 + 0 = 1 (Python/numpy float32 gives lrs[1] = 0.009999999776482582; we return the
    // caller's 1e-2)
    expect(valley(lrs4, [2, 1 + 1e-9, 1, 0.5])).toEqual({ lr: 1e-2, index: 1 });
  });
});

describe('minimum', () => {
  it("lr at the argmin divided by 10, in float64 on the caller's lr; index = argmin point", () => {
    expect(minimum([1e-3, 1e-2, 1e-1], [3, 1, 2])).toEqual({ lr: 1e-2 / 10, index: 1 });
  });
  it('float32 rounding creates a tie → first index (numpy/torch argmin)', () => {
    // float64 argmin([0.5+1e-10, 0.5]) = 1; float32: both 0.5 → 0 (fastai returns float32(1e-3)/10; we return 1e-3/10)
    expect(minimum([1e-3, 1e-2], [0.5 + 1e-10, 0.5])).toEqual({ lr: 1e-3 / 10, index: 0 });
  });
  it('needs one point', () => {
    expect(minimum([], []).lr).toBeNull();
  });
});

describe('steep (forward difference in ln lr)', () => {
  it('picks the LEFT end of the steepest segment', () => {
    // grads = [-1, -2, -0.5]/ln(10) → argmin 1 → lrs[1] (the segment 1e-2 → 1e-1)
    expect(steep([1e-3, 1e-2, 1e-1, 1], [4, 3, 1, 0.5])).toEqual({ lr: 1e-2, index: 1 });
  });
  it('float32 arithmetic changes the pick (found by search against numpy float32)', () => {
    // Python: losses = [0.999999999, 0.89999997, 0.8000000300000001, 0.6999999699999999], lrs 1e-3..1
    // float64 grads → argmin 2; float32 (fastai) → argmin 0 (fastai's value 0.0010000000474974513; ours the caller's
    // 1e-3)
    const losses = [0.999999999, 0.89999997, 0.8000000300000001, 0.6999999699999999];
    expect(steep([1e-3, 1e-2, 1e-1, 1], losses)).toEqual({ lr: 1e-3, index: 0 });
  });
  it('on a linear schedule the log step shrinks: equal loss drops favour high LRs', () => {
    // lrs 1,2,3,4 and losses 4,3,2,1: grads = -1/ln(2), -1/ln(1.5), -1/ln(4/3) → argmin = 2
    expect(steep([1, 2, 3, 4], [4, 3, 2, 1])).toEqual({ lr: 3, index: 2 });
  });
  it('needs 2 points', () => {
    const s = steep([1e-3], [1]);
    expect(s.lr).toBeNull();
    if (s.lr === null) expect(s.reason).toMatch(/at least 2 points.*got 1/);
  });
});

describe('slide (interval slide rule, np.gradient with unit spacing)', () => {
  it('stops at once → lrs[-16]', () => {
    // 10 flat points, then a constant slope: g = 0 … -0.005, -0.01 …; r = 29, l = 14: |g29-g14| = 0
    const lrs = geo(30);
    const losses = [...Array(10).fill(1), ...Array.from({ length: 20 }, (_, k) => 1 - 0.01 * (k + 1))];
    expect(slide(lrs, losses)).toEqual({ lr: lrs[14], index: 14 });
    expect(f32(lrs[14])).toBe(0.003162277629598975); // fastai's float32 value
  });

  it('slides until the gradients 15 apart agree: lrs[l_fail + 1]', () => {
    // losses 2-0.01i (i <= 19), minus 0.0015(i-19)^2 after: g = -0.01 up to 19, then -0.01-0.003(i-19)…
    // |g[r]-g[r-15]| > .005 for r = 34 … 21 (l = 19 … 6); at r = 20, l = 5 it is 0.003 → stop
    // Python: (3.162277789670043e-05, index 6) = float32(lrs[6]) = l_fail + 1
    const lrs = geo(35);
    const losses = Array.from({ length: 35 }, (_, i) => 2 - 0.01 * i - (i > 19 ? 0.0015 * (i - 19) ** 2 : 0));
    expect(slide(lrs, losses)).toEqual({ lr: lrs[6], index: 6 });
  });

  it('runs off the left end → lrs[0]', () => {
    // quadratic losses: |g[r] - g[r-15]| = 15*0.02 = 0.3 everywhere → loop until l < 0
    const lrs = geo(20);
    expect(
      slide(
        lrs,
        Array.from({ length: 20 }, (_, i) => 0.01 * i * i),
      ),
    ).toEqual({ lr: lrs[0], index: 0 });
  });

  it('thresh is absolute: ×100 slides to lrs[0], ×1e-3 stops almost at once (fixture SMOOTH)', () => {
    // Python on SMOOTH[10:-5]: ×1 → (0.0015922827878966928, 42+10), ×100 → lrs[10], ×1e-3 → (0.1668100506067276, 67+10)
    const lrs = LRS.slice(10, SMOOTH.length - 5);
    const y = SMOOTH.slice(10, -5);
    expect(slide(lrs, y)).toEqual({ lr: lrs[42], index: 42 });
    expect(
      slide(
        lrs,
        y.map((v) => v * 100),
      ),
    ).toEqual({ lr: lrs[0], index: 0 });
    expect(
      slide(
        lrs,
        y.map((v) => v * 1e-3),
      ),
    ).toEqual({ lr: lrs[67], index: 67 });
    expect([f32(lrs[42]), f32(lrs[0]), f32(lrs[67])]).toEqual([
      0.0015922827878966928, 6.428073220376973e-7, 0.1668100506067276,
    ]);
  });

  it("adjust_value multiplies the caller's lr in double", () => {
    const lrs = geo(20);
    const s = slide(
      lrs,
      Array.from({ length: 20 }, (_, i) => 0.01 * i * i),
      { adjust_value: 0.5 },
    );
    expect(s).toEqual({ lr: lrs[0] * 0.5, index: 0 });
  });

  it('needs lr_diff + 1 = 16 points', () => {
    const s = slide(geo(15), Array(15).fill(1));
    expect(s.lr).toBeNull();
    if (s.lr === null) expect(s.reason).toMatch(/at least 16 points.*got 15/);
    expect(slide(geo(16), Array(16).fill(1))).toEqual({ lr: geo(16)[0], index: 0 });
  });
});
