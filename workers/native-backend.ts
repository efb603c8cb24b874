/**
 * The native backend: the AVX-512 / AVX2+FMA kernels of native/ (a Node addon built from source by
 * `npm ci`, scripts/build-native.mjs) as a core Backend on plain Float32Arrays. Loaded here, on the
 * I/O side, and injected into the core like the WebAssembly SIMD backend; src/core never loads it.
 *
 * LRF_NATIVE_ADDON: the addon file to load (default native/build/Release/lrf_native.node, found
 * from this module's directory upwards, so both workers/ and dist/workers/ find it).
 * LRF_NATIVE_ISA: avx512 | avx2 forces the instruction set (default: the best the CPU has). Both
 * give bit-identical results (native/src/kernels.h).
 * LRF_NATIVE_MAX_ISA: avx512 | avx2 | none hides the instruction sets above it, as if the CPU lacked
 * them (`avx2`: an AVX2-only CPU; `none`: a CPU or architecture without either, so the WebAssembly
 * SIMD fallback). For tests and for reproducing what another machine would run.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACTIVATION_CODE, type NativeRawKernels } from '../src/core/kernels/contract.generated.js';
import type { Backend, FusedKernels } from '../src/core/types.js';

/** The addon's exports (native/src/addon.c): the contract's kernels (src/core/kernels/manifest.ts) and its own. */
export interface NativeAddon extends NativeRawKernels {
  init(isa?: string): string;
  supported(): string[];
  isa(): string | null;
  /** FMA peak probe on the selected ISA: runs `iters` iterations, returns the FLOPs done */
  peak(iters: number): number;
}

export type NativeIsa = 'avx512' | 'avx2';

/**
 * Why the addon is not usable: `cpu` when this CPU/OS/architecture (or LRF_NATIVE_MAX_ISA) lacks
 * the instruction set, `missing` when it was not built, `error` for a bad setting or a load failure.
 */
export type NativeFailure = 'cpu' | 'missing' | 'error';

/** The addon loaded and initialised (with the ISAs usable here, best first), or why not. */
export type NativeLoad =
  | { ok: true; addon: NativeAddon; isa: NativeIsa; path: string; supported: NativeIsa[] }
  | { ok: false; reason: string; failure: NativeFailure };

const RANK: Record<string, number> = { none: 0, avx2: 1, avx512: 2 };
const ISA_NAME: Record<NativeIsa, string> = { avx512: 'AVX-512 (F, DQ, BW, VL)', avx2: 'AVX2+FMA' };

const ADDON_REL = join('native', 'build', 'Release', 'lrf_native.node');

function defaultAddonPath(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const p = join(dir, ADDON_REL);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  return null;
}

let cached: { key: string; load: NativeLoad } | null = null;

/** Loads and initialises the addon once per thread (per LRF_NATIVE_ADDON / LRF_NATIVE_ISA / LRF_NATIVE_MAX_ISA). */
export function loadNative(env: Record<string, string | undefined> = process.env): NativeLoad {
  const key = `${env.LRF_NATIVE_ADDON ?? ''}\0${env.LRF_NATIVE_ISA ?? ''}\0${env.LRF_NATIVE_MAX_ISA ?? ''}`;
  if (cached && cached.key === key) return cached.load;
  const load = tryLoad(env);
  cached = { key, load };
  return load;
}

