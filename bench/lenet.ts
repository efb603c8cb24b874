/**
 * LeNet-5 training steps/s, batch 128 of MNIST 1×28×28, ours (createTrainer with the registry's conv layers,
 * on the SIMD and native backends) against PyTorch 1.13 (bench/torch_lenet.py in a child /usr/bin/python3,
 * same net, plain SGD lr 0.01, loss read back every step) in the same run, with the same thread count (1:
 * our backends are single-threaded; torch gets torch.set_num_threads(1), OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=1).
 * Ours trains on real MNIST digits (the `mnist` package), torch on uniform random inputs: the arithmetic per
 * step is the same. Torch runs once per OpenBLAS core type in OPENBLAS_CORETYPES (default "unset,Haswell,SkylakeX")
 * and with and without oneDNN; the ratio is against torch's best.
 *
 *   npm run build && node dist/bench/lenet.js [--batch=128] [--runs=5] [--run-ms=1000] [--no-torch] [--profile]
 * Prints steps/s per implementation, the ratio, the CPU model and the load average (before and after).
 * --profile: where a step's time goes on each of our backends, per layer forward and backward (wall time of
 * each call, summed over 50 steps) and the rest of the step (loss, gradient norm, optimizer).
 */
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTrainer } from '../src/core/trainer.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import { resolveLayer } from '../src/core/layers/registry.js';
import type { Backend } from '../src/core/types.js';
import type { LayerSpec, TrainSpec } from '../src/core/spec.js';
import { loadIoDataset } from '../workers/datasets.js';
import { createNativeBackend, loadNative } from '../workers/native-backend.js';
import { args, environment, fmt, rate, table } from './common.js';

const a = args();
const batch = Number(a.get('batch') ?? 128);
const timing = {
  warmupMs: 1500,
  runs: Number(a.get('runs') ?? 5),
  runMs: Number(a.get('run-ms') ?? 1000),
  minCalls: 3,
};
const here = dirname(fileURLToPath(import.meta.url));

const layers = [
  { type: 'conv2d', out_channels: 6, kernel_size: 5, padding: 2 },
  { type: 'activation', activation: 'relu' },
  { type: 'maxpool2d', kernel_size: 2 },
  { type: 'conv2d', out_channels: 16, kernel_size: 5 },
  { type: 'activation', activation: 'relu' },
  { type: 'maxpool2d', kernel_size: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 120, activation: 'relu' },
  { type: 'dense', units: 84, activation: 'relu' },
  { type: 'dense', units: 10 },
].map((l) => resolveLayer(l) as LayerSpec);

const spec: TrainSpec = {
  model: { layers },
  data: { source: 'upload', dataset_id: 'mnist', task: 'classification', val_fraction: 0, standardize: false },
  loss: { name: 'cross_entropy' },
  optimizer: {
    type: 'sgd',
    lr: 0.01,
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
  batch_size: batch,
  clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
  seed: 1,
};
const mnistData = { name: 'mnist', n_samples: 4096, noise: 0, seed: 1, val_fraction: 0, standardize: false } as const;
const mnist = loadIoDataset(mnistData, 1, {})!;

function ours(backend: Backend): number[] {
  const t = createTrainer(spec, { backend, dataset: mnist });
  return rate(() => {
    t.step(0.01);
  }, timing).all;
}

const TORCH_PY = '/usr/bin/python3';
const torchScript = [join(here, 'torch_lenet.py'), join(here, '..', '..', 'bench', 'torch_lenet.py')].find((p) =>
  existsSync(p),
);

function torch(noMkldnn: boolean): { label: string; rates: number[] }[] {
  if (!torchScript) return [];
  const coretypes = process.env.OPENBLAS_CORETYPES ?? 'unset,Haswell,SkylakeX';
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_CORETYPES: coretypes };
  const argv = [
    torchScript,
    '--threads',
    '1',
    '--batch',
    String(batch),
    '--warmup-ms',
    String(timing.warmupMs),
    '--runs',
    String(timing.runs),
    '--run-ms',
    String(timing.runMs),
    ...(noMkldnn ? ['--no-mkldnn'] : []),
  ];
  const r = spawnSync(TORCH_PY, argv, { env, encoding: 'utf8' });
  if (r.status !== 0) return [{ label: `torch failed: ${r.stderr.slice(-200)}`, rates: [] }];
  type Line = { coretype: string; rates?: number[]; error?: string; torch?: string; mkldnn?: boolean };
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line)
    .map((j) => ({
      label:
        `torch ${j.torch ?? ''} ${j.mkldnn ? 'oneDNN conv' : 'im2col conv'}, OpenBLAS ${j.coretype}` +
        (j.error ? ` (error: ${j.error.slice(0, 80)})` : ''),
      rates: j.rates ?? [],
    }));
}

