/**
 * Shared benchmark helpers: timing (warm-up, then the median of several timed runs), argument
 * parsing and plain-text tables. Benchmarks are not tests: nothing here asserts speed.
 */
import { pathToFileURL } from 'node:url';

export interface Timing {
  /** median rate over the timed runs (calls per second) */
  median: number;
  min: number;
  max: number;
  runs: number;
  /** every run's rate, sorted */
  all: number[];
}

export interface TimingOptions {
  /** warm-up time before the timed runs (lets V8 tier WebAssembly up from Liftoff to TurboFan) */
  warmupMs: number;
  /** number of timed runs */
  runs: number;
  /** each run lasts at least this long... */
  runMs: number;
  /** ...and at least this many calls */
  minCalls: number;
}

export const DEFAULT_TIMING: TimingOptions = { warmupMs: 1000, runs: 7, runMs: 500, minCalls: 3 };

/** Calls fn repeatedly: warm-up, then `runs` runs; returns calls/s statistics. */
export function rate(fn: () => void, o: Partial<TimingOptions> = {}): Timing {
  const t = { ...DEFAULT_TIMING, ...o };
  const w0 = performance.now();
  let w = 0;
  while (performance.now() - w0 < t.warmupMs || w < 2) {
    fn();
    w++;
  }
  const rates: number[] = [];
  for (let r = 0; r < t.runs; r++) {
    let calls = 0;
    const t0 = performance.now();
    let dt: number;
    do {
      fn();
      calls++;
      dt = performance.now() - t0;
    } while (dt < t.runMs || calls < t.minCalls);
    rates.push((calls * 1000) / dt);
  }
  rates.sort((a, b) => a - b);
  return {
    median: rates[Math.floor(rates.length / 2)],
    min: rates[0],
    max: rates[rates.length - 1],
    runs: rates.length,
    all: rates,
  };
}

/** --name=value / --flag command-line options */
export function args(): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of process.argv.slice(2)) {
    const eq = a.indexOf('=');
    if (a.startsWith('--')) m.set(eq > 0 ? a.slice(2, eq) : a.slice(2), eq > 0 ? a.slice(eq + 1) : 'true');
  }
  return m;
}

/** true when this module is the script node was started with */
export function isMain(importMetaUrl: string): boolean {
  return process.argv[1] !== undefined && importMetaUrl === pathToFileURL(process.argv[1]).href;
}

/** Fixed-width text table (right-aligned except the first column). */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/** One-line description of the machine and runtime, printed above every table. */
export function environment(): string {
  return `node ${process.version} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}`;
}
