/**
 * A job resource's record from what a job's own hash holds (BullMQ's fields and our cancel flag): the
 * one mapping from BullMQ's state to the API's status, timestamps and failure, used by every read of
 * the job store (one job, one job with its stored bytes, a page of the list).
 */
import type { JobKind } from '../kinds/registry.js';
import { apiStatus, parseFailure, type ApiStatus } from './status.js';

export interface JobRecord {
  id: string;
  kind: JobKind;
  status: ApiStatus;
  progress: Record<string, unknown> | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** the stored request; null in list records whose request is larger than the list's bound */
  request: unknown;
  result: unknown;
  /** list records: the result's headline, stored beside the result by the worker */
  summary?: Record<string, unknown> | null;
  failure: { code: string; message: string } | null;
  owner: string;
}

/** The state of a job from its own hash: finished (completed/failed), started, or waiting. */
export function stateOf(h: {
  finishedOn?: number | null;
  processedOn?: number | null;
  failedReason?: string | null;
}): string {
  if (h.finishedOn) return h.failedReason ? 'failed' : 'completed';
  if (h.processedOn) return 'active';
  return 'waiting';
}

/** A stored result: workers hand over the JSON text (serialised in the training thread); older jobs hold the object. */
export function parseResult(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}

/** The fields of a job's hash a record is made of (numbers as BullMQ stores them; progress parsed or as text). */
export interface JobHash {
  id: string;
  kind: JobKind;
  timestamp: number;
  processedOn?: number | null;
  finishedOn?: number | null;
  failedReason?: string | null;
  /** the progress object, or its JSON text as the hash holds it */
  progress: unknown;
  cancelRequested: boolean;
  request: unknown;
  owner: string;
}

/** The record of a job; `result(status)` gives the result to show (null unless succeeded, or always null). */
export function jobRecord(h: JobHash, result: (status: ApiStatus) => unknown = () => null): JobRecord {
  const state = stateOf(h);
  const status = apiStatus(state, h.cancelRequested, h.failedReason ?? undefined);
  const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);
  const prog = typeof h.progress === 'string' ? (JSON.parse(h.progress) as unknown) : h.progress;
  return {
    id: h.id,
    kind: h.kind,
    status,
    progress: typeof prog === 'object' && prog !== null ? (prog as Record<string, unknown>) : null,
    created_at: new Date(h.timestamp).toISOString(),
    started_at: iso(h.processedOn),
    finished_at: state === 'completed' || state === 'failed' ? iso(h.finishedOn) : null,
    request: h.request,
    result: result(status),
    // a failed status comes from a failed state only (status.ts)
    failure: status === 'failed' ? parseFailure(h.failedReason ?? undefined) : null,
    owner: h.owner,
  };
}

/** `"123"` → 123; null or empty → null (hash fields as HMGET returns them). */
export const numField = (v: string | null | undefined): number | null => (v ? Number(v) : null);
