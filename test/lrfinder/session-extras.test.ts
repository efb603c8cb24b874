/**
 * Sweep sessions as real training loops are written: parameter groups, GradScaler-skipped steps,
 * and `emulate` one report at a time — bit-identical to the batch `emulate()` on the same losses
 * (itself checked against the libraries' own algorithms in libraries.test.ts).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  appliedLrs,
  decodeLoss,
  emulate,
  emulationLimit,
  emulationNext,
  emulationStep,
  LIBRARY_NAMES,
  RANGE_TEST_OPTION_DEFAULTS,
  resolveEmulation,
  startEmulation,
  type LibraryName,
  type LossValue,
  type WireLoss,
} from '../../src/lrfinder/index.js';
import {
  checkSweepOptions,
  newSweep,
  sweepNext,
  sweepReport,
  sweepResult,
  sweepStep,
  sweepStop,
  type SweepOptions,
  type SweepState,
} from '../../src/lrfinder/session.js';

const F = JSON.parse(readFileSync(new URL('./fixtures/libraries.json', import.meta.url), 'utf8')) as {
  raw: Record<string, WireLoss[]>;
};
const raw = (name: string): LossValue[] => F.raw[name].map(decodeLoss);
const roundTrip = (s: SweepState): SweepState => JSON.parse(JSON.stringify(s)); // what Redis keeps

/** The client's loop: train at next.lr, report, until the session stops (or the losses run out). */
function drive(opts: SweepOptions, losses: readonly LossValue[]): { state: SweepState; lrs: number[] } {
  let s = newSweep(opts);
  const lrs: number[] = [];
  for (let n = sweepNext(s, opts), i = 0; n && i < losses.length; n = sweepNext(s, opts), i++) {
    lrs.push(n.lr);
    s = roundTrip(sweepReport(s, opts, { loss: losses[i] }));
  }
  return { state: s, lrs };
}

const base: SweepOptions = { ...RANGE_TEST_OPTION_DEFAULTS };
const numIter: Record<LibraryName, number> = {
  fastai: 100,
  'torch-lr-finder': 100,
  lightning: 100,
  'keras-lr-finder': 100,
  ignite: 100,
};

describe('an emulating session ≡ emulate() on the same losses', () => {
  const cases: [LibraryName, string][] = [];
  for (const lib of LIBRARY_NAMES)
    for (const c of ['noisy', 'nan_middle', 'inf_middle', 'negative', 'flat', 'short_20']) cases.push([lib, c]);
  it.each(cases)('%s on %s', (library, c) => {
    const losses = raw(c);
    const opts: SweepOptions = { ...base, emulate: { library, options: { num_iter: numIter[library] } } };
    const { state } = drive(opts, losses);
    const r = sweepResult(state.stop_reason === null ? sweepStop(state) : state, opts);
    const batch = emulate(library, losses.slice(0, state.losses.length), { num_iter: numIter[library] });
    expect(r.emulation?.iterations).toBe(batch.iterations);
    expect(r.emulation?.lrs).toEqual(batch.lrs);
    r.emulation?.losses.forEach((v, i) => expect(Object.is(v, batch.losses[i])).toBe(true));
    expect(r.emulation?.suggestions).toEqual(batch.suggestions);
    expect(r.suggestion.method).toBe(batch.suggestion.method);
    expect(r.suggested_lr).toBe(batch.suggestion.lr);
    expect(r.iterations).toBe(batch.iterations);
  });

  it("the LR to train at is the library's: fastai i/num_it, Lightning skips 1/N, ignite one step behind what it records", () => {
    const lr = (library: LibraryName, k: number) => {
      const opts: SweepOptions = { ...base, emulate: { library, options: { start_lr: 1e-6, end_lr: 1, num_iter: 6 } } };
      let s = newSweep(opts);
      const out: number[] = [];
      for (let i = 0; i < k; i++) {
        out.push((sweepNext(s, opts) as { lr: number }).lr);
        s = sweepReport(s, opts, { loss: 1 });
      }
      return { out, rec: sweepResult(sweepStop(s), opts).lrs };
    };
    expect(lr('fastai', 3).out).toEqual([1e-6, 1e-6 * (1 / 1e-6) ** (1 / 6), 1e-6 * (1 / 1e-6) ** (2 / 6)]);
    expect(lr('lightning', 3).out).toEqual([1e-6, 1e-6 * (1 / 1e-6) ** (2 / 6), 1e-6 * (1 / 1e-6) ** (3 / 6)]);
    const ig = lr('ignite', 3);
    expect(ig.rec).toEqual([1e-6 * (1 / 1e-6) ** (1 / 6), 1e-6 * (1 / 1e-6) ** (2 / 6), 1e-6 * (1 / 1e-6) ** (3 / 6)]);
    expect(ig.out).toEqual([ig.rec[0], ig.rec[0], ig.rec[1]]);
  });

  it('NaN, +Infinity and -Infinity reach the library as themselves (fastai keeps ±Inf and cuts at NaN)', () => {
    const losses = raw('noisy').slice(0, 40);
    const withNaN = [...losses];
    withNaN[20] = NaN;
    const withInf = [...losses];
    withInf[20] = Infinity;
    const opts: SweepOptions = { ...base, emulate: { library: 'torch-lr-finder', options: { num_iter: 40 } } };
    const a = sweepResult(drive(opts, withNaN).state, opts);
    const b = sweepResult(drive(opts, withInf).state, opts);
    expect(a.stop_reason).toBe('completed'); // a NaN never stops torch-lr-finder
    expect(b.stop_reason).toBe('diverged'); // inf > 5·best does
    expect(a.emulation?.raw_losses[20]).toBeNaN();
    expect(b.emulation?.raw_losses[20]).toBe(Infinity);
    expect(a.losses[20]).toBeNull(); // the v1 series has no NaN
  });
});

