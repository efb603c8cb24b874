/**
 * Registers every contract schema (each has a stable $id, which becomes its OpenAPI component
 * name) and installs the validators: bodies are strict (no coercion, no stripping of unknown
 * fields, no defaults injected), params and querystrings coerce as HTTP needs.
 */
import { Ajv, type AnySchema } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { COMMON_SCHEMAS } from '../contracts/components.js';
import { CurveAnalysisRequest, CurveAnalysisResult } from '../sync/curve-analyses/contract.js';
import { DatasetUploadRequest, UploadedDataset } from '../sync/datasets/contract.js';
import { SchedulePreviewRequest, SchedulePreviewResult } from '../sync/schedule-preview/contract.js';
import { SweepLossesRequest, SweepLossReport, SweepSession, SweepSessionReport, SweepSessionRequest, SweepSessionResult } from '../sync/sweep-sessions/contract.js';
import { KIND_SCHEMAS } from '../kinds/registry.js';
import { LR_SEARCH_SESSION_SCHEMAS } from '../sync/lr-search-sessions/contract.js';

// ajv-formats is CommonJS with a default export
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Every component schema, in dependency order: the shared ones, the job kinds', the synchronous routes'. */
export const SHARED_SCHEMAS = [
  ...COMMON_SCHEMAS,
  ...KIND_SCHEMAS,
  CurveAnalysisRequest, CurveAnalysisResult,
  SchedulePreviewRequest, SchedulePreviewResult,
  SweepSessionRequest, SweepLossReport, SweepLossesRequest, SweepSessionResult, SweepSessionReport, SweepSession,
  ...LR_SEARCH_SESSION_SCHEMAS,
  DatasetUploadRequest, UploadedDataset,
];

export function makeAjv(strictBody: boolean): Ajv {
  const ajv = new Ajv({
    coerceTypes: strictBody ? false : 'array',
    removeAdditional: false,
    useDefaults: false,
    allErrors: false,
    strict: false,
  });
  addFormats(ajv);
  for (const s of SHARED_SCHEMAS) ajv.addSchema(s as AnySchema);
  return ajv;
}

export function registerSchemas(app: FastifyInstance, extra: AnySchema[] = []): void {
  for (const s of [...SHARED_SCHEMAS, ...extra]) app.addSchema(s as { $id: string });
  const body = makeAjv(true);
  const other = makeAjv(false);
  for (const s of extra) {
    body.addSchema(s);
    other.addSchema(s);
  }
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : other;
    return ajv.compile(schema as AnySchema);
  });
}
