/** Messages between a worker process and its training threads. */
import type { JobKind } from '../src/kinds/registry.js';
import type { FanTask } from '../src/kinds/kind.js';
import type { BackendUsed } from '../src/contracts/backend.js';

/** One step of a fanned-out job (workers/fanout.ts, src/kinds/kind.ts KindFanOut). */
export type FanOp =
  | { type: 'start' }
  | { type: 'task'; task: FanTask; /** the carry of task.after, as v8.serialize wrote it */ carry: Uint8Array | null }
  | { type: 'finish'; state: unknown; backend: BackendUsed | null };

export interface ThreadInput {
  kind: JobKind;
  request: unknown;
  /** the rows of the uploaded datasets the request names, by id, fetched by the processor */
  uploads?: Record<string, { x: number[][]; y: number[] }>;
  /** LIMIT_LAYER_POINTS: per-layer series are downsampled to this many points */
  layerPoints: number;
  /** LIMIT_RESULT_BYTES: a larger result fails `result_too_large` in the thread and never leaves it */
  maxResultBytes: number;
  /** a fanned-out job's step; absent: the whole job */
  op?: FanOp;
}

/** A finished job's result, serialised in the thread (the worker's event loop, which renews locks, never does it). */
export interface ThreadResult {
  /** the result as JSON text, at most maxResultBytes UTF-8 bytes */
  json: string;
  /** its headline for job lists (GET /v1/{kind}) */
  summary: Record<string, unknown> | null;
  /** a `start` or `task` step's value (the state, the task's output), and a task's carry (v8.serialize) */
  value?: unknown;
  carry?: Uint8Array | null;
  /** the backend the step's trainers used */
  backend?: BackendUsed | null;
}

export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'progress'; progress: Record<string, unknown> }
  | ({ type: 'result' } & ThreadResult)
  | { type: 'error'; code: string; message: string; unrecoverable: boolean };
