/**
 * Golden results: for each job kind, fixed requests resolved and run the way the training thread
 * runs them (the production backend, uploaded rows passed in), then serialised as BullMQ stores
 * them (JSON). The resolved request, every progress point, the result, the plot and the table
 * must equal the committed fixtures — bit for bit (doubles compared exactly, keys in the same
 * order). Results are deterministic per backend, so each backend has its fixtures: ./golden/ for
 * WebAssembly SIMD (LRF_BACKEND=simd, the fallback) and ./golden/native/ for the native addon
 * (the default where it is built; AVX2 and AVX-512 give the same bits, so one set serves both).
 * A change of any curve fails here; regenerate only on purpose:
 * `GOLDEN_UPDATE=1 npx vitest run test/kinds/golden.test.ts`, and say why in the commit.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadShape } from '../../src/contracts/resolve.js';
import { findKind, type JobKind } from '../../src/kinds/registry.js';
import { runJob } from '../../workers/run-job.js';
import { resolveContext } from '../helpers/resolve.js';
import { named, nativeSkipReason } from '../workers/native/addon.js';

const DIR = new URL('./golden/', import.meta.url);
const UPDATE = process.env.GOLDEN_UPDATE === '1';

/** An uploaded dataset (3 classes on a ring, 90 rows), by id, as the processor passes its rows. */
const UPLOAD_ID = 'golden-upload';
const UPLOAD = {
  x: Array.from({ length: 90 }, (_, i) => [Math.cos(i * 0.7) * (1 + (i % 3)), Math.sin(i * 0.7) * (1 + (i % 3))]),
  y: Array.from({ length: 90 }, (_, i) => i % 3),
};
const UPLOAD_SHAPE: UploadShape = { task: 'classification', rows: 90, features: 2, classes: 3 };

interface Case {
  name: string;
  kind: JobKind;
  body: Record<string, unknown>;
  upload?: boolean;
}

const CASES: Case[] = [
  {
    name: 'range-test-spirals-repeats',
    kind: 'lr-range-tests',
    body: { preset: 'spirals-mlp', num_iter: 60, repeats: 2 },
  },
  {
    name: 'range-test-sine-sgd-steepest',
    kind: 'lr-range-tests',
    body: {
      preset: 'sine-mlp',
      num_iter: 50,
      optimizer: { type: 'sgd', momentum: 0.9 },
      suggestion: 'steepest',
      eval: 'val',
    },
  },
  {
    name: 'range-test-uploaded',
    kind: 'lr-range-tests',
    body: { preset: null, data: { dataset_id: UPLOAD_ID }, model: { hidden: [16] }, batch_size: 16, num_iter: 40 },
    upload: true,
  },
  {
    name: 'schedule-simulation-spirals',
    kind: 'schedule-simulations',
    body: { preset: 'spirals-schedules', steps: 40 },
  },
  {
    name: 'schedule-simulation-plateau-sgd',
    kind: 'schedule-simulations',
    body: {
      schedules: [
        { name: 'plateau', schedule: { type: 'ReduceLROnPlateau', lr: 0.1, patience: 1, factor: 0.5 } },
        { name: 'cyclic', schedule: { type: 'CyclicLR', base_lr: 0.01, max_lr: 0.1, step_size_up: 5 } },
      ],
      steps: 30,
      eval_every: 5,
      train: {
        data: { name: 'moons', n_samples: 200 },
        model: { hidden: [16] },
        optimizer: { type: 'sgd', momentum: 0.9 },
        batch_size: 32,
      },
    },
  },
  { name: 'diagnostics-spirals', kind: 'diagnostics', body: { preset: 'spirals-diagnostics', overfit_steps: 40 } },
  {
    name: 'diagnostics-broken-init',
    kind: 'diagnostics',
    body: { preset: 'broken-init-diagnostics', overfit_steps: 20 },
  },
  {
    name: 'lr-search-moons-onecycle',
    kind: 'lr-searches',
    body: {
      preset: 'moons-onecycle-search',
      data: { name: 'moons', n_samples: 300, noise: 0.2 },
      train_steps: 60,
      schedule: { type: 'OneCycleLR', max_lr: 1, total_steps: 60 },
    },
  },
];

/** What the API would show: the stored request, progress points, result (JSON as Redis holds it), plot and table. */
function produce(c: Case) {
  const kind = findKind(c.kind)!;
  const ctx = { ...resolveContext(), datasets: new Map([[UPLOAD_ID, UPLOAD_SHAPE]]) };
  const request = JSON.parse(JSON.stringify(kind.resolve(c.body, ctx)));
  const gen = runJob(c.kind, request, c.upload ? { [UPLOAD_ID]: UPLOAD } : {});
  const progress: unknown[] = [];
  let next = gen.next();
  while (!next.done) {
    progress.push(next.value);
    next = gen.next();
  }
  const result = JSON.parse(JSON.stringify(next.value));
  return {
    request,
    progress,
    result,
    svg: kind.views.svg?.render(result, request) ?? null,
    csv: kind.views.csv?.render(result, request) ?? null,
  };
}

// the native fixtures run wherever the addon runs (on the CPU's best ISA, or LRF_NATIVE_ISA /
// LRF_NATIVE_MAX_ISA's); a CPU or architecture without AVX2/AVX-512 skips them, named
const noNative = nativeSkipReason();
const BACKENDS = [
  { backend: 'simd', dir: DIR, skip: null },
  { backend: 'native', dir: new URL('./native/', DIR), skip: noNative },
] as const;

for (const { backend, dir, skip } of BACKENDS)
  describe.skipIf(skip)(
    named(`golden results on the ${backend} backend: every kind, bit-identical to the committed fixtures`, skip),
    () => {
      const saved = process.env.LRF_BACKEND;
      beforeAll(() => {
        process.env.LRF_BACKEND = backend;
      });
      afterAll(() => {
        if (saved === undefined) delete process.env.LRF_BACKEND;
        else process.env.LRF_BACKEND = saved;
      });
      it.each(CASES)('$name', (c) => {
        const got = produce(c);
        expect(got.result.backend.name).toBe(backend);
        // the native backend's ISA (LRF_NATIVE_ISA or the CPU's best) changes no bit: the fixtures hold null
        if (backend === 'native') {
          expect(['avx512', 'avx2']).toContain(got.result.backend.isa);
          got.result.backend.isa = null;
        }
        const file = new URL(`${c.name}.json`, dir);
        if (UPDATE || !existsSync(file)) {
          if (!UPDATE) throw new Error(`no fixture ${file.pathname}: run with GOLDEN_UPDATE=1 to record it`);
          mkdirSync(dir, { recursive: true });
          writeFileSync(file, JSON.stringify(got, null, 1) + '\n');
          return;
        }
        const want = JSON.parse(readFileSync(file, 'utf8'));
        expect(got).toEqual(want);
        // same keys in the same order, every double the same (JSON's shortest round-trip form)
        expect(JSON.stringify(got)).toBe(JSON.stringify(want));
      });
    },
  );
