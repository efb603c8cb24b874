/**
 * Registers every contract schema (each has a stable $id, which becomes its OpenAPI component
 * name) and installs the validators: bodies are strict (no coercion, no stripping of unknown
 * fields, no defaults injected), params and querystrings coerce as HTTP needs.
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import { COMMON_SCHEMAS } from '../contracts/components.js';
import { CurveAnalysisRequest, CurveAnalysisResult } from '../sync/curve-analyses/contract.js';
import { DatasetUploadRequest, UploadedDataset } from '../sync/datasets/contract.js';
import { SchedulePreviewRequest, SchedulePreviewResult } from '../sync/schedule-preview/contract.js';
import {
  SweepLossesRequest,
  SweepLossReport,
  SweepSession,
  SweepSessionReport,
  SweepSessionRequest,
  SweepSessionResult,
} from '../sync/sweep-sessions/contract.js';
import { KIND_SCHEMAS } from '../kinds/registry.js';
import { LR_SEARCH_SESSION_SCHEMAS } from '../sync/lr-search-sessions/contract.js';

// ajv-formats is CommonJS with a default export
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/** Every component schema, in dependency order: the shared ones, the job kinds', the synchronous routes'. */
export const SHARED_SCHEMAS = [
  ...COMMON_SCHEMAS,
  ...KIND_SCHEMAS,
  CurveAnalysisRequest,
  CurveAnalysisResult,
  SchedulePreviewRequest,
  SchedulePreviewResult,
  SweepSessionRequest,
  SweepLossReport,
  SweepLossesRequest,
  SweepSessionResult,
  SweepSessionReport,
  SweepSession,
  ...LR_SEARCH_SESSION_SCHEMAS,
  DatasetUploadRequest,
  UploadedDataset,
];

export function makeAjv(strictBody: boolean, allErrors = false): Ajv {
  const ajv = new Ajv({
    coerceTypes: strictBody ? false : 'array',
    removeAdditional: false,
    useDefaults: false,
    allErrors,
    strict: false,
  });
  addFormats(ajv);
  for (const s of SHARED_SCHEMAS) ajv.addSchema(s as AnySchema);
  return ajv;
}

export function registerSchemas(app: FastifyInstance, extra: AnySchema[] = []): void {
  for (const s of [...SHARED_SCHEMAS, ...extra]) app.addSchema(s as { $id: string });
  const body = makeAjv(true);
  const bodyAll = makeAjv(true, true);
  const other = makeAjv(false);
  for (const s of extra) {
    body.addSchema(s);
    bodyAll.addSchema(s);
    other.addSchema(s);
  }
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? bodyValidator(body, bodyAll, schema as AnySchema) : other.compile(schema as AnySchema),
  );
}

/**
 * A request body's validator: a valid body is checked once, stopping at nothing; an invalid one of a
 * bounded size again with allErrors, so the answer lists every mistake (errors.ts: allFieldErrors).
 * A large invalid body (100,000 rows) gets its first error only: allErrors on it would build an error
 * per bad cell. `body` and `bodyAll` are makeAjv(true) and makeAjv(true, true).
 */
export function bodyValidator(
  body: Ajv,
  bodyAll: Ajv,
  schema: AnySchema,
): ((data: unknown) => boolean) & { errors: ValidateFunction['errors'] } {
  const first = body.compile(schema);
  let all: ValidateFunction | undefined;
  const validate = ((data: unknown) => {
    if (first(data)) {
      validate.errors = null;
      return true;
    }
    if (nodesAtMost(data, ALL_ERRORS_MAX_NODES)) {
      all ??= bodyAll.compile(schema);
      all(data);
      validate.errors = all.errors?.length ? all.errors : first.errors;
    } else {
      validate.errors = first.errors;
    }
    return false;
  }) as ((data: unknown) => boolean) & { errors: ValidateFunction['errors'] };
  return validate;
}

/** bodies with at most this many JSON values are re-validated with allErrors when invalid */
export const ALL_ERRORS_MAX_NODES = 5000;

/** Whether `data` has at most `limit` JSON values (counted without recursion, stopping at the limit). */
export function nodesAtMost(data: unknown, limit: number): boolean {
  const stack: unknown[] = [data];
  let n = 0;
  while (stack.length) {
    const v = stack.pop();
    if (++n > limit) return false;
    const children = Array.isArray(v) ? v : v !== null && typeof v === 'object' ? Object.values(v) : null;
    if (!children) continue;
    if (n + stack.length + children.length > limit) return false;
    for (const x of children) stack.push(x);
  }
  return true;
}
