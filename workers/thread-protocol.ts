/** Messages between a worker process and its training threads. */
import type { JobKind } from '../src/kinds/registry.js';

export interface ThreadInput {
  kind: JobKind;
  request: unknown;
  /** the rows of the uploaded datasets the request names, by id, fetched by the processor */
  uploads?: Record<string, { x: number[][]; y: number[] }>;
}

export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'progress'; progress: Record<string, unknown> }
  | { type: 'result'; result: unknown }
  | { type: 'error'; code: string; message: string; unrecoverable: boolean };
