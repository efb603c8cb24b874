/**
 * GEMM throughput, scalar backend vs SIMD backend, in the three orientations an MLP layer
 * uses (W stored out×in as torch):
 *   forward  z = x·Wᵀ      gemm(false, true,  B,   out, in)
 *   dW       = dzᵀ·x       gemm(true,  false, out, in,  B)
 *   dx       = dz·W        gemm(false, false, B,   in,  out)
 * for the layer shapes 128×784·784×256 (B=128, in=784, out=256) and 256×512·512×512.
 * FLOPs = 2·m·n·k. SIMD figures are also given as a share of the peak probe (bench/peak.ts)
 * and of the reference anchor (68.6 GFLOP/s). The machine may be shared, so each GEMM run is
 * interleaved with a peak-probe run and the ratio is taken between the best runs of each
 * ("best of N, interleaved": outside load only ever slows a run down). The `paired` column is
 * the median over runs of (GEMM run / the faster of the two probe runs around it): it is not
 * fooled when the machine's speed shifts between the best probe run and the best GEMM run (the
 * probe's own speed was seen to drop from 59 to 43 GFLOP/s for seconds at a time, which makes
 * best/best jump, e.g. to 101%).
 *
 *   node dist/bench/gemm.js [--runs=9] [--no-scalar] [--only=512|784]
 */
import { createScalarBackend } from '../src/core/kernels/scalar.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import type { Backend } from '../src/core/types.js';
import { args, environment, fmt, isMain, rate, table } from './common.js';
import { peakProbe, REFERENCE_CEILING_GFLOPS } from './peak.js';
import { cpus, loadavg } from 'node:os';

interface Case {
  label: string;
  tA: boolean;
  tB: boolean;
  m: number;
  n: number;
  k: number;
}

function layerCases(B: number, inDim: number, out: number): Case[] {
  const s = `${B}x${inDim}->${out}`;
  return [
    { label: `${s} forward x·Wᵀ (N,T)`, tA: false, tB: true, m: B, n: out, k: inDim },
    { label: `${s} dW = dzᵀ·x (T,N)`, tA: true, tB: false, m: out, n: inDim, k: B },
    { label: `${s} dx = dz·W (N,N)`, tA: false, tB: false, m: B, n: inDim, k: out },
  ];
}

export const CASES: Case[] = [...layerCases(128, 784, 256), ...layerCases(256, 512, 512)];

const median = (v: number[]): number => v.slice().sort((x, y) => x - y)[Math.floor(v.length / 2)];

/** One timed run of a GEMM case per call (GFLOP/s). */
function gemmRunner(be: Backend, c: Case): (o: { warmupMs: number; runMs: number; minCalls?: number }) => number {
  const a = be.alloc(c.m * c.k),
    b = be.alloc(c.k * c.n),
    out = be.alloc(c.m * c.n);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 7) % 13) / 13 - 0.5;
  for (let i = 0; i < b.length; i++) b[i] = ((i * 5) % 11) / 11 - 0.5;
  return (o) => {
    const r = rate(() => be.gemm(c.tA, c.tB, c.m, c.n, c.k, a, b, out, false), { runs: 1, minCalls: 2, ...o });
    return (r.median * 2 * c.m * c.n * c.k) / 1e9;
  };
}

if (isMain(import.meta.url)) {
  const o = args();
  const runs = Number(o.get('runs') ?? 9);
  console.log(environment());
  console.log(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${cpus().length} CPUs; ${runs} interleaved runs of 300 ms (probe, GEMM, probe, GEMM, ...)`,
  );
  const probe = peakProbe();
  probe({ warmupMs: 500, runMs: 1 });
  const simd = createSimdBackend(4 * 1024 * 1024);
  const scalar = createScalarBackend();
  const rows: (string | number)[][] = [];
  const peaks: number[] = [];
  const only = o.get('only');
  for (const c of CASES.filter(
    (x) => only === undefined || x.label.startsWith(`${only === '512' ? 256 : 128}x${only}`),
  )) {
    const run = gemmRunner(simd, c);
    run({ warmupMs: 500, runMs: 1 });
    const p: number[] = [],
      g: number[] = [];
    for (let r = 0; r < runs; r++) {
      p.push(probe());
      g.push(run({ warmupMs: 0, runMs: 300 }));
    }
    p.push(probe());
    const paired = g.map((x, r) => x / Math.max(p[r], p[r + 1]));
    peaks.push(...p);
    const best = Math.max(...g),
      bestP = Math.max(...p);
    const sc = o.has('no-scalar') ? Number.NaN : gemmRunner(scalar, c)({ warmupMs: 0, runMs: 0, minCalls: 2 });
    rows.push([
      c.label,
      fmt(sc, 2),
      fmt(median(g)),
      fmt(best),
      fmt(bestP),
      `${fmt((100 * best) / bestP, 0)}%`,
      `${fmt(100 * median(paired), 0)}%`,
      `${fmt((100 * best) / REFERENCE_CEILING_GFLOPS, 0)}%`,
      fmt(median(g) / sc, 0) + '×',
    ]);
  }
  console.log(
    table(
      [
        'GEMM (m,n,k per orientation)',
        'scalar',
        'simd median',
        'simd best',
        'probe best',
        'best/probe',
        'paired',
        'best/68.6',
        'simd/scalar',
      ],
      rows,
    ),
  );
  console.log(`(GFLOP/s) peak probe over all runs: median ${fmt(median(peaks))}, best ${fmt(Math.max(...peaks))}`);
}
