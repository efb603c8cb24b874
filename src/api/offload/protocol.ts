/**
 * What the API's offload threads (./pool.ts, ./thread.ts) are asked and answer. Every task is a
 * plain structured-cloneable object; bytes travel as transferred ArrayBuffers where they are big.
 */
import type { Limits } from '../../config.js';
import type { UploadShape } from '../../contracts/resolve.js';
import type { FieldError } from '../../contracts/problems.js';

export type UploadQuery = { task?: 'classification' | 'regression'; target?: string; name?: string };

/** POST /v1/datasets: the raw body, parsed and checked in the thread exactly as the route did on the loop. */
export interface UploadTask {
  op: 'upload';
  format: 'json' | 'csv';
  bytes: Uint8Array;
  query: UploadQuery;
  limits: Limits;
}

/** plot.svg / curve.csv of a stored result: the stored JSON text, rendered in the thread. */
export interface ViewTask {
  op: 'view';
  kind: string;
  view: 'svg' | 'csv';
  /** the stored result's JSON text, UTF-8 */
  result: Uint8Array;
  request: unknown;
}

export type Task = UploadTask | ViewTask;

export interface UploadDone {
  name: string | null;
  shape: UploadShape;
  /** `{x, y}` as UTF-8 JSON, ready to store */
  rows: Uint8Array;
}

/** A ProblemError as it crosses the thread boundary. */
export interface ProblemData {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors: FieldError[];
  headers: Record<string, string>;
}

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; problem: ProblemData }
  | { id: number; ok: false; error: string };
