/** Messages between a worker process and its training threads. */
import type { JobKind } from '../src/contracts/job.js';

export interface ThreadInput {
  kind: JobKind;
  request: unknown;
  /** the rows of the uploaded dataset the request names (`data.dataset_id`), fetched by the processor */
  upload?: { x: number[][]; y: number[] };
}

export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'progress'; progress: Record<string, unknown> }
  | { type: 'result'; result: unknown }
  | { type: 'error'; code: string; message: string; unrecoverable: boolean };
