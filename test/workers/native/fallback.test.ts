/**
 * Backend selection and the fallback: without the addon (LRF_NATIVE_ADDON pointing nowhere, as on
 * an install without a compiler) jobs run on WebAssembly SIMD and say so; LRF_BACKEND picks one
 * explicitly; the install script only warns when it cannot build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { backendInfo, chooseBackend } from '../../../workers/backend.js';
import { runJob } from '../../../workers/run-job.js';
import { findKind } from '../../../src/kinds/registry.js';
import { resolveContext } from '../../helpers/resolve.js';
import { loadNative } from '../../../workers/native-backend.js';
import { hasCompiler, named, nativeSkipReason, requireNative, resetNative } from './addon.js';

// a CPU/OS without AVX2 or AVX-512 (or LRF_NATIVE_MAX_ISA=none) skips the native cases, named
const noNative = nativeSkipReason();
const noAvx2 = nativeSkipReason('avx2');

const KEYS = ['LRF_BACKEND', 'LRF_NATIVE_ADDON', 'LRF_NATIVE_ISA'] as const;
const saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
afterEach(() => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});
const setEnv = (e: Partial<Record<(typeof KEYS)[number], string>>) => {
  for (const k of KEYS) delete process.env[k];
  Object.assign(process.env, e);
};

const NOWHERE = '/nonexistent/lrf_native.node';
const shape = { features: 2, outputs: 2, task: 'classification' as const, rows: 200 };

function runRangeTest(): Record<string, unknown> {
  const kind = findKind('lr-range-tests')!;
  const request = JSON.parse(JSON.stringify(kind.resolve({ preset: 'spirals-mlp', num_iter: 12 }, resolveContext())));
  const gen = runJob('lr-range-tests', request);
  let next = gen.next();
  while (!next.done) next = gen.next();
  return next.value as Record<string, unknown>;
}

describe('backend selection', () => {
  it.skipIf(noNative)(named('default: native when the addon loads, and the job result says so', noNative), () => {
    requireNative();
    setEnv({});
    expect(backendInfo()).toMatchObject({ backend: 'native', fallback_reason: null });
    const result = runRangeTest();
    expect(result.backend).toMatchObject({ name: 'native' });
    expect(['avx512', 'avx2']).toContain((result.backend as { isa: string }).isa);
  });

  it('without the addon (LRF_NATIVE_ADDON pointing nowhere) jobs run on WebAssembly SIMD, with the reason', () => {
    setEnv({ LRF_NATIVE_ADDON: NOWHERE });
    const info = backendInfo();
    expect(info.backend).toBe('simd');
    expect(info.fallback_reason).toContain(NOWHERE);
    const dense = {
      type: 'dense' as const,
      units: 4,
      activation: 'relu' as const,
      init: { name: 'default' as const },
      bias: true,
    };
    const spec = {
      model: { layers: [dense] },
      data: {
        source: 'builtin' as const,
        name: 'spirals' as const,
        n_samples: 200,
        noise: 0.1,
        seed: 0,
        val_fraction: 0,
        standardize: true,
      },
      loss: { name: 'cross_entropy' as const },
      batch_size: 16,
      seed: 0,
      clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
      optimizer: {
        type: 'sgd' as const,
        lr: 0.1,
        momentum: 0,
        dampening: 0,
        nesterov: false,
        weight_decay: 0,
        betas: [0.9, 0.999] as [number, number],
        eps: 1e-8,
        amsgrad: false,
        alpha: 0.99,
        centered: false,
        lr_decay: 0,
        initial_accumulator_value: 0,
      },
    };
    expect(chooseBackend(spec, shape).name).toBe('simd');
    const result = runRangeTest();
    expect(result.backend).toEqual({ name: 'simd', isa: null });
    expect(result.stop_reason).toBeDefined();
  });

  it('LRF_BACKEND=native without the addon is an error naming the reason; an unknown LRF_BACKEND or LRF_NATIVE_ISA is refused', () => {
    setEnv({ LRF_BACKEND: 'native', LRF_NATIVE_ADDON: NOWHERE });
    expect(() => backendInfo()).toThrow(
      /LRF_BACKEND=native but the native backend is not available: cannot load \/nonexistent/,
    );
    setEnv({ LRF_BACKEND: 'cuda' });
    expect(() => backendInfo()).toThrow(/LRF_BACKEND must be one of native, simd, wasm, scalar/);
    setEnv({ LRF_BACKEND: 'native', LRF_NATIVE_ISA: 'sse2' });
    expect(() => backendInfo()).toThrow(/LRF_NATIVE_ISA must be avx512 or avx2/);
  });

  it.skipIf(noNative)(
    named('LRF_BACKEND=wasm (or simd) and scalar choose those backends even when the addon is there', noNative),
    () => {
      requireNative();
      for (const [env, name] of [
        ['wasm', 'simd'],
        ['simd', 'simd'],
        ['scalar', 'scalar'],
      ] as const) {
        setEnv({ LRF_BACKEND: env });
        expect(backendInfo()).toEqual({ backend: name, isa: null, fallback_reason: null });
        expect(runRangeTest().backend).toEqual({ name, isa: null });
      }
    },
  );
});

describe.skipIf(noNative)(named('LRF_NATIVE_MAX_ISA: a smaller CPU, simulated', noNative), () => {
  it('none: WebAssembly SIMD, with the reason; a hidden ISA asked for is refused, naming it', () => {
    const info = backendInfo({ LRF_NATIVE_MAX_ISA: 'none' });
    expect(info).toMatchObject({ backend: 'simd', isa: null });
    expect(info.fallback_reason).toMatch(/neither AVX-512 nor AVX2\+FMA \(hidden by LRF_NATIVE_MAX_ISA=none\)/);
    expect(() => backendInfo({ LRF_BACKEND: 'native', LRF_NATIVE_MAX_ISA: 'none' })).toThrow(
      /hidden by LRF_NATIVE_MAX_ISA=none/,
    );
    expect(() => backendInfo({ LRF_BACKEND: 'native', LRF_NATIVE_MAX_ISA: 'sse2' })).toThrow(
      /LRF_NATIVE_MAX_ISA must be avx512, avx2 or none, got 'sse2'/,
    );
    const load = loadNative({ LRF_NATIVE_MAX_ISA: 'none', LRF_NATIVE_ISA: 'avx2' });
    expect(load).toMatchObject({ ok: false, failure: 'cpu' });
    resetNative();
  });

  it.skipIf(noAvx2)(
    named('avx2: the AVX2 kernels, as on an AVX2-only CPU; AVX-512 cannot be forced past it', noAvx2),
    () => {
      expect(backendInfo({ LRF_NATIVE_MAX_ISA: 'avx2' })).toEqual({
        backend: 'native',
        isa: 'avx2',
        fallback_reason: null,
      });
      const load = loadNative({ LRF_NATIVE_MAX_ISA: 'avx2' });
      expect(load.ok && load.supported).toEqual(['avx2']);
      expect(() =>
        backendInfo({ LRF_BACKEND: 'native', LRF_NATIVE_ISA: 'avx512', LRF_NATIVE_MAX_ISA: 'avx2' }),
      ).toThrow(/AVX-512 \(F, DQ, BW, VL\) is not available on this CPU\/OS/);
      resetNative();
    },
  );
});

// the addon as a non-x86 machine builds it (binding.gyp defines LRF_NO_X86 off x64): the same C
// sources compiled with the x86 kernels left out, linked here with cc against the running Node's headers
const NODE_INCLUDE = path.resolve(path.dirname(process.execPath), '..', 'include', 'node');
const noPortableBuild = !hasCompiler
  ? 'no C compiler'
  : !existsSync(path.join(NODE_INCLUDE, 'node_api.h'))
    ? `no Node headers in ${NODE_INCLUDE}`
    : null;
describe.skipIf(noPortableBuild)(
  named('the addon built without the x86 kernels (LRF_NO_X86, as on arm64)', noPortableBuild),
  () => {
    it('compiles, loads, reports no ISA; jobs run on WebAssembly SIMD with the reason', () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-nox86-'));
      try {
        const src = fileURLToPath(new URL('../../../native/src/', import.meta.url));
        const out = path.join(dir, 'lrf_native.node');
        const cc = spawnSync(
          'cc',
          [
            '-shared',
            '-fPIC',
            '-O1',
            '-std=gnu11',
            '-Wall',
            '-Werror',
            '-Wno-unused-function',
            '-DLRF_NO_X86',
            '-DNAPI_VERSION=8',
            `-I${NODE_INCLUDE}`,
            ...['addon.c', 'isa_avx512.c', 'isa_avx2.c'].map((f) => path.join(src, f)),
            '-o',
            out,
          ],
          { encoding: 'utf8' },
        );
        expect(cc.status, cc.stderr).toBe(0);
        const load = loadNative({ LRF_NATIVE_ADDON: out });
        expect(load).toMatchObject({ ok: false, failure: 'cpu' });
        setEnv({ LRF_NATIVE_ADDON: out });
        const info = backendInfo();
        expect(info).toMatchObject({ backend: 'simd', isa: null });
        expect(info.fallback_reason).toMatch(/neither AVX-512 nor AVX2\+FMA/);
        expect(runRangeTest().backend).toEqual({ name: 'simd', isa: null });
      } finally {
        rmSync(dir, { recursive: true, force: true });
        resetNative();
      }
    });
  },
);

describe('scripts/build-native.mjs', () => {
  const script = fileURLToPath(new URL('../../../scripts/build-native.mjs', import.meta.url));
  it('only warns (exit 0) when the build is skipped or impossible, so npm ci never fails on it; --strict fails', () => {
    const env = { ...process.env, LRF_SKIP_NATIVE_BUILD: '1' };
    const soft = spawnSync(process.execPath, [script], { env, encoding: 'utf8' });
    expect(soft.status).toBe(0);
    expect(soft.stderr).toMatch(/WebAssembly SIMD backend/);
    const strict = spawnSync(process.execPath, [script, '--strict'], { env, encoding: 'utf8' });
    expect(strict.status).toBe(1);
  });
});