/** ms per step in each layer's forward and backward, and the rest of the step */
function profile(name: string, inner: Backend): void {
  let gemmMs = 0;
  const backend: Backend = Object.create(inner) as Backend;
  backend.gemm = (...g: Parameters<Backend['gemm']>) => {
    const t0 = performance.now();
    inner.gemm(...g);
    gemmMs += performance.now() - t0;
  };
  const t = createTrainer(spec, { backend, dataset: mnist });
  const spent = new Map<string, number>(),
    inGemm = new Map<string, number>();
  const add = (k: string, ms: number, g0: number): void => {
    spent.set(k, (spent.get(k) ?? 0) + ms);
    inGemm.set(k, (inGemm.get(k) ?? 0) + gemmMs - g0);
  };
  for (const l of t.model.layers) {
    const f = l.forward.bind(l),
      b = l.backward.bind(l);
    const mutable = l as { forward: typeof f; backward: typeof b };
    mutable.forward = (x, rows, train) => {
      const t0 = performance.now(),
        g0 = gemmMs;
      const y = f(x, rows, train);
      add(`${l.name} ${l.kind} fwd`, performance.now() - t0, g0);
      return y;
    };
    mutable.backward = (dy, rows) => {
      const t0 = performance.now(),
        g0 = gemmMs;
      const dx = b(dy, rows);
      add(`${l.name} ${l.kind} bwd`, performance.now() - t0, g0);
      return dx;
    };
  }
  for (let i = 0; i < 10; i++) t.step(0.01);
  spent.clear();
  inGemm.clear();
  const steps = 50,
    t0 = performance.now();
  for (let i = 0; i < steps; i++) t.step(0.01);
  const total = (performance.now() - t0) / steps;
  const inLayers = [...spent.values()].reduce((x, y) => x + y, 0) / steps;
  console.log(`profile ${name}: ${fmt(total, 2)} ms/step`);
  const pct = (ms: number): string => fmt((100 * ms) / total);
  const rows = [...spent].map(([k, v]) => [k, fmt(v / steps, 2), pct(v / steps), fmt(inGemm.get(k)! / steps, 2)]);
  rows.push(['rest (batch copy, loss, grad norm, SGD)', fmt(total - inLayers, 2), pct(total - inLayers), '']);
  console.log(table(['part', 'ms/step', '%', 'of which GEMM ms'], rows));
}

const median = (r: number[]): number => (r.length ? [...r].sort((x, y) => x - y)[Math.floor(r.length / 2)] : NaN);
if (a.has('profile')) {
  profile('simd', createSimdBackend(32 * 1024 * 1024));
  const n = loadNative();
  if (n.ok) profile(`native (${n.isa})`, createNativeBackend(n));
  process.exit(0);
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const load0 = os.loadavg();
const rows: { label: string; rates: number[]; ours: boolean }[] = [];
const simdRates = ours(createSimdBackend(32 * 1024 * 1024));
rows.push({ label: 'ours: createTrainer + simd (WebAssembly)', rates: simdRates, ours: true });
const native = loadNative();
if (native.ok) {
  const nativeRates = ours(createNativeBackend(native));
  rows.push({ label: `ours: createTrainer + native (${native.isa})`, rates: nativeRates, ours: true });
} else rows.push({ label: `ours: native unavailable (${native.reason})`, rates: [], ours: true });
if (!a.has('no-torch')) for (const t of [...torch(false), ...torch(true)]) rows.push({ ...t, ours: false });
const load1 = os.loadavg();

const bestTorch = Math.max(
  ...rows
    .filter((r) => !r.ours)
    .map((r) => median(r.rates))
    .filter(Number.isFinite),
);
console.log(`LeNet-5 training step, batch ${batch}, 1 thread; ${environment()}`);
console.log(
  `CPU ${cpu} × ${os.cpus().length}; load average ${load0.map((x) => x.toFixed(2)).join(' ')} before, ` +
    `${load1.map((x) => x.toFixed(2)).join(' ')} after`,
);
console.log(
  table(
    ['implementation', 'steps/s (median)', 'min', 'max', '× best torch'],
    rows.map((r) => [
      r.label,
      fmt(median(r.rates)),
      fmt(Math.min(...r.rates)),
      fmt(Math.max(...r.rates)),
      Number.isFinite(bestTorch) ? fmt(median(r.rates) / bestTorch, 2) : 'n/a',
    ]),
  ),
);
