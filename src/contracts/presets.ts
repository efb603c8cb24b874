/**
 * Ready-made request bodies (GET /v1/presets) are declared by each job kind (src/kinds/<kind>/presets.ts).
 * A request's own fields replace the preset's fields of the same name wholesale (no deep merge:
 * `optimizer: {type: "sgd"}` replaces the preset's Adam entirely, as a PyTorch user would expect).
 * Here: the training setup several kinds' presets share.
 */
import type { TrainingFields } from './resolve.js';

/** spirals-mlp: two interleaved spirals, a 2-64-64-2 ReLU MLP (Kaiming init), Adam, batch 64 — about a second of
 * training. */
export const SPIRALS_SETUP = {
  data: { name: 'spirals', n_samples: 1000, noise: 0.2 },
  model: { hidden: [64, 64], activation: 'relu', init: 'kaiming_normal' },
  optimizer: { type: 'adam' },
  batch_size: 64,
} satisfies TrainingFields;

/**
 * mnist-cnn: LeNet-5 as the PyTorch MNIST examples write it (LeCun et al. 1998 with ReLU and max pooling):
 * conv 6@5×5 pad 2 → relu → maxpool 2 → conv 16@5×5 → relu → maxpool 2 → flatten → 120 relu → 84 relu
 * (→ the output layer, 10, appended by the service); Adam (as the LR-finder MNIST demos use), batch 64. The
 * 10,000 MNIST digits are read as [1, 28, 28] because the model starts with conv2d.
 */
export const MNIST_CNN_SETUP = {
  data: { name: 'mnist', n_samples: 10000 },
  model: {
    layers: [
      { type: 'conv2d', out_channels: 6, kernel_size: 5, padding: 2 },
      { type: 'activation', activation: 'relu' },
      { type: 'maxpool2d', kernel_size: 2 },
      { type: 'conv2d', out_channels: 16, kernel_size: 5 },
      { type: 'activation', activation: 'relu' },
      { type: 'maxpool2d', kernel_size: 2 },
      { type: 'flatten' },
      { type: 'dense', units: 120, activation: 'relu' },
      { type: 'dense', units: 84, activation: 'relu' },
    ],
  },
  optimizer: { type: 'adam' },
  batch_size: 64,
} satisfies TrainingFields;
