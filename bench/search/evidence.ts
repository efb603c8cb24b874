/**
 * The measurements behind the LR search's design, on the preset suite's cached grids (run
 * suggestion-quality first; anything missing is trained). bench/README.md quotes them.
 *
 *   node dist/bench/search/evidence.js rungs     — is the best LR after a fraction of the steps the best at the
 * horizon?
 *   node dist/bench/search/evidence.js noise     — seed noise vs LR jitter vs the metric's tail fluctuation
 *   node dist/bench/search/evidence.js ceiling   — 3–4 LRs around the grid's best, off the grid: how often within
 * 1.10×?
 *   node dist/bench/search/evidence.js horizon   — offset of the grid's best LR from the range-test picks vs
 * train_steps
 *   [--only=spirals,moons]
 */
import { analyzeRangeTest } from '../../src/lrfinder/analyze.js';
import { V1_METHOD_NAMES } from '../../src/lrfinder/suggest/index.js';
import { detrendedVariance } from '../../src/lrfinder/search/confidence.js';
import { GRID_INDICES, latticeLr } from '../../src/lrfinder/search/lattice.js';
import { args, isMain } from '../common.js';
import { FRESH_SEED_OFFSET, seedEnv, type SeedEnv } from './env.js';
import { presetSetups, type BenchSetup } from './setups.js';

const SEEDS = [0, 1, 2, 3, 4];
const rms = (xs: number[]): number => (xs.length ? Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / xs.length) : NaN);
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

/** z = ln(metric + 0.002·L0) of `lr` after `steps` steps; NaN when it diverged */
function z(env: SeedEnv, lr: number, steps: number): number {
  const m = env.cache.run(lr, steps).metric;
  return m === null ? NaN : Math.log(m + 0.002 * env.cache.initialMetric());
}
const gridZ = (env: SeedEnv, steps: number): number[] => GRID_INDICES.map((k) => z(env, latticeLr(k), steps));
const argmin = (zs: number[]): number =>
  zs.reduce((b, v, i) => (!Number.isNaN(v) && (Number.isNaN(zs[b]) || v < zs[b]) ? i : b), 0);
/** constant-schedule presets at train_steps 1000 (the 300-step horizon is a prefix of those runs) */
const bases = (only?: string[]): BenchSetup[] =>
  presetSetups().filter((s) => s.train_steps === 1000 && (!only || only.some((o) => s.name.includes(o))));

function rungs(only?: string[]): void {
  for (const frac of [1 / 16, 1 / 8, 1 / 4, 1 / 2]) {
    const offsets: Record<number, number> = {};
    let top3 = 0,
      top5 = 0,
      n = 0;
    for (const s of bases(only))
      for (const seed of SEEDS)
        for (const K of [300, 1000]) {
          const env = seedEnv(s, seed);
          const g = s.name.startsWith('mnist') ? 50 : 10;
          const zK = gridZ(env, K);
          const zr = gridZ(env, Math.max(g, Math.round((frac * K) / g) * g));
          const order = zr
            .map((v, i) => [Number.isNaN(v) ? Infinity : v, i])
            .sort((a, b) => a[0] - b[0])
            .map((p) => p[1]);
          const bK = argmin(zK);
          offsets[bK - order[0]] = (offsets[bK - order[0]] ?? 0) + 1;
          if (order.slice(0, 3).includes(bK)) top3++;
          if (order.slice(0, 5).includes(bK)) top5++;
          n++;
        }
    const hist = Object.entries(offsets)
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([o, c]) => `${Number(o) > 0 ? '+' : ''}${o}: ${c}`)
      .join(', ');
    console.log(
      `after ${frac} of the steps: best at the horizon minus best then (half decades) {${hist}}; within the top 3: ${top3}/${n}, top 5: ${top5}/${n}`,
    );
  }
}

