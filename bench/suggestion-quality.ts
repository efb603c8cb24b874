/**
 * Suggestion quality: how good is each range-test method's pick, and the LR search's, at the
 * horizon the user trains for?
 *
 * For every setup × seed: the 13-point log grid 1e-5 … 10 (half decades) is trained to the horizon
 * with the search's training seed and with a fresh one (seed + 1000: other initial weights and
 * batch order, same data — the user's own run). Regret of a pick = (L_pick + 0.002·L0) /
 * (L_gridbest + 0.002·L0) on the same training seed, L0 the metric at the initial weights; a pick
 * that diverges has infinite regret. Range-test picks are rounded to the search's LR lattice
 * (24 points per decade, ≤ 5% off). Trained curves are cached on disk (bench/results/search-cache/),
 * so re-running only trains what changed.
 *
 *   node dist/bench/suggestion-quality.js [--suite=presets|heldout|all] [--only=spirals,mnist]
 *        [--seeds=0,1,2,3,4] [--K=300,1000] [--no-fresh] [--json=bench/results/suggestion-quality-presets.json]
 */
import { writeFileSync } from 'node:fs';
import { analyzeRangeTest } from '../src/lrfinder/analyze.js';
import { V1_METHOD_NAMES } from '../src/lrfinder/suggest/index.js';
import { GRID_INDICES, latticeIndex, latticeLr } from '../src/lrfinder/search/lattice.js';
import type { SearchResult } from '../src/lrfinder/search/types.js';
import type { SearchInput } from '../src/lrfinder/search/engine.js';
import { RESTART_PLAN, RESUMABLE_PLAN } from '../src/lrfinder/search/plan.js';
import { args, environment, isMain, table } from './common.js';
import { FRESH_SEED_OFFSET, seedEnv, type SeedEnv } from './search/env.js';
import { runSearch } from './search/run-search.js';
import { allSetups, heldoutSetups, presetSetups, type BenchSetup } from './search/setups.js';

export interface RunRow {
  setup: string;
  suite: string;
  seed: number;
  train_steps: number;
  /** regret per method (and 'search'), own seed and fresh seed; null = no pick */
  own: Record<string, number | null>;
  fresh: Record<string, number | null>;
  picks: Record<string, number | null>;
  /** the grid's best LR per training seed */
  grid_best: Record<string, number>;
  search: {
    lr: number | null;
    cost: number;
    level: string;
    p: number;
    noise: number;
    interval: [number, number] | null;
    warnings: string[];
    finals: [number, number][];
    initial: number | null;
    tails: [number, [number, number | null][]][];
  };
}

/**
 * Horizon-aware rules: a range-test pick moved by the median offset of the grid's best LR from it,
 * which falls as training lengthens. Fitted on the preset suite (`node dist/bench/search/evidence.js horizon` in
 * bench/search/evidence.ts, a
 * least squares over train_steps 100, 300, 1000; see bench/README.md): log10(best / pick) ≈
 * offset − 0.66·log10(train_steps / 300).
 */
export const HORIZON_RULES: Record<string, { method: 'valley' | 'minimum'; offset: number; slope: number }> = {
  valley_h: { method: 'valley', offset: 0.78, slope: -0.66 },
  minimum_h: { method: 'minimum', offset: -0.16, slope: -0.66 },
};

/** the range test's six service methods (fastai's four, torch-lr-finder's steepest, ours) */
const RANGE_METHODS = V1_METHOD_NAMES;

const METHODS: string[] = [
  ...RANGE_METHODS,
  ...Object.keys(HORIZON_RULES),
  'search',
  ...(process.env.SQ_VARIANTS ? ['safe'] : []),
];

/** metric of `lr` at the horizon, null when it diverged */
function metricAt(env: SeedEnv, lr: number): number | null {
  return env.cache.run(lr, env.setup.train_steps).metric;
}

function gridBest(env: SeedEnv): { metric: number; lr: number } {
  let best = { metric: Infinity, lr: NaN };
  for (const k of GRID_INDICES) {
    const m = metricAt(env, latticeLr(k));
    if (m !== null && m < best.metric) best = { metric: m, lr: latticeLr(k) };
  }
  return best;
}

