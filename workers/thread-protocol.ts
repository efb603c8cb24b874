/** Messages between a worker process and its training threads. */
import type { JobKind } from '../src/kinds/registry.js';

export interface ThreadInput {
  kind: JobKind;
  request: unknown;
  /** the rows of the uploaded datasets the request names, by id, fetched by the processor */
  uploads?: Record<string, { x: number[][]; y: number[] }>;
  /** LIMIT_LAYER_POINTS: per-layer series are downsampled to this many points */
  layerPoints: number;
  /** LIMIT_RESULT_BYTES: a larger result fails `result_too_large` in the thread and never leaves it */
  maxResultBytes: number;
}

/** A finished job's result, serialised in the thread (the worker's event loop, which renews locks, never does it). */
export interface ThreadResult {
  /** the result as JSON text, at most maxResultBytes UTF-8 bytes */
  json: string;
  /** its headline for job lists (GET /v1/{kind}) */
  summary: Record<string, unknown> | null;
}

export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'progress'; progress: Record<string, unknown> }
  | ({ type: 'result' } & ThreadResult)
  | { type: 'error'; code: string; message: string; unrecoverable: boolean };
