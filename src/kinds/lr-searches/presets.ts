/** LR search presets: the range-test presets' setups with the horizon (and schedule) the LR is for. */
import { MNIST_CNN_SETUP, SPIRALS_SETUP } from '../../contracts/presets.js';
import type { KindPreset } from '../../contracts/resolve.js';
import type { LrSearchRequest } from './contract.js';

/** A request without `preset` runs this one. */
export const DEFAULT_PRESET = 'spirals-search';

export const PRESETS: KindPreset<LrSearchRequest>[] = [
  {
    name: 'spirals-search',
    description:
      'The best constant Adam LR for 1000 steps of spirals-mlp (2-64-64-2 ReLU MLP, batch 64), judged on the validation loss; a few seconds.',
    body: { ...SPIRALS_SETUP, train_steps: 1000 },
  },
  {
    name: 'moons-onecycle-search',
    description:
      'The peak LR (max_lr) of a 600-step OneCycleLR for a 2-32-32-2 tanh MLP on two moons with SGD momentum 0.9 (OneCycleLR cycles the momentum too).',
    body: {
      data: { name: 'moons', n_samples: 1000, noise: 0.2 },
      model: { hidden: [32, 32], activation: 'tanh', init: 'xavier_normal' },
      optimizer: { type: 'sgd', momentum: 0.9 },
      batch_size: 32,
      train_steps: 600,
      schedule: { type: 'OneCycleLR', max_lr: 1, total_steps: 600 },
    },
  },
  {
    name: 'sine-search',
    description: 'The best constant Adam LR for 500 steps of a 1-64-64-1 tanh MLP regressing a noisy sine (MSE).',
    body: {
      data: { name: 'sine', n_samples: 1000, noise: 0.1 },
      model: { hidden: [64, 64], activation: 'tanh', init: 'xavier_normal' },
      optimizer: { type: 'adam' },
      batch_size: 64,
      train_steps: 500,
    },
  },
  {
    name: 'mnist-cnn-search',
    description:
      'The best constant Adam LR for 300 steps of LeNet-5 on MNIST 1×28×28 images, batch 64, ' +
      'judged on the validation loss.',
    body: { ...MNIST_CNN_SETUP, train_steps: 300 },
  },
];
