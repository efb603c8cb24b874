/** LR range test presets: toy and real datasets with the optimizers people try first. */
import { MNIST_CNN_SETUP, SPIRALS_SETUP } from '../../contracts/presets.js';
import type { KindPreset } from '../../contracts/resolve.js';
import type { LrRangeTestRequest } from './contract.js';

/** A request without `preset` runs this one. */
export const DEFAULT_PRESET = 'spirals-mlp';

export const PRESETS: KindPreset<LrRangeTestRequest>[] = [
  {
    name: 'spirals-mlp',
    description:
      'Two interleaved spirals, 2-64-64-2 ReLU MLP (Kaiming init), Adam, batch 64: the classic toy range test; runs in about a second.',
    body: SPIRALS_SETUP,
  },
  {
    name: 'moons-mlp',
    description: 'sklearn-style two moons, 2-32-32-2 tanh MLP (Xavier init), SGD with momentum 0.9.',
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
    body: {
      data: { name: 'sine', n_samples: 1000, noise: 0.1 },
      model: { hidden: [64, 64], activation: 'tanh', init: 'xavier_normal' },
      optimizer: { type: 'adam' },
      batch_size: 64,
    },
  },
  {
    name: 'mnist-mlp',
    description:
      'Real MNIST digits (the 10,000 shipped by the `mnist` package), 784-256-128-64-10 ReLU MLP, Adam, batch 128.',
    body: {
      data: { name: 'mnist', n_samples: 10000 },
      model: { hidden: [256, 128, 64], activation: 'relu', init: 'kaiming_normal' },
      optimizer: { type: 'adam' },
      batch_size: 128,
    },
  },
  {
    name: 'mnist-cnn',
    description:
      'Real MNIST digits as 1×28×28 images, LeNet-5 (conv 6@5×5 pad 2, maxpool, conv 16@5×5, maxpool, ' +
      '120-84-10 ReLU), Adam, batch 64: the classic LR-finder demo; a few seconds.',
    body: MNIST_CNN_SETUP,
  },
];
