/**
 * Every library method and every `emulate` mode against the libraries' own algorithms:
 * test/lrfinder/fixtures/libraries.py mirrors fastai, torch-lr-finder, Lightning (>= 2.5.3 and
 * <= 2.5.2), keras_lr_finder and ignite line by line on real torch tensors (python3-torch 1.13,
 * numpy 1.24) and wrote libraries.json: 20 raw loss curves (noisy, scaled, negative, flat, short,
 * NaN in the middle / first / tail, +Inf, -Inf, spikes, float64 values) × each library under
 * several options, with what the library recorded, how many points, why it stopped, and the index
 * of every pick; and every method on every recorded curve.
 * Indices must be equal; LRs equal to 1e-12 relative (the caller's own number; fastai's minimum /10).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeLoss,
  emulate,
  emulationNext,
  emulationResult,
  emulationStep,
  resolveEmulation,
  startEmulation,
  suggest,
  type EmulationOptions,
  type LibraryName,
  type LossValue,
  type MethodName,
  type WireLoss,
} from '../../src/lrfinder/index.js';

interface Emu {
  case: string;
  library: LibraryName;
  run: string;
  options: Record<string, unknown>;
  lrs: WireLoss[];
  losses: WireLoss[];
  iterations: number;
  stop_reason: string;
  picks: Record<string, number | null>;
}
interface Rec {
  case: string;
  from: LibraryName;
  lrs: number[];
  losses: WireLoss[];
  num_it: number;
  picks: Record<string, number | null>;
}
interface Rand {
  lrs: number[];
  losses: WireLoss[];
  num_it: number;
  picks: Record<string, number | null>;
  emulations: Record<LibraryName, { iterations: number; stop_reason: string; picks: Record<string, number | null> }>;
}
const F = JSON.parse(readFileSync(new URL('./fixtures/libraries.json', import.meta.url), 'utf8')) as {
  raw: Record<string, WireLoss[]>;
  emulations: Emu[];
  recorded: Rec[];
  random: Rand[];
};

const dec = (xs: readonly WireLoss[]): LossValue[] => xs.map(decodeLoss);
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

function optionsOf(e: Emu): { opts: EmulationOptions; sma?: number } {
  const o = e.options as Record<string, any>;
  switch (e.library) {
    case 'fastai':
      return { opts: { num_iter: o.num_iter, diverge_th: o.diverge_th } };
    case 'keras-lr-finder':
      return {
        opts: { start_lr: o.start_lr, end_lr: o.end_lr, num_iter: o.num_iter, steps_per_epoch: o.steps_per_epoch },
        sma: o.sma,
      };
    default:
      return { opts: { ...o } as EmulationOptions };
  }
}

function expectPick(
  method: string,
  lrs: readonly number[],
  got: { lr: number | null; index: number | null; reason?: string },
  want: number | null,
) {
  if (want === null) {
    expect(got.index, `${method}: the library gives no pick`).toBeNull();
    expect(got.reason).toBeTruthy();
    return;
  }
  expect(got.index, `${method} index`).toBe(want);
  const lr = method === 'minimum' ? lrs[want] / 10 : lrs[want];
  expect(rel(got.lr as number, lr), `${method} lr`).toBeLessThanOrEqual(1e-12);
}

describe("emulate: each library's whole pipeline on raw losses", () => {
  it('the fixture covers every library, stop reason and non-finite kind', () => {
    expect(new Set(F.emulations.map((e) => e.library)).size).toBe(5);
    expect(new Set(F.emulations.map((e) => e.stop_reason))).toEqual(
      new Set(['completed', 'diverged', 'exhausted', 'non_finite']),
    );
    expect(F.emulations.length).toBeGreaterThan(300);
  });

  it.each(F.emulations.map((e) => [`${e.library} ${e.run} on ${e.case}`, e] as const))('%s', (_n, e) => {
    const { opts, sma } = optionsOf(e);
    const r = emulate(e.library, dec(F.raw[e.case]), opts, { sma });
    expect(r.iterations).toBe(e.iterations);
    expect(r.stop_reason).toBe(e.stop_reason);
    const wantLrs = dec(e.lrs) as number[];
    r.lrs.forEach((lr, i) => expect(rel(lr, wantLrs[i]), `lrs[${i}]`).toBeLessThanOrEqual(1e-12));
    const wantLosses = dec(e.losses) as number[];
    r.losses.forEach((v, i) => {
      if (Number.isNaN(wantLosses[i]) || !Number.isFinite(wantLosses[i]))
        expect(Object.is(v, wantLosses[i]), `losses[${i}]`).toBe(true);
      else expect(rel(v, wantLosses[i]), `losses[${i}] ${v} vs ${wantLosses[i]}`).toBeLessThanOrEqual(1e-12);
    });
    for (const [m, want] of Object.entries(e.picks)) expectPick(m, r.lrs, r.suggestions[m as MethodName] as any, want);
  });
});

describe("suggest on a recorded curve: every library method, the library's default trimming and float behaviour", () => {
  const methods: MethodName[] = [
    'valley',
    'slide',
    'minimum',
    'steep',
    'steepest',
    'lightning',
    'lightning_legacy',
    'keras_sma',
    'ignite',
  ];
  it.each(F.recorded.map((r) => [`${r.from}'s curve of ${r.case}`, r] as const))('%s', (_n, r) => {
    const curve = { lrs: r.lrs.map(Number), losses: dec(r.losses) };
    for (const m of methods)
      expectPick(m, curve.lrs, suggest(m, curve, { num_it: r.num_it, non_finite: 'library' }), r.picks[m]);
  });
});

describe('150 random curves (geometric and linear LRs, loss scales, quantised losses with ties, NaN / ±inf)', () => {
  it.each(F.random.map((r, k) => [k, r] as const))('curve %i', (_k, r) => {
    const losses = dec(r.losses);
    const curve = { lrs: r.lrs, losses };
    for (const [m, want] of Object.entries(r.picks)) {
      const method = (m === 'keras_sma_5' ? 'keras_sma' : m) as MethodName;
      expectPick(
        method,
        r.lrs,
        suggest(method, curve, { num_it: r.num_it, non_finite: 'library', sma: m === 'keras_sma_5' ? 5 : 1 }),
        want,
      );
    }
    for (const [lib, e] of Object.entries(r.emulations) as [LibraryName, Rand['emulations'][LibraryName]][]) {
      const em = emulate(lib, losses);
      expect(em.iterations, lib).toBe(e.iterations);
      expect(em.stop_reason, lib).toBe(e.stop_reason);
      for (const [m, want] of Object.entries(e.picks))
        expectPick(m, em.lrs, em.suggestions[m as MethodName] as any, want);
    }
  });
});

describe('the incremental emulation is the batch emulation, bit for bit', () => {
  const sample = F.emulations.filter((_, k) => k % 7 === 0);
  it.each(sample.map((e) => [`${e.library} ${e.run} on ${e.case}`, e] as const))('%s', (_n, e) => {
    const { opts, sma } = optionsOf(e);
    const raw = dec(F.raw[e.case]);
    const batch = emulate(e.library, raw, opts, { sma });
    const o = { ...resolveEmulation(e.library, opts), data_length: raw.length };
    let s = startEmulation(o);
    for (let i = 0; emulationNext(s, o) !== null && i < raw.length; i++) {
      s = emulationStep(JSON.parse(JSON.stringify(s)), o, raw[i]); // the state survives JSON (Redis) exactly
    }
    const inc = emulationResult(s, o, { sma });
    expect(inc.iterations).toBe(batch.iterations);
    expect(inc.stop_reason).toBe(batch.stop_reason);
    inc.lrs.forEach((v, i) => expect(Object.is(v, batch.lrs[i])).toBe(true));
    inc.losses.forEach((v, i) => expect(Object.is(v, batch.losses[i])).toBe(true));
    expect(inc.suggestions).toEqual(batch.suggestions);
  });
});