describe('GradScaler-skipped steps', () => {
  it("the service's pipeline: the plan does not advance, the point is not recorded", () => {
    const losses = raw('noisy');
    let s = newSweep();
    let plain = newSweep();
    const skipAt = new Set([3, 4, 17]);
    let k = 0;
    for (let it = 0; it < 60; it++) {
      const n = sweepNext(s, base);
      if (n === null) break;
      expect(n.iteration).toBe(it);
      if (skipAt.has(it)) {
        const before = n.lr;
        s = sweepReport(s, base, { skipped: true });
        expect((sweepNext(s, base) as { lr: number }).lr).toBe(before); // same LR again
        continue;
      }
      s = sweepReport(s, base, { loss: losses[k] });
      plain = sweepStep(plain, base, losses[k]);
      k++;
    }
    const r = sweepResult(sweepStop(s), base);
    const p = sweepResult(sweepStop(plain), base);
    expect(r.lrs).toEqual(p.lrs);
    expect(r.suggestions).toEqual(p.suggestions);
    expect(r.skipped).toEqual([3, 4, 17]);
    expect(r.reports).toBe(60);
    expect(r.iterations).toBe(57);
    expect(r.warnings.map((w) => w.code)).toContain('skipped_steps');
  });

  it("an emulating session records a skipped step's loss (the libraries do), and needs it", () => {
    const opts: SweepOptions = { ...base, emulate: { library: 'fastai' } };
    const s = sweepReport(newSweep(opts), opts, { loss: 2.3, skipped: true });
    expect(s.losses).toEqual([2.3]);
    expect(s.skipped).toEqual([0]);
    expect(() => sweepReport(s, opts, { skipped: true })).toThrow(/fastai records skipped steps/);
    expect(() => sweepReport(newSweep(), base, {})).toThrow(/needs a loss/);
  });
});

