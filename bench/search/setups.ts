/**
 * The setups of the suggestion-quality benchmark. `presets`: the range-test presets × {adam, sgd
 * with momentum 0.9} × train_steps {300, 1000} — the suite the search was designed on. `heldout`:
 * other datasets, architectures, optimizers, horizons and schedules — never tuned on, reported
 * separately.
 */
import type { LrRangeTestRequest } from '../../src/kinds/lr-range-tests/contract.js';
import { createRng } from '../../src/core/rng.js';
import type { ScheduleSpec } from '../../src/core/schedules/index.js';

export interface BenchSetup {
  /** e.g. "spirals-mlp/adam/K300" */
  name: string;
  suite: 'presets' | 'heldout';
  /** a range-test request body: the training setup (preset + overrides) */
  body: LrRangeTestRequest;
  /** the user's training horizon */
  train_steps: number;
  /** the schedule shape the user trains with (null: constant); may depend on the horizon */
  schedule: ScheduleSpec | null;
  metric: 'val_loss' | 'train_loss';
}

export const PRESET_NAMES = ['spirals-mlp', 'moons-mlp', 'iris-mlp', 'sine-mlp', 'mnist-mlp'];
export const PRESET_OPTIMIZERS: Record<string, NonNullable<LrRangeTestRequest['optimizer']>> = {
  adam: { type: 'adam' },
  sgdm: { type: 'sgd', momentum: 0.9 },
};
export const PRESET_HORIZONS = [300, 1000];

export function presetSetups(): BenchSetup[] {
  const out: BenchSetup[] = [];
  for (const preset of PRESET_NAMES) {
    for (const [opt, optimizer] of Object.entries(PRESET_OPTIMIZERS)) {
      for (const K of PRESET_HORIZONS) {
        out.push({
          name: `${preset}/${opt}/K${K}`,
          suite: 'presets',
          body: { preset, optimizer },
          train_steps: K,
          schedule: null,
          metric: 'val_loss',
        });
      }
    }
  }
  return out;
}

/** A small tabular classification set (what an upload looks like): 8 features, 3 classes, 360 rows, from a fixed seed.
 * */
export function tabularClassification(): { x: number[][]; y: number[]; task: 'classification' } {
  const rng = createRng(20240611);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 360; i++) {
    const c = i % 3;
    const row = Array.from({ length: 8 }, (_, j) => rng.normal() * (1 + j / 4) + (j < 3 ? c * (j + 1) * 0.6 : 0));
    // a nonlinear interaction and an unscaled column, as real tables have
    row[5] = row[0] * row[1] * 0.5 + rng.normal() * 0.3;
    row[7] = 100 + 40 * row[7];
    x.push(row.map((v) => Math.round(v * 1000) / 1000));
    y.push(c);
  }
  return { x, y, task: 'classification' };
}

/** A small tabular regression set: 5 features, y = sin(x0) + x1·x2 + 0.5·x3 + noise, 400 rows. */
export function tabularRegression(): { x: number[][]; y: number[]; task: 'regression' } {
  const rng = createRng(7771);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 400; i++) {
    const r = Array.from({ length: 5 }, () => rng.normal());
    x.push(r.map((v) => Math.round(v * 1000) / 1000));
    y.push(Math.round((Math.sin(2 * r[0]) + r[1] * r[2] + 0.5 * r[3] + 0.1 * rng.normal()) * 1000) / 1000);
  }
  return { x, y, task: 'regression' };
}

const dense = (units: number, activation: string) => ({
  type: 'dense' as const,
  units,
  activation: activation as 'relu',
});