function regret(env: SeedEnv, lr: number | null, best: number, floor: number): number | null {
  if (lr === null) return null;
  const m = metricAt(env, lr);
  return m === null ? Infinity : (m + floor) / (best + floor);
}

export function evaluate(setup: BenchSetup, seed: number, fresh: boolean, input: Partial<SearchInput> = {}): RunRow {
  const own = seedEnv(setup, seed, seed);
  const envs: [string, SeedEnv][] = [['own', own]];
  if (fresh) envs.push(['fresh', seedEnv(setup, seed, seed + FRESH_SEED_OFFSET)]);
  const rt = own.rangeTest();
  const analysis = analyzeRangeTest(rt, { num_iter: 100, methods: RANGE_METHODS });
  const picks: Record<string, number | null> = {};
  for (const m of RANGE_METHODS) {
    const lr = analysis.suggestions[m]?.lr ?? null;
    picks[m] = lr === null || !(lr > 0) ? null : latticeLr(latticeIndex(lr));
  }
  for (const [name, rule] of Object.entries(HORIZON_RULES)) {
    const base = analysis.suggestions[rule.method]?.lr ?? null;
    picks[name] =
      base === null || !(base > 0)
        ? null
        : latticeLr(latticeIndex(base * 10 ** (rule.offset + rule.slope * Math.log10(setup.train_steps / 300))));
  }
  const { result, state } = runSearch(own, input);
  picks.search = result.recommended_lr;
  if (process.env.SQ_VARIANTS) {
    const finals = result.candidates.filter((c) => c.at_horizon && c.metric !== null);
    const near = result.warnings.some((w) => w.code === 'divergence_near');
    const lower = finals.filter((c) => c.lr < (result.recommended_lr ?? 0)).sort((a, b) => a.metric! - b.metric!)[0];
    picks.safe = near && lower ? lower.lr : result.recommended_lr;
  }
  const row: RunRow = {
    setup: setup.name,
    suite: setup.suite,
    seed,
    train_steps: setup.train_steps,
    own: {},
    fresh: {},
    picks,
    grid_best: {},
    search: {
      ...summary(result),
      tails: state.candidates
        .filter((c) => c.steps === setup.train_steps && !c.diverged)
        .map((c) => [c.lr, c.metrics.filter((m) => m.steps >= 0.9 * c.steps).map((m) => [m.steps, m.metric])]),
    },
  };
  for (const [which, env] of envs) {
    const floor = 0.002 * env.cache.initialMetric();
    const best = gridBest(env);
    row.grid_best[which] = best.lr;
    for (const m of METHODS) row[which as 'own' | 'fresh'][m] = regret(env, picks[m], best.metric, floor);
    env.cache.save();
  }
  return row;
}

function summary(r: SearchResult): Omit<RunRow['search'], 'tails'> {
  return {
    lr: r.recommended_lr,
    cost: r.cost.steps,
    level: r.confidence.level,
    p: r.confidence.p_within_tolerance,
    noise: r.confidence.noise,
    interval: r.interval ? [r.interval.low, r.interval.high] : null,
    warnings: r.warnings.map((w) => w.code),
    finals: r.candidates.filter((c) => c.at_horizon && c.metric !== null).map((c) => [c.lr, c.metric!]),
    initial: r.initial_metric,
  };
}

const pct = (n: number, d: number): string => (d ? `${Math.round((100 * n) / d)}%` : '–');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};

/** One row per method: share within 1.10× / 1.5×, median regret, divergences, no pick. */
export function methodTable(rows: RunRow[], which: 'own' | 'fresh'): string {
  const out = METHODS.map((m) => {
    const rs = rows.map((r) => r[which][m]).filter((x): x is number => x !== null && x !== undefined);
    const none = rows.length - rs.length;
    const div = rs.filter((x) => !Number.isFinite(x)).length;
    return [
      m,
      `${rs.filter((x) => x <= 1.1).length}/${rows.length} (${pct(rs.filter((x) => x <= 1.1).length, rows.length)})`,
      `${rs.filter((x) => x <= 1.5).length}/${rows.length}`,
      median(rs.map((x) => (Number.isFinite(x) ? x : 1e9))).toFixed(3),
      div,
      none,
    ];
  });
  return table(['method', 'within 1.10×', 'within 1.5×', 'median regret', 'diverged', 'no pick'], out);
}

