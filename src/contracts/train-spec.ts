/** A resolved training setup → the core's TrainSpec (the layer stack of resolution, the optimizer's LR set by the
 * caller). */
import { completeOptimizer, layerStack, sourced, type ResolvedData, type ResolvedTraining } from './resolve.js';
import type { DataSpec, TrainSpec } from '../core/spec.js';

/** The core's DataSpec, tagged with its source. */
export function toDataSpec(data: ResolvedData): DataSpec {
  const d = sourced(data);
  switch (d.source) {
    case 'upload':
      // the rows reach createTrainer as its `dataset` (the processor fetched them from Redis)
      return {
        source: 'upload',
        dataset_id: d.dataset_id,
        task: d.task,
        val_fraction: d.val_fraction,
        standardize: d.standardize,
      };
    case 'inline':
      return {
        source: 'inline',
        inline: { x: d.x, y: d.y, task: d.task },
        val_fraction: d.val_fraction,
        standardize: d.standardize,
      };
    case 'builtin':
      return d;
  }
}

export function toTrainSpec(setup: ResolvedTraining, seed: number, lr: number): TrainSpec {
  return {
    model: { layers: layerStack(setup) },
    data: toDataSpec(setup.data),
    loss: setup.loss,
    optimizer: completeOptimizer(setup.optimizer, lr),
    batch_size: setup.batch_size,
    clip: {
      max_norm: setup.clip_grad_norm,
      norm_type: 2,
      error_if_nonfinite: false,
      clip_value: setup.clip_grad_value,
    },
    seed,
  };
}
