/**
 * The OpenAPI document's examples, built from the real thing rather than typed: a job kind's
 * request examples are its presets (the default first, so Swagger UI's "Try it out → Execute" runs
 * it in one click), its job example is a queued job whose `request` is what resolving the default
 * preset stores, and the problem example is the answer to a real limit. Swagger UI shows these
 * instead of samples generated from the schemas (`"additionalProp1": {}` for free-form objects).
 * Requests in examples are resolved under the default limits (a service configured with smaller
 * ones still documents, and builds, with the presets' examples).
 * Media-type examples go through @fastify/swagger's `x-examples` (→ `examples` of the media type).
 */
import { loadConfig, type Limits } from '../config.js';
import { countLayerParams } from '../contracts/params.js';
import { limitExceeded } from '../contracts/problems.js';
import type { RegisteredKind } from '../kinds/registry.js';
import { problemBody } from './errors.js';
import { jobResource } from './job-resource.js';
import { newSweep } from '../lrfinder/session.js';
import { analyzeCurveRequest } from '../sync/curve-analyses/analyze.js';
import type { CurveAnalysisRequest } from '../sync/curve-analyses/contract.js';
import type { LrSearchSessionRequest } from '../sync/lr-search-sessions/contract.js';
import {
  applyReport,
  resolveSearchSession,
  sessionResource as searchResource,
  startSession,
  type SearchSessionDoc,
} from '../sync/lr-search-sessions/session.js';
import { grantLeases } from '../sync/lr-search-sessions/leases.js';
import type { SweepLossesRequest, SweepSessionRequest } from '../sync/sweep-sessions/contract.js';
import { resolveSweepSession, sweepOptionsOf } from '../sync/sweep-sessions/request.js';
import {
  applyReports,
  reportsIn,
  sessionReport,
  sessionResource,
  stopSession,
} from '../sync/sweep-sessions/resource.js';
import type { SweepDoc } from '../sync/sweep-sessions/store.js';

const DEFAULT_LIMITS = loadConfig({}).limits;

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
export function jobExample(kind: RegisteredKind): unknown {
  const request = kind.resolve({}, { limits: DEFAULT_LIMITS, countParams: countLayerParams, datasets: new Map() });
  return jobResource({
    id: '0b7e5a4c-2f1d-4c8e-9a6b-3d2f1e0c9b8a',
    kind: kind.name,
    status: 'queued',
    progress: null,
    created_at: '2026-01-01T12:00:00.000Z',
    started_at: null,
    finished_at: null,
    request,
    result: null,
    failure: null,
    owner: 'anonymous',
  });
}

/** The problem a range-test POST answers for `{"num_iter": 100000}` (past LIMIT_NUM_ITER; its `instance` is the request
 * id). */
export function problemExample(limits: Readonly<Limits>): unknown {
  const err = limitExceeded(
    '/num_iter',
    'num_iter',
    Math.max(100000, limits.numIter + 1),
    limits.numIter,
    'LIMIT_NUM_ITER',
  );
  return problemBody(err.status, err.code, err.title, err.message, err.errors, '5d0c7f7e-1b2a-4e43-8d3c-6f0a9b1c2d3e');
}

const ID = '0b7e5a4c-2f1d-4c8e-9a6b-3d2f1e0c9b8a';
const AT = '2026-01-01T12:00:00.000Z';
const one = (summary: string, value: unknown) => ({ example: { summary, value } });

/** GET /v1/{kind}/{id} and its cancel: the default preset's job, queued, and canceled. */
export function jobViewExamples(kind: RegisteredKind) {
  const queued = jobExample(kind) as Record<string, unknown>;
  return {
    get: one(
      "the default preset's job, still queued (status then running with progress, then succeeded with result)",
      queued,
    ),
    cancel: one('canceled before it ran', { ...queued, status: 'canceled', finished_at: AT }),
  };
}

/** A curve analysis: the answer to the request schema's own example, computed. */
export function curveAnalysisExample(example: CurveAnalysisRequest) {
  return one(
    'the answer to the request example',
    JSON.parse(JSON.stringify(analyzeCurveRequest(example, DEFAULT_LIMITS.numIter))),
  );
}

/** Sweep sessions: a new session for the request example, the answer to the first report, a stop. */
export function sweepSessionExamples(example: SweepSessionRequest, report: SweepLossesRequest) {
  const request = resolveSweepSession(example, DEFAULT_LIMITS);
  const doc: SweepDoc = {
    id: ID,
    owner: 'anonymous',
    created_at: AT,
    updated_at: AT,
    request,
    state: newSweep(sweepOptionsOf(request)),
    result: null,
  };
  const after = applyReports(doc, reportsIn(report), () => '', new Date(AT)).doc;
  return {
    created: one('a new session for the request example: train one step at next.lr', sessionResource(doc)),
    report: one('the answer to the first report', sessionReport(after)),
    session: one('the session after one report', sessionResource(after)),
    stopped: one(
      'stopped after one point (too few for a suggestion: each method says why)',
      sessionReport(stopSession(after, new Date(AT))),
    ),
  };
}

/** LR search sessions: a new session for the request example (its first step is a range-test step), and after its first
 * report. */
/** a parallel session without a range test (so trials at once), its first two trials leased */
function parallelLeases(example: LrSearchSessionRequest) {
  const request = resolveSearchSession({ ...example, range_test: false, parallelism: 2 }, DEFAULT_LIMITS);
  const doc: SearchSessionDoc = {
    id: ID,
    owner: 'anonymous',
    created_at: AT,
    updated_at: AT,
    request,
    ...startSession(request),
  };
  let n = 0;
  const ids = ['2b1f6c1e-0d4e-4c8e-9a51-7f3a8c2d9e01', '9c4e2a7b-5f1d-4b3a-8e6c-1d2f3a4b5c6d'];
  const { doc: after, granted } = grantLeases(doc, undefined, new Date(AT), () => ids[n++]);
  return { granted, session: searchResource(after, new Date(AT)) };
}

export function searchSessionExamples(example: LrSearchSessionRequest) {
  const request = resolveSearchSession(example, DEFAULT_LIMITS);
  const doc: SearchSessionDoc = {
    id: ID,
    owner: 'anonymous',
    created_at: AT,
    updated_at: AT,
    request,
    ...startSession(request),
  };
  const after = applyReport(doc, { iteration: 0, loss: 2.302 }, new Date(AT));
  return {
    created: one('a new session for the request example', searchResource(doc)),
    report: one('after the first range-test report {"iteration": 0, "loss": 2.302}', searchResource(after)),
    leases: one('two trials handed out by a session started with parallelism 2', parallelLeases(example)),
  };
}