export function searchTable(rows: RunRow[], fresh: boolean): string {
  const levels = ['high', 'medium', 'low'];
  const out = levels.map((lv) => {
    const rs = rows.filter((r) => r.search.level === lv);
    const own = rs.filter((r) => (r.own.search ?? Infinity) <= 1.1).length;
    const fr = rs.filter((r) => (r.fresh.search ?? Infinity) <= 1.1).length;
    const meanP = rs.length ? rs.reduce((a, r) => a + r.search.p, 0) / rs.length : NaN;
    return [
      lv,
      rs.length,
      pct(own, rs.length),
      fresh ? pct(fr, rs.length) : '–',
      Number.isFinite(meanP) ? meanP.toFixed(2) : '–',
    ];
  });
  return table(
    ['confidence', 'runs', 'own seed within 1.10×', 'fresh seed within 1.10×', 'mean p_within_tolerance'],
    out,
  );
}

export function costLine(rows: RunRow[]): string {
  const ratios = rows.map((r) => r.search.cost / r.train_steps);
  return `search cost: median ${median(ratios).toFixed(2)} × train_steps, max ${Math.max(...ratios).toFixed(2)} × (grid: 13 ×)`;
}

function main(): void {
  const a = args();
  const suite = a.get('suite') ?? 'presets';
  const only = a.get('only')?.split(',');
  const seeds = (a.get('seeds') ?? (suite === 'presets' ? '0,1,2,3,4' : '0,1,2')).split(',').map(Number);
  const Ks = a.get('K')?.split(',').map(Number);
  const fresh = !a.has('no-fresh');
  const setups = (suite === 'presets' ? presetSetups() : suite === 'heldout' ? heldoutSetups() : allSetups())
    .filter((s) => !only || only.some((o) => s.name.includes(o)))
    .filter((s) => !Ks || Ks.includes(s.train_steps));
  const input: Partial<SearchInput> = {};
  if (a.has('plan'))
    input.plan = { ...(a.has('restart') ? RESTART_PLAN : RESUMABLE_PLAN), ...JSON.parse(a.get('plan')!) };
  if (a.has('restart')) input.resumable = false;
  if (a.has('num-iter')) input.range_test = { num_iter: Number(a.get('num-iter')) };
  const rows: RunRow[] = [];
  const t0 = performance.now();
  for (const s of setups) {
    for (const seed of seeds) {
      const r = evaluate(s, seed, fresh, input);
      rows.push(r);
      const fmt = (x: number | null | undefined) =>
        x === null || x === undefined ? '–' : Number.isFinite(x) ? x.toFixed(2) : 'div';
      console.error(
        `${s.name} seed ${seed}: search lr ${r.search.lr?.toPrecision(3)} own ${fmt(r.own.search)} fresh ${fmt(r.fresh.search)} ${r.search.level} p=${r.search.p.toFixed(2)} cost ${(r.search.cost / s.train_steps).toFixed(2)}K [${r.search.warnings.join(',')}]`,
      );
    }
  }
  console.log(environment());
  console.log(
    `suite ${suite}: ${setups.length} setups × ${seeds.length} seeds = ${rows.length} runs (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
  );
  console.log("Own seed (the search's training seed):\n" + methodTable(rows, 'own') + '\n');
  if (fresh) console.log('Fresh seed (other initial weights and batch order):\n' + methodTable(rows, 'fresh') + '\n');
  console.log('Confidence of the search:\n' + searchTable(rows, fresh) + '\n');
  console.log(costLine(rows));
  const json = a.get('json');
  if (json) writeFileSync(json, JSON.stringify({ suite, seeds, rows }, null, 1));
}

if (isMain(import.meta.url)) main();
