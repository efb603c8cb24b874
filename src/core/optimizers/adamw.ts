/**
 * AdamW as torch.optim.AdamW (pytorch torch/optim/adamw.py, _single_tensor_adamw): Adam's update
 * (./adam.ts) with decoupled weight decay, p ← p·(1 - lr·weight_decay), and weight_decay 0.01.
 */
import { adamStateBuffers, createAdam } from './adam.js';
import { defineOptimizer, noCheck } from './module.js';

export const ADAMW = defineOptimizer({
  name: 'adamw',
  torchClass: 'AdamW',
  defaults: { betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false },
  momentum: { param: 'betas', bufferFromFirstMomentum: false },
  check: noCheck,
  stateBuffers: adamStateBuffers,
  create: createAdam(true),
});
