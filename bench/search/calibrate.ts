/**
 * Fits the LR search's confidence (src/lrfinder/search/confidence.ts) to the benchmark: a logistic
 * model of "the recommended LR is within (1 + tolerance) of the grid's best on a FRESH seed",
 * logit p = a + b·ln(tail noise) + c·ln(tolerance), on the rows of suggestion-quality runs
 * (--json files), every row counted once per tolerance in TOLERANCES. Prints the coefficients and
 * the calibration table (predicted vs realised) per suite.
 *
 *   node dist/bench/search/calibrate.js bench/results/suggestion-quality-presets.json [more.json ...]
 */
import { readFileSync } from 'node:fs';
import { confidenceP, NOISE_FLOOR } from '../../src/lrfinder/search/confidence.js';
import { isMain, table } from '../common.js';
import type { RunRow } from '../suggestion-quality.js';

export const TOLERANCES = [0.05, 0.1, 0.2, 0.5];

interface Sample {
  x: number[];
  y: number;
  suite: string;
  tol: number;
}

function samples(rows: RunRow[]): Sample[] {
  const out: Sample[] = [];
  for (const r of rows) {
    const fresh = r.fresh.search;
    if (r.search.lr === null || fresh === null || fresh === undefined) continue;
    for (const tol of TOLERANCES) {
      out.push({
        x: [1, Math.log(Math.max(r.search.noise, NOISE_FLOOR)), Math.log(tol)],
        y: fresh <= 1 + tol ? 1 : 0,
        suite: r.suite,
        tol,
      });
    }
  }
  return out;
}

/** Logistic regression by Newton's method with a small ridge on the slopes. */
export function fitLogistic(data: Sample[], ridge = 1e-3): number[] {
  const d = data[0].x.length;
  let w = new Array<number>(d).fill(0);
  for (let it = 0; it < 50; it++) {
    const g = new Array<number>(d).fill(0);
    const H = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const s of data) {
      const p = 1 / (1 + Math.exp(-s.x.reduce((a, xi, i) => a + xi * w[i], 0)));
      for (let i = 0; i < d; i++) {
        g[i] += (p - s.y) * s.x[i];
        for (let j = 0; j < d; j++) H[i][j] += p * (1 - p) * s.x[i] * s.x[j];
      }
    }
    for (let i = 1; i < d; i++) {
      g[i] += ridge * w[i];
      H[i][i] += ridge;
    }
    w = w.map((wi, i) => wi - solve(H, g)[i]);
  }
  return w;
}

function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[piv][c])) piv = r;
    [M[c], M[piv]] = [M[piv], M[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  return M.map((r, i) => r[n] / r[i]);
}

/** predicted vs realised in bins of p, for the model in confidence.ts */
export function calibrationTable(rows: RunRow[], tol = 0.1): string {
  const bins: [number, number][] = [
    [0, 0.5],
    [0.5, 0.65],
    [0.65, 0.8],
    [0.8, 0.9],
    [0.9, 1.01],
  ];
  const out = bins.map(([lo, hi]) => {
    const rs = rows
      .filter((r) => r.search.lr !== null && r.fresh.search !== null && r.fresh.search !== undefined)
      .map((r) => ({ p: confidenceP(r.search.noise, tol), ok: (r.fresh.search as number) <= 1 + tol }))
      .filter((x) => x.p >= lo && x.p < hi);
    const mean = rs.length ? rs.reduce((a, x) => a + x.p, 0) / rs.length : NaN;
    const real = rs.length ? rs.filter((x) => x.ok).length / rs.length : NaN;
    return [
      `[${lo}, ${Math.min(hi, 1)})`,
      rs.length,
      Number.isFinite(mean) ? mean.toFixed(2) : '–',
      Number.isFinite(real) ? real.toFixed(2) : '–',
    ];
  });
  return table(['p_within_tolerance', 'runs', 'mean p', 'fresh seed within'], out);
}

function main(): void {
  const files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const rows = files.flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { rows: RunRow[] }).rows);
  const fitOn = rows.filter((r) => r.suite === 'presets');
  const w = fitLogistic(samples(fitOn));
  console.log(
    `fit on ${fitOn.length} preset runs × ${TOLERANCES.length} tolerances: a = ${w[0].toFixed(3)}, b (ln noise) = ${w[1].toFixed(3)}, c (ln tolerance) = ${w[2].toFixed(3)}`,
  );
  for (const suite of ['presets', 'heldout']) {
    const rs = rows.filter((r) => r.suite === suite);
    if (!rs.length) continue;
    for (const tol of [0.1, 0.5])
      console.log(`\n${suite}, tolerance ${tol} (the model in confidence.ts):\n${calibrationTable(rs, tol)}`);
  }
}

if (isMain(import.meta.url)) main();
