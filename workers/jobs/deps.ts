/** What a job runner needs from its worker: a numeric backend sized for a spec, and datasets that need I/O. */
import type { ResolvedData } from '../../src/contracts/resolve.js';
import type { Dataset, TrainSpec } from '../../src/core/spec.js';
import type { Backend } from '../../src/core/types.js';
import type { BackendShape } from '../backend.js';

export interface JobDeps<R> {
  backend: (spec: TrainSpec, shape: BackendShape) => Backend;
  /** datasets that need I/O (mnist); undefined = the core generates it from the spec */
  dataset: (req: R) => Dataset | undefined;
}

/** Rows of a resolved dataset before the split: an upper bound of the training rows. */
export function rowsOf(data: ResolvedData): number {
  return 'dataset_id' in data ? data.rows : 'x' in data ? data.x.length : data.n_samples;
}
