/**
 * The OpenAPI document's examples, built from the real thing rather than typed: a job kind's
 * request examples are its presets (the default first, so Swagger UI's "Try it out → Execute" runs
 * it in one click), its job example is a queued job whose `request` is what resolving the default
 * preset stores, and the problem example is the answer to a real limit. Swagger UI shows these
 * instead of samples generated from the schemas (`"additionalProp1": {}` for free-form objects).
 * Media-type examples go through @fastify/swagger's `x-examples` (→ `examples` of the media type).
 */
import type { Limits } from '../config.js';
import { countLayerParams } from '../contracts/params.js';
import { limitExceeded } from '../contracts/problems.js';
import type { RegisteredKind } from '../kinds/registry.js';
import { problemBody } from './errors.js';
import { jobResource } from './routes/jobs.js';

export interface MediaExample {
  summary: string;
  description?: string;
  value: unknown;
}

/** A kind's presets as request examples, each written out (`preset` names it; the fields shown are its body). */
export function presetExamples(kind: RegisteredKind): Record<string, MediaExample> {
  const out: Record<string, MediaExample> = {};
  for (const p of kind.presets) {
    out[p.name] = { summary: p.name, description: p.description, value: { preset: p.name, ...(p.body as object) } };
  }
  return out;
}

/** A kind's job as `POST /v1/{kind}` answers it for the default preset (id and time fixed). */
export function jobExample(kind: RegisteredKind, limits: Readonly<Limits>): unknown {
  const request = kind.resolve({}, { limits, countParams: countLayerParams, datasets: new Map() });
  return jobResource({
    id: '0b7e5a4c-2f1d-4c8e-9a6b-3d2f1e0c9b8a', kind: kind.name, status: 'queued', progress: null,
    created_at: '2026-01-01T12:00:00.000Z', started_at: null, finished_at: null,
    request, result: null, failure: null, owner: 'anonymous',
  });
}

/** The problem `POST /v1/lr-range-tests` answers for `{"num_iter": 100000}` (its `instance` is the request id). */
export function problemExample(limits: Readonly<Limits>): unknown {
  const err = limitExceeded('/num_iter', 'num_iter', 100000, limits.numIter, 'LIMIT_NUM_ITER');
  return problemBody(err.status, err.code, err.title, err.message, err.errors, '5d0c7f7e-1b2a-4e43-8d3c-6f0a9b1c2d3e');
}
