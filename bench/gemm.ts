/**
 * GEMM throughput, scalar backend vs SIMD backend, in the three orientations an MLP layer
 * uses (W stored out×in as torch):
 *   forward  z = x·Wᵀ      gemm(false, true,  B,   out, in)
 *   dW       = dzᵀ·x       gemm(true,  false, out, in,  B)
 *   dx       = dz·W        gemm(false, false, B,   in,  out)
 * for the layer shapes 128×784·784×256 (B=128, in=784, out=256) and 256×512·512×512.
 * FLOPs = 2·m·n·k. SIMD figures are also given as a share of the peak probe (bench/peak.ts)
 * measured in the same run and of the reference anchor (68.6 GFLOP/s).
 *
 *   node dist/bench/gemm.js [--runs=7] [--no-scalar]
 */
import { createScalarBackend } from '../src/core/kernels/scalar.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import type { Backend } from '../src/core/types.js';
import { args, environment, fmt, isMain, rate, table } from './common.js';
import { measurePeak, REFERENCE_CEILING_GFLOPS } from './peak.js';

interface Case { label: string; tA: boolean; tB: boolean; m: number; n: number; k: number }

function layerCases(B: number, inDim: number, out: number): Case[] {
  const s = `${B}x${inDim}->${out}`;
  return [
    { label: `${s} forward x·Wᵀ (N,T)`, tA: false, tB: true, m: B, n: out, k: inDim },
    { label: `${s} dW = dzᵀ·x (T,N)`, tA: true, tB: false, m: out, n: inDim, k: B },
    { label: `${s} dx = dz·W (N,N)`, tA: false, tB: false, m: B, n: inDim, k: out },
  ];
}

export const CASES: Case[] = [...layerCases(128, 784, 256), ...layerCases(256, 512, 512)];

function gflops(be: Backend, c: Case, runs: number, quick: boolean): number {
  const a = be.alloc(c.m * c.k), b = be.alloc(c.k * c.n), out = be.alloc(c.m * c.n);
  for (let i = 0; i < a.length; i++) a[i] = ((i * 7) % 13) / 13 - 0.5;
  for (let i = 0; i < b.length; i++) b[i] = ((i * 5) % 11) / 11 - 0.5;
  const r = rate(() => be.gemm(c.tA, c.tB, c.m, c.n, c.k, a, b, out, false),
    quick ? { warmupMs: 0, runs: 1, runMs: 0, minCalls: 2 } : { warmupMs: 500, runs, runMs: 300 });
  return (r.median * 2 * c.m * c.n * c.k) / 1e9;
}

if (isMain(import.meta.url)) {
  const o = args();
  const runs = Number(o.get('runs') ?? 7);
  console.log(environment());
  const peak = measurePeak();
  console.log(`peak probe: ${fmt(peak.gflops)} GFLOP/s (min ${fmt(peak.min)}, max ${fmt(peak.max)}); reference anchor ${REFERENCE_CEILING_GFLOPS}`);
  const simd = createSimdBackend(4 * 1024 * 1024);
  const scalar = createScalarBackend();
  const rows: (string | number)[][] = [];
  for (const c of CASES) {
    const s = gflops(simd, c, runs, false);
    const sc = o.has('no-scalar') ? Number.NaN : gflops(scalar, c, runs, true);
    rows.push([c.label, fmt(sc, 2), fmt(s), `${fmt((100 * s) / peak.gflops, 0)}%`, `${fmt((100 * s) / REFERENCE_CEILING_GFLOPS, 0)}%`, fmt(s / sc, 0) + '×']);
  }
  console.log(table(['GEMM (m,n,k per orientation)', 'scalar GFLOP/s', 'simd GFLOP/s', '% of probe', '% of 68.6', 'simd/scalar'], rows));
  const peak2 = measurePeak();
  console.log(`peak probe again after the GEMMs: ${fmt(peak2.gflops)} GFLOP/s`);
}