function noise(only?: string[]): void {
  console.log("RMS over the grid's best LR and its two neighbours, in z = ln(metric + 0.002·L0):");
  for (const s of bases(only))
    for (const K of [300, 1000]) {
      const paired: number[] = [],
        jitter: number[] = [],
        tail: number[] = [];
      for (const seed of SEEDS) {
        const own = seedEnv(s, seed),
          fresh = seedEnv(s, seed, seed + FRESH_SEED_OFFSET);
        const zo = gridZ(own, K),
          zf = gridZ(fresh, K);
        const b = argmin(zo);
        for (const i of [b - 1, b + 1]) {
          // the part of the seed-to-seed change that differs between neighbouring LRs
          if (i >= 0 && i < 13 && [zo[i], zf[i], zf[b]].every((v) => !Number.isNaN(v)))
            paired.push((zf[i] - zf[b] - (zo[i] - zo[b])) / Math.SQRT2);
        }
        for (const i of [b - 1, b, b + 1]) {
          if (i < 0 || i >= 13 || Number.isNaN(zo[i])) continue;
          const k = GRID_INDICES[i];
          const zj = z(own, latticeLr(k + 1), K); // the LR 10% higher
          if (!Number.isNaN(zj)) jitter.push(zj - zo[i]);
          const g = s.name.startsWith('mnist') ? 50 : 10;
          const steps: number[] = [];
          for (let st = K - Math.max(g, Math.round((0.1 * K) / g) * g); st <= K; st += g) steps.push(st);
          const ys = steps.map((st) => z(own, latticeLr(k), st));
          const v = ys.some(Number.isNaN) ? null : detrendedVariance(steps, ys);
          if (v !== null) tail.push(Math.sqrt(v));
        }
        own.cache.save();
      }
      console.log(
        `${s.name.replace('/K1000', '')} K${K}: seed (paired) ${f3(rms(paired))}  LR +10% ${f3(rms(jitter))}  tail (last 10%) ${f3(rms(tail))}`,
      );
    }
}

function ceiling(only?: string[]): void {
  const sets: Record<string, (b: number) => number[]> = {
    '2 LRs a quarter decade either side': (b) => [b - 6, b + 6],
    '3 LRs, half a decade apart, off the grid': (b) => [b - 18, b - 6, b + 6],
    '4 LRs, half a decade apart, off the grid': (b) => [b - 18, b - 6, b + 6, b + 18],
  };
  const hits: Record<string, number> = {};
  let n = 0;
  for (const s of presetSetups().filter((x) => !only || only.some((o) => x.name.includes(o))))
    for (const seed of SEEDS) {
      const env = seedEnv(s, seed);
      const K = s.train_steps;
      const zs = gridZ(env, K);
      const b = GRID_INDICES[argmin(zs)];
      for (const [name, f] of Object.entries(sets)) {
        const best = Math.min(
          ...f(b).map((k) => {
            const v = z(env, latticeLr(k), K);
            return Number.isNaN(v) ? Infinity : v;
          }),
        );
        if (best - zs[argmin(zs)] <= Math.log(1.1)) hits[name] = (hits[name] ?? 0) + 1;
      }
      n++;
      env.cache.save();
    }
  for (const name of Object.keys(sets))
    console.log(
      `${name} around the grid's best: the best of them within 1.10× of the grid's best in ${hits[name] ?? 0}/${n}`,
    );
}

function horizon(only?: string[]): void {
  const offs: Record<string, [number, number][]> = {};
  for (const s of bases(only))
    for (const seed of SEEDS) {
      const env = seedEnv(s, seed);
      const an = analyzeRangeTest(env.rangeTest(), { num_iter: 100, methods: V1_METHOD_NAMES });
      for (const K of [100, 300, 1000]) {
        const best = GRID_INDICES[argmin(gridZ(env, K))] / 24;
        for (const [m, sg] of Object.entries(an.suggestions))
          if (sg?.lr) (offs[m] ??= []).push([Math.log10(K / 300), best - Math.log10(sg.lr)]);
      }
    }
  console.log(
    'log10(grid best / pick) = offset + slope · log10(train_steps / 300), least squares over train_steps 100, 300, 1000:',
  );
  for (const [m, pts] of Object.entries(offs)) {
    const n = pts.length,
      mx = pts.reduce((a, p) => a + p[0], 0) / n,
      my = pts.reduce((a, p) => a + p[1], 0) / n;
    const slope =
      pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0) / pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
    const resid = pts.map((p) => p[1] - (my - slope * mx) - slope * p[0]);
    console.log(
      `${m.padEnd(18)} offset ${(my - slope * mx).toFixed(2)}  slope ${slope.toFixed(2)}  residual sd ${rms(resid).toFixed(2)}  median offset ${median(pts.map((p) => p[1])).toFixed(2)}`,
    );
  }
}

function main(): void {
  const a = args();
  const only = a.get('only')?.split(',');
  const what = process.argv.slice(2).find((x) => !x.startsWith('--')) ?? 'rungs';
  (({ rungs, noise, ceiling, horizon }) as Record<string, (o?: string[]) => void>)[what]?.(only);
}

if (isMain(import.meta.url)) main();