/** The held-out suite: 16 setups unlike the presets. */
export function heldoutSetups(): BenchSetup[] {
  const H = (
    name: string,
    body: LrRangeTestRequest,
    train_steps: number,
    schedule: ScheduleSpec | null = null,
    metric: 'val_loss' | 'train_loss' = 'val_loss',
  ): BenchSetup => ({
    name,
    suite: 'heldout',
    body: { preset: null, batch_size: 32, ...body },
    train_steps,
    schedule,
    metric,
  });
  const circles = { name: 'circles' as const, n_samples: 600, noise: 0.1 };
  const blobs = { name: 'blobs' as const, n_samples: 600, classes: 5, features: 4 };
  const xor = { name: 'xor' as const, n_samples: 600 };
  const sine = { name: 'sine' as const, n_samples: 600, noise: 0.1 };
  const spirals = { name: 'spirals' as const, n_samples: 600, noise: 0.2 };
  const moons = { name: 'moons' as const, n_samples: 600, noise: 0.2 };
  return [
    H(
      'circles/relu-deep/rmsprop/K1000',
      {
        data: circles,
        model: { hidden: [32, 32, 32, 32], activation: 'relu', init: 'kaiming_normal' },
        optimizer: { type: 'rmsprop' },
      },
      1000,
    ),
    H(
      'blobs/wide/sgd/K300',
      { data: blobs, model: { hidden: [512], activation: 'relu' }, optimizer: { type: 'sgd' } },
      300,
    ),
    H(
      'xor/tanh/adamw/K1000',
      {
        data: xor,
        model: { hidden: [32, 32], activation: 'tanh', init: 'xavier_normal' },
        optimizer: { type: 'adamw', weight_decay: 0.01 },
      },
      1000,
    ),
    H(
      'sine/residual/adam/K3000',
      {
        data: sine,
        model: {
          layers: [
            dense(32, 'tanh'),
            { type: 'residual', layers: [dense(32, 'tanh'), dense(32, 'identity')] },
            { type: 'residual', layers: [dense(32, 'tanh'), dense(32, 'identity')] },
          ],
        },
        optimizer: { type: 'adam' },
      },
      3000,
    ),
    H(
      'tabular/batchnorm/adagrad/K300',
      {
        data: { ...tabularClassification() },
        model: { hidden: [64, 64], activation: 'relu', batchnorm: true },
        optimizer: { type: 'adagrad' },
      },
      300,
    ),
    H(
      'spirals/cosine/adam/K1000',
      { data: spirals, model: { hidden: [64, 64], activation: 'relu' }, optimizer: { type: 'adam' } },
      1000,
      { type: 'CosineAnnealingLR', T_max: 1000 } as ScheduleSpec,
    ),
    H(
      'moons/onecycle/sgdm/K1000',
      { data: moons, model: { hidden: [32, 32], activation: 'relu' }, optimizer: { type: 'sgd', momentum: 0.9 } },
      1000,
      { type: 'OneCycleLR', max_lr: 1, total_steps: 1000 } as ScheduleSpec,
    ),
    H(
      'circles/warmup-linear/adamw/K1000',
      { data: circles, model: { hidden: [64, 64], activation: 'gelu' }, optimizer: { type: 'adamw' } },
      1000,
      { type: 'linear', num_warmup_steps: 100, num_training_steps: 1000 } as ScheduleSpec,
    ),
    H(
      'spirals/batchnorm-deep/sgdm/K100',
      {
        data: spirals,
        model: { hidden: [64, 64, 64], activation: 'relu', batchnorm: true },
        optimizer: { type: 'sgd', momentum: 0.9 },
      },
      100,
    ),
    H(
      'blobs/adam/K3000',
      {
        data: { ...blobs, classes: 8, features: 6 },
        model: { hidden: [32], activation: 'relu' },
        optimizer: { type: 'adam' },
      },
      3000,
    ),
    H(
      'iris/tanh/rmsprop/K100',
      {
        data: { name: 'iris' },
        batch_size: 16,
        model: { hidden: [16], activation: 'tanh' },
        optimizer: { type: 'rmsprop' },
      },
      100,
    ),
    H(
      'xor/wide/adagrad/K1000',
      { data: xor, model: { hidden: [256], activation: 'relu' }, optimizer: { type: 'adagrad' } },
      1000,
    ),
    H(
      'sine/tanh-deep/sgd/K1000',
      {
        data: sine,
        model: { hidden: [64, 64, 64], activation: 'tanh', init: 'xavier_normal' },
        optimizer: { type: 'sgd' },
      },
      1000,
    ),
    H(
      'tabular-reg/huber/adam/K1000/train',
      {
        data: { ...tabularRegression(), val_fraction: 0 },
        loss: 'huber',
        model: { hidden: [64, 64], activation: 'silu' },
        optimizer: { type: 'adam' },
      },
      1000,
      null,
      'train_loss',
    ),
    H(
      'mnist2k/adam/K300',
      {
        data: { name: 'mnist', n_samples: 2000 },
        batch_size: 64,
        model: { hidden: [128], activation: 'relu', init: 'kaiming_normal' },
        optimizer: { type: 'adam' },
      },
      300,
    ),
    H(
      'spirals3/residual/adamw/K3000/onecycle',
      {
        data: { ...spirals, classes: 3 },
        model: {
          layers: [dense(64, 'relu'), { type: 'residual', layers: [dense(64, 'relu'), dense(64, 'identity')] }],
        },
        optimizer: { type: 'adamw' },
      },
      3000,
      { type: 'OneCycleLR', max_lr: 1, total_steps: 3000, anneal_strategy: 'linear' } as ScheduleSpec,
    ),
  ];
}

export function allSetups(): BenchSetup[] {
  return [...presetSetups(), ...heldoutSetups()];
}
