/**
 * Ready-made request bodies (GET /v1/presets) are declared by each job kind (src/kinds/<kind>/presets.ts).
 * A request's own fields replace the preset's fields of the same name wholesale (no deep merge:
 * `optimizer: {type: "sgd"}` replaces the preset's Adam entirely, as a PyTorch user would expect).
 * Here: the training setup several kinds' presets share.
 */
import type { TrainingFields } from './resolve.js';

/** spirals-mlp: two interleaved spirals, a 2-64-64-2 ReLU MLP (Kaiming init), Adam, batch 64 — about a second of training. */
export const SPIRALS_SETUP = {
  data: { name: 'spirals', n_samples: 1000, noise: 0.2 },
  model: { hidden: [64, 64], activation: 'relu', init: 'kaiming_normal' },
  optimizer: { type: 'adam' },
  batch_size: 64,
} satisfies TrainingFields;