function tryLoad(env: Record<string, string | undefined>): NativeLoad {
  const path = env.LRF_NATIVE_ADDON ? resolve(env.LRF_NATIVE_ADDON) : defaultAddonPath();
  const isaWanted = env.LRF_NATIVE_ISA || undefined;
  const cap = env.LRF_NATIVE_MAX_ISA || undefined;
  if (isaWanted !== undefined && isaWanted !== 'avx512' && isaWanted !== 'avx2') {
    return { ok: false, failure: 'error', reason: `LRF_NATIVE_ISA must be avx512 or avx2, got '${isaWanted}'` };
  }
  if (cap !== undefined && !(cap in RANK)) {
    return { ok: false, failure: 'error', reason: `LRF_NATIVE_MAX_ISA must be avx512, avx2 or none, got '${cap}'` };
  }
  if (!path) {
    if (process.arch !== 'x64')
      return {
        ok: false,
        failure: 'cpu',
        reason: `the native kernels are x86-64 only (AVX2/AVX-512); this is ${process.arch}`,
      };
    return {
      ok: false,
      failure: 'missing',
      reason: `the addon ${ADDON_REL} was not built (npm ci builds it when a C compiler is present; see npm run build:native)`,
    };
  }
  let addon: NativeAddon;
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (err) {
    return { ok: false, failure: 'error', reason: `cannot load ${path}: ${(err as Error).message}` };
  }
  const cpu = addon.supported() as NativeIsa[];
  const supported = cpu.filter((i) => cap === undefined || RANK[i] <= RANK[cap]);
  const hidden = (i: string) =>
    cap !== undefined && cpu.includes(i as NativeIsa) ? ` (hidden by LRF_NATIVE_MAX_ISA=${cap})` : '';
  const isa = isaWanted ?? supported[0];
  if (isa === undefined)
    return {
      ok: false,
      failure: 'cpu',
      reason: `this CPU/OS has neither AVX-512 nor AVX2+FMA${cpu.length ? ` (hidden by LRF_NATIVE_MAX_ISA=${cap})` : ''}`,
    };
  if (!supported.includes(isa))
    return {
      ok: false,
      failure: 'cpu',
      reason: `LRF_NATIVE_ISA=${isa}: ${ISA_NAME[isa]} is not available on this CPU/OS${hidden(isa)}`,
    };
  try {
    return { ok: true, addon, isa: addon.init(isa) as NativeIsa, path, supported };
  } catch (err) {
    return { ok: false, failure: 'error', reason: `cannot initialise ${path}: ${(err as Error).message}` };
  }
}

/** The native backend: a Backend plus its ISA and the raw addon (benchmarks, tests). */
export interface NativeBackend extends Backend {
  readonly name: 'native';
  readonly isa: NativeIsa;
  readonly fused: FusedKernels & Required<Pick<FusedKernels, 'sgd' | 'im2col' | 'col2imAdd'>>;
  readonly raw: NativeAddon;
}

export function createNativeBackend(load: Extract<NativeLoad, { ok: true }>): NativeBackend {
  const X = load.addon;
  const pair = new Float64Array(2);
  const fused: NativeBackend['fused'] = {
    adam(p, g, m, v, n, lr, step, o) {
      const bc1 = 1 - o.beta1 ** step;
      const bc2Sqrt = Math.sqrt(1 - o.beta2 ** step);
      const shrink = o.decoupled ? 1 - lr * o.weight_decay : 1;
      const wd = o.decoupled ? 0 : o.weight_decay;
      X.adam(p, g, m, v, n, 1 - o.beta1, o.beta2, 1 - o.beta2, lr / bc1, bc2Sqrt, o.eps, wd, shrink);
    },
    sgd(p, g, buf, n, lr, o, firstStep) {
      X.sgd(p, g, buf, n, lr, o.momentum, 1 - o.dampening, o.nesterov, o.weight_decay, firstStep);
    },
    sumSquares: (x, n = x.length) => X.sumSquares(x, n),
    diffSquares(a, b, n = a.length) {
      X.diffSquares(a, b, n, pair);
      return { diff: pair[0], ref: pair[1] };
    },
    allFinite: (x, n = x.length) => X.allFinite(x, n),
    biasAct: (z, y, bias, rows, cols, act) => X.biasAct(z, y, bias, rows, cols, ACTIVATION_CODE[act]),
    actBackward: (dy, z, dz, n, act) => X.actBackward(dy, z, dz, n, ACTIVATION_CODE[act]),
    sumRows: (dz, db, rows, cols) => X.sumRows(dz, db, rows, cols),
    // the addon checks the geometry and the lengths (addon.c conv_args)
    im2col: (g, x, row0, rows, col) =>
      X.im2col(
        x,
        col,
        row0,
        rows,
        g.inC,
        g.inH,
        g.inW,
        g.kH,
        g.kW,
        g.strideH,
        g.strideW,
        g.padH,
        g.padW,
        g.dilH,
        g.dilW,
      ),
    col2imAdd: (g, col, row0, rows, dx) =>
      X.col2imAdd(
        col,
        dx,
        row0,
        rows,
        g.inC,
        g.inH,
        g.inW,
        g.kH,
        g.kW,
        g.strideH,
        g.strideW,
        g.padH,
        g.padW,
        g.dilH,
        g.dilW,
      ),
  };
  return {
    name: 'native',
    isa: load.isa,
    raw: X,
    fused,
    alloc(n: number): Float32Array {
      if (!Number.isInteger(n) || n < 0)
        throw new RangeError(`native backend: alloc(n) needs a non-negative integer, got ${n}`);
      return new Float32Array(n);
    },
    gemm: (transA, transB, m, n, k, a, b, c, accumulate) => X.gemm(transA, transB, m, n, k, a, b, c, accumulate),
  };
}
