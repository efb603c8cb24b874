/**
 * Ready-made request bodies (GET /v1/presets). A request's own fields replace the preset's
 * fields of the same name wholesale (no deep merge: `optimizer: {type: "sgd"}` replaces the
 * preset's Adam entirely, as a PyTorch user would expect).
 */
import type { LrRangeTestRequest } from './lr-range-test.js';

export interface Preset {
  name: string;
  description: string;
  /** job kinds the preset applies to */
  kinds: string[];
  body: LrRangeTestRequest;
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'spirals-mlp',
    description: 'Two interleaved spirals, 2-64-64-2 ReLU MLP (Kaiming init), Adam, batch 64: the classic toy range test; runs in about a second.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'spirals', n_samples: 1000, noise: 0.2 },
      model: { hidden: [64, 64], activation: 'relu', init: 'kaiming_normal' },
      optimizer: { type: 'adam' },
      batch_size: 64,
    },
  },
  {
    name: 'moons-mlp',
    description: 'sklearn-style two moons, 2-32-32-2 tanh MLP (Xavier init), SGD with momentum 0.9.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'moons', n_samples: 1000, noise: 0.2 },
      model: { hidden: [32, 32], activation: 'tanh', init: 'xavier_normal' },
      optimizer: { type: 'sgd', momentum: 0.9 },
      batch_size: 32,
    },
  },
  {
    name: 'iris-mlp',
    description: 'The 150 real iris flowers, 4-16-3 ReLU MLP, Adam, batch 16.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'iris' },
      model: { hidden: [16], activation: 'relu', init: 'kaiming_normal' },
      optimizer: { type: 'adam' },
      batch_size: 16,
    },
  },
  {
    name: 'sine-mlp',
    description: 'Regression of a noisy sine, 1-64-64-1 tanh MLP, MSE, Adam.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'sine', n_samples: 1000, noise: 0.1 },
      model: { hidden: [64, 64], activation: 'tanh', init: 'xavier_normal' },
      optimizer: { type: 'adam' },
      batch_size: 64,
    },
  },
  {
    name: 'mnist-mlp',
    description: 'Real MNIST digits (the 10,000 shipped by the `mnist` package), 784-256-128-64-10 ReLU MLP, Adam, batch 128.',
    kinds: ['lr-range-tests'],
    body: {
      data: { name: 'mnist', n_samples: 10000 },
      model: { hidden: [256, 128, 64], activation: 'relu', init: 'kaiming_normal' },
      optimizer: { type: 'adam' },
      batch_size: 128,
    },
  },
];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
