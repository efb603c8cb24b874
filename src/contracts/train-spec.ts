/** A resolved request → the core's TrainSpec (output layer appended, optimizer LR set by the caller). */
import { completeOptimizer, dataShape, outputLayer, type ResolvedData, type ResolvedOptimizer } from './resolve.js';
import type { DataSpec, LayerSpec, LossSpec, TrainSpec } from '../core/spec.js';

export interface TrainSetup {
  model: { layers: LayerSpec[] };
  data: ResolvedData;
  loss: LossSpec;
  optimizer: ResolvedOptimizer;
  batch_size: number;
  clip_grad_norm: number | null;
  clip_grad_value: number | null;
}

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

export function toTrainSpec(setup: TrainSetup, seed: number, lr: number): TrainSpec {
  const shape = dataShape(setup.data);
  return {
    model: { layers: [...setup.model.layers, outputLayer(shape, setup.loss)] },
    data: toDataSpec(setup.data),
    loss: setup.loss,
    optimizer: completeOptimizer(setup.optimizer, lr),
    batch_size: setup.batch_size,
    clip: { max_norm: setup.clip_grad_norm, norm_type: 2, error_if_nonfinite: false, clip_value: setup.clip_grad_value },
    seed,
  };
}
