/**
 * POST /v1/curve-analyses against the libraries themselves, through the API (JSON in, JSON out):
 * test/lrfinder/fixtures/libraries.json was written by libraries.py, which runs fastai's,
 * torch-lr-finder's, Lightning's (>= 2.5.3 and <= 2.5.2), keras_lr_finder's and ignite's own
 * algorithms on real torch tensors. Every pick must be the library's: same index, and the LR the
 * caller's own number (for `minimum` exactly lrs[i] / 10) — on recorded curves (every method,
 * each with its library's trimming and NaN / ±Infinity handling) and through `emulate` on raw
 * losses (the library's plan, smoothing, stop rule, how many points it records and why it stops).
 * Losses travel as JSON: numbers, "NaN", "Infinity", "-Infinity".
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryName, WireLoss } from '../../src/lrfinder/index.js';
import { appWithoutRedis } from '../helpers/app.js';

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
const F = JSON.parse(readFileSync(new URL('../lrfinder/fixtures/libraries.json', import.meta.url), 'utf8')) as {
  raw: Record<string, WireLoss[]>;
  emulations: Emu[];
  recorded: Rec[];
  random: Rand[];
};

type Json = Record<string, any>;
let t: Awaited<ReturnType<typeof appWithoutRedis>>;
beforeAll(async () => {
  t = await appWithoutRedis();
});
afterAll(async () => {
  await t.close();
});

async function analyse(body: unknown): Promise<Json> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/curve-analyses',
    payload: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  expect(res.statusCode, res.body).toBe(200);
  return JSON.parse(res.body) as Json; // JSON has no bare NaN / Infinity: this would throw on one
}

const num = (v: WireLoss): number =>
  v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);
const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));

/** The library's pick: same index; the lr the curve's own (exactly, or to 1e-12 against Python's float for emulated
 * plans). */
function expectPick(
  method: string,
  lrs: readonly number[],
  got: Json | undefined,
  want: number | null,
  exact: boolean,
) {
  expect(got, `${method} is answered`).toBeDefined();
  if (want === null) {
    expect(got!.index, `${method}: the library gives no pick`).toBeNull();
    expect(got!.lr).toBeNull();
    expect(got!.reason).toBeTruthy();
    return;
  }
  expect(got!.index, `${method} index`).toBe(want);
  const lr = method === 'minimum' ? lrs[want] / 10 : lrs[want];
  if (exact) expect(got!.lr, `${method} lr`).toBe(lr);
  else expect(rel(got!.lr, lr), `${method} lr ${got!.lr} vs ${lr}`).toBeLessThanOrEqual(1e-12);
}

/** The fixture's library options as the request's `emulate` (and keras's `sma`, an argument of get_best_lr). */
function emulateOf(e: Emu): { emulate: Json; sma?: number } {
  const o = e.options as Json;
  switch (e.library) {
    case 'fastai':
      return { emulate: { library: 'fastai', num_iter: o.num_iter, diverge_th: o.diverge_th } };
    case 'keras-lr-finder':
      return {
        emulate: {
          library: 'keras-lr-finder',
          start_lr: o.start_lr,
          end_lr: o.end_lr,
          num_iter: o.num_iter,
          steps_per_epoch: o.steps_per_epoch,
        },
        sma: o.sma,
      };
    default:
      return { emulate: { library: e.library, ...o } };
  }
}

const LIBRARY_METHODS = [
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

describe("a recorded curve: every library method, with its library's trimming and NaN / ±Infinity handling", () => {
  it('the fixtures hold NaN, +Infinity and -Infinity, and negative losses', () => {
    const all = [...F.recorded.flatMap((r) => r.losses), ...F.random.flatMap((r) => r.losses)];
    for (const s of ['NaN', 'Infinity', '-Infinity']) expect(all).toContain(s);
    expect(all.some((v) => typeof v === 'number' && v < 0)).toBe(true);
  });

  it.each(F.recorded.map((r) => [`${r.from}'s curve of ${r.case}`, r] as const))('%s', async (_n, r) => {
    const json = await analyse({ lrs: r.lrs, losses: r.losses, num_iter: r.num_it });
    expect(Object.keys(json.suggestions)).toHaveLength(10);
    for (const m of LIBRARY_METHODS) expectPick(m, r.lrs, json.suggestions[m], r.picks[m], true);
  });

  it.each(F.random.map((r, k) => [k, r] as const))('random curve %i (and keras_sma with sma = 5)', async (_k, r) => {
    const json = await analyse({ lrs: r.lrs, losses: r.losses, num_iter: r.num_it });
    for (const m of LIBRARY_METHODS) expectPick(m, r.lrs, json.suggestions[m], r.picks[m], true);
    const sma5 = await analyse({
      lrs: r.lrs,
      losses: r.losses,
      num_iter: r.num_it,
      sma: 5,
      methods: ['keras_sma'],
      suggestion: 'keras_sma',
    });
    expectPick('keras_sma', r.lrs, sma5.suggestions.keras_sma, r.picks.keras_sma_5, true);
    expect(sma5.suggestion).toMatchObject({ method: 'keras_sma', index: r.picks.keras_sma_5 });
  });
});

describe("emulate on raw losses: the library's whole pipeline", () => {
  it.each(F.emulations.map((e) => [`${e.library} ${e.run} on ${e.case}`, e] as const))('%s', async (_n, e) => {
    const { emulate, sma } = emulateOf(e);
    const json = await analyse({ losses: F.raw[e.case], emulate, ...(sma !== undefined ? { sma } : {}) });
    const em = json.emulation;
    expect(em.library).toBe(e.library);
    expect(em.iterations).toBe(e.iterations);
    expect(em.stop_reason).toBe(e.stop_reason);
    const lrs = e.lrs.map(num);
    expect(em.lrs).toHaveLength(lrs.length);
    em.lrs.forEach((lr: number, i: number) => expect(rel(lr, lrs[i]), `lrs[${i}]`).toBeLessThanOrEqual(1e-12));
    e.losses.forEach((v, i) => {
      if (typeof v === 'number') expect(rel(em.losses[i], v), `losses[${i}]`).toBeLessThanOrEqual(1e-12);
      else expect(em.losses[i], `losses[${i}]`).toBe(v); // "NaN" / "Infinity" / "-Infinity" as the library recorded them
    });
    for (const [m, want] of Object.entries(e.picks)) expectPick(m, lrs, json.suggestions[m], want, false);
    // the library's default method picks suggested_lr
    const first = Object.keys(e.picks)[0];
    expect(json.suggestion.method).toBe(e.library === 'keras-lr-finder' ? 'keras_sma' : first);
  });

  it.each(F.random.map((r, k) => [k, r] as const))(
    'random curve %i through each library with its defaults',
    async (_k, r) => {
      for (const [lib, want] of Object.entries(r.emulations)) {
        const json = await analyse({ losses: r.losses, emulate: lib });
        expect(json.emulation.iterations, lib).toBe(want.iterations);
        expect(json.emulation.stop_reason, lib).toBe(want.stop_reason);
        for (const [m, idx] of Object.entries(want.picks))
          expectPick(m, json.emulation.lrs, json.suggestions[m], idx, true);
      }
    },
  );
});
