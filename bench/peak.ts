/**
 * WebAssembly 128-bit SIMD peak-FLOPs probe: the kernel `peak` of assembly/peak.ts (8
 * independent f32x4 mul+add chains, 64 FLOPs per loop iteration, operands from L1) timed
 * after V8 has tiered it up. This is the ceiling a WebAssembly GEMM can approach on this
 * machine; bench/gemm.ts reports GEMM GFLOP/s as a ratio of it.
 *
 *   node dist/bench/peak.js
 */
import { createSimdBackend } from '../src/core/kernels/simd.js';
import { args, environment, fmt, isMain, rate } from './common.js';

/** A ready-to-run probe: each call of the returned function is one timed run (GFLOP/s). */
export function peakProbe(): (opts?: { warmupMs?: number; runMs?: number }) => number {
  const be = createSimdBackend(64);
  const buf = be.alloc(24);
  for (let i = 0; i < 24; i++) buf[i] = 1e-3 * (i + 1);
  const ptr = be.pointerOf(buf);
  const iters = 2_000_000; // 128 MFLOP per call, ~2-4 ms
  const flop = 64 * iters;
  return (opts = {}) => {
    const r = rate(
      () => {
        be.raw.exports.peak(iters, ptr);
      },
      { warmupMs: opts.warmupMs ?? 0, runs: 1, runMs: opts.runMs ?? 300 },
    );
    return (r.median * flop) / 1e9;
  };
}

/** Measured 128-bit ceiling, GFLOP/s (median, min and max of `runs` timed runs). */
export function measurePeak(runs = 7): { gflops: number; min: number; max: number } {
  const probe = peakProbe();
  probe({ warmupMs: 500, runMs: 1 });
  const v = Array.from({ length: runs }, () => probe()).sort((a, b) => a - b);
  return { gflops: v[Math.floor(runs / 2)], min: v[0], max: v[runs - 1] };
}

/** The reference anchor of /work/shared/reference/performance.md (C probe, 128-bit, 4.25-4.3 GHz). */
export const REFERENCE_CEILING_GFLOPS = 68.6;

if (isMain(import.meta.url)) {
  const runs = Number(args().get('runs') ?? 7);
  const p = measurePeak(runs);
  console.log(environment());
  console.log(
    `WASM SIMD 128-bit peak probe: ${fmt(p.gflops)} GFLOP/s (median of ${runs}; min ${fmt(p.min)}, max ${fmt(p.max)}); reference anchor ${REFERENCE_CEILING_GFLOPS} GFLOP/s`,
  );
}
