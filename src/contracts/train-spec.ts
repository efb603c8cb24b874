/** A resolved training setup → the core's TrainSpec (the layer stack of resolution, the optimizer's LR set by the caller). */
import { completeOptimizer, layerStack, type ResolvedData, type ResolvedTraining } from './resolve.js';
import type { DataSpec, TrainSpec } from '../core/spec.js';

export function toDataSpec(data: ResolvedData): DataSpec {
  if ('dataset_id' in data) {
    // the rows reach createTrainer as its `dataset` (the processor fetched them from Redis)
    return { dataset_id: data.dataset_id, task: data.task, val_fraction: data.val_fraction, standardize: data.standardize };
  }
  if ('x' in data) {
    return { inline: { x: data.x, y: data.y, task: data.task }, val_fraction: data.val_fraction, standardize: data.standardize };
  }
  return { ...data };
}

export function toTrainSpec(setup: ResolvedTraining, seed: number, lr: number): TrainSpec {
  return {
    model: { layers: layerStack(setup) },
    data: toDataSpec(setup.data),
    loss: setup.loss,
    optimizer: completeOptimizer(setup.optimizer, lr),
    batch_size: setup.batch_size,
    clip: { max_norm: setup.clip_grad_norm, norm_type: 2, error_if_nonfinite: false, clip_value: setup.clip_grad_value },
    seed,
  };
}