describe('parameter groups', () => {
  const opts: SweepOptions = {
    ...base,
    num_iter: 30,
    param_groups: [
      { name: 'backbone', lr_mult: 0.1 },
      { name: 'head', lr_mult: 1 },
    ],
  };
  it("each answer gives every group's LR; the result every group's pick", () => {
    let s = newSweep(opts);
    const n = sweepNext(s, opts);
    expect(n).toEqual({
      iteration: 0,
      lr: 1e-7,
      param_groups: [
        { name: 'backbone', lr: 1e-7 * 0.1 },
        { name: 'head', lr: 1e-7 },
      ],
    });
    const losses = raw('noisy');
    for (let i = 0; sweepNext(s, opts); i++) s = sweepReport(s, opts, { loss: losses[i] });
    const r = sweepResult(s, opts);
    expect(r.param_groups).toEqual([
      { name: 'backbone', lr_mult: 0.1, suggested_lr: (r.suggested_lr as number) * 0.1 },
      { name: 'head', lr_mult: 1, suggested_lr: r.suggested_lr },
    ]);
  });
  it('bad groups are RangeErrors', () => {
    expect(() => checkSweepOptions({ ...base, param_groups: [{ name: 'a', lr_mult: 0 }] })).toThrow(/lr_mult/);
    expect(() =>
      checkSweepOptions({
        ...base,
        param_groups: [
          { name: 'a', lr_mult: 1 },
          { name: 'a', lr_mult: 2 },
        ],
      }),
    ).toThrow(/twice/);
    expect(() => checkSweepOptions({ ...base, emulate: { library: 'ignite', options: { num_iter: null } } })).toThrow(
      /needs num_iter/,
    );
    expect(() =>
      checkSweepOptions({ ...base, emulate: { library: 'fastai', options: { step_mode: 'linear' } } }),
    ).toThrow(/exponential/);
  });
});

describe('sessions stored before these fields', () => {
  it('a v1 state (no reports / skipped / emulation) still runs', () => {
    let s: SweepState = { losses: [2.3, 2.2], smoothed_losses: [2.3, 2.295], best: 2.295, stop_reason: null };
    expect(sweepNext(s, base)).toMatchObject({ iteration: 2 });
    s = sweepReport(s, base, { loss: 2.1 });
    expect(s.losses).toEqual([2.3, 2.2, 2.1]);
    expect(sweepNext(s, base)).toMatchObject({ iteration: 3 });
  });
});

describe('more skipped steps in a row than max_skipped_steps', () => {
  it("stop the service's pipeline as non_finite, without a point; a point in between resets the count", () => {
    const opts: SweepOptions = { ...base, max_skipped_steps: 2 };
    let s = sweepReport(newSweep(), opts, { loss: 2.3 });
    s = sweepReport(s, opts, { skipped: true });
    s = sweepReport(s, opts, { skipped: true });
    s = sweepReport(s, opts, { loss: 2.2 }); // the run of skips ends here
    s = sweepReport(s, opts, { skipped: true });
    s = sweepReport(s, opts, { skipped: true });
    expect(s.stop_reason).toBeNull();
    s = sweepReport(s, opts, { skipped: true }); // the third in a row
    expect(s.stop_reason).toBe('non_finite');
    expect(s.losses).toEqual([2.3, 2.2]);
    const r = sweepResult(s, opts);
    expect(r.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['skipped_steps', 'too_many_skipped_steps']));
    expect(r.warnings.map((w) => w.code)).not.toContain('non_finite');
    expect(() => checkSweepOptions({ ...base, max_skipped_steps: -1 })).toThrow(/max_skipped_steps/);
  });

  it('an emulating session has no cap (it records skipped steps, as the libraries do)', () => {
    const opts: SweepOptions = {
      ...base,
      max_skipped_steps: 1,
      emulate: { library: 'torch-lr-finder', options: { num_iter: 20 } },
    };
    let s = newSweep(opts);
    for (let i = 0; i < 5; i++) s = sweepReport(s, opts, { loss: 2.3 - i * 0.01, skipped: true });
    expect(s.stop_reason).toBeNull();
    expect(s.losses).toHaveLength(5);
  });
});

describe('appliedLrs: the whole plan in one pass', () => {
  it.each(LIBRARY_NAMES)('%s: the LR each point is trained at', (library) => {
    const o = resolveEmulation(library, { start_lr: 1e-6, end_lr: 3, num_iter: 300 });
    const n = emulationLimit(o) as number;
    const plan = appliedLrs(o, n);
    expect(plan).toHaveLength(n);
    let s = startEmulation(o);
    for (let i = 0; i < n; i++) {
      expect(plan[i]).toBe(emulationNext(s, o)!.lr);
      s = emulationStep(s, o, 1);
    }
  });
});
