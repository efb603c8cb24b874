/**
 * The size of a job, checked before it is queued (pure): the number of layers (each one adds a
 * per-layer series to the result) and an estimate of the floating-point work,
 * FLOPs per row × batch × optimizer steps, the FLOPs per row being the layers' own counts
 * (LayerModule.flops). For the layers that use each weight once per row (dense, the norms) that
 * is 6 × parameters — a dense layer's forward pass is 2·P·B FLOPs and its backward pass twice that
 * (Kaplan et al. 2020, "Scaling Laws for Neural Language Models", §2.1: C ≈ 6·N per token; the
 * same count as bench/README's nominal GFLOP/s). Every job kind calls `checkJobCost` with its own
 * steps; the problem names the fields the estimate is made of.
 */
import type { Limits } from '../config.js';
import type { LayerSpec } from '../core/spec.js';
import { nestedLayers } from '../core/layers/registry.js';
import { limitExceeded, ProblemError } from './problems.js';

/** Layers of a stack, the inner layers of nested ones (residual blocks) included (the output layer is one more). */
export function countLayers(layers: readonly LayerSpec[]): number {
  let n = 0;
  for (const l of layers) n += 1 + nestedLayers(l).reduce((a, inner) => a + countLayers(inner), 0);
  return n;
}

export function checkLayerCount(layers: readonly LayerSpec[], limits: Limits, pointer = '/model'): void {
  const n = countLayers(layers) + 1;
  if (n > limits.layers)
    throw limitExceeded(
      pointer,
      "the number of layers (residual blocks' inner layers and the output layer included)",
      n,
      limits.layers,
      'LIMIT_LAYERS',
    );
}

export interface CostParts {
  params: number;
  /** FLOPs per row of one step, forward + backward (core/model.ts modelFlops); 6 × params when absent */
  flopsPerRow?: number;
  batch: number;
  /** optimizer steps in total (num_iter × repeats, steps × schedules, ...) */
  steps: number;
  /** how the request's fields make up `steps`, for the message, e.g. "num_iter 5000 × repeats 2" */
  stepsFrom: string;
}

export function estimateFlops(c: Pick<CostParts, 'params' | 'flopsPerRow' | 'batch' | 'steps'>): number {
  return (c.flopsPerRow ?? 6 * c.params) * c.batch * c.steps;
}

/** 400 limit_exceeded at `pointer` when the estimate is above LIMIT_JOB_FLOPS. */
export function checkJobCost(pointer: string, c: CostParts, limits: Limits): void {
  const flops = estimateFlops(c);
  if (flops <= limits.jobFlops) return;
  const perRow =
    c.flopsPerRow === undefined || c.flopsPerRow === 6 * c.params
      ? `6 × ${c.params} parameters`
      : `${c.flopsPerRow} FLOPs per row (forward and backward; ${c.params} parameters)`;
  const detail =
    `the job's estimated cost, ${perRow} × batch_size ${c.batch} × ${c.stepsFrom} = ` +
    `${flops.toExponential(2)} FLOPs, ` +
    `is above this service's limit of ${limits.jobFlops.toExponential(2)} (LIMIT_JOB_FLOPS); lower the steps, the batch size or the model`;
  throw new ProblemError(400, 'limit_exceeded', 'Limit exceeded', `${pointer}: ${detail}`, [{ pointer, detail }]);
}
