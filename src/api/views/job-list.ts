/**
 * GET /v1/{kind}: the list page's pieces — item (a job resource without its result, with a
 * summary), page and query schemas, and the opaque cursor (creation time + id, base64url). Pure.
 */
import Type from 'typebox';
import { JOB_HEADER_FIELDS } from '../../contracts/job.js';
import { invalid } from '../../contracts/problems.js';
import type { JobCursor } from '../../queue/jobs.js';

export const LIST_LIMIT = Object.freeze({ default: 20, max: 100 });
/** a list item carries its request only below this size (inline datasets can be large) */
export const LIST_REQUEST_MAX_BYTES = 8192;


export const JobListItem = Type.Object(
  {
    ...JOB_HEADER_FIELDS,
    request: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: `the stored request, or null when it is larger than ${LIST_REQUEST_MAX_BYTES} bytes (GET links.self for it)`,
    }),
    summary: Type.Union([
      Type.Object({
        suggested_lr: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
        suggestion_method: Type.Optional(Type.String()),
        stop_reason: Type.Optional(Type.String()),
        iterations: Type.Optional(Type.Integer()),
        best_lr: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
        best_schedule: Type.Optional(Type.String({ description: 'schedule simulations: the first of `ranking`' })),
        verdict: Type.Optional(Type.String({ description: 'diagnostics: the worst check status (pass, warn, fail)' })),
      }, { additionalProperties: false }),
      Type.Null(),
    ], { description: 'the headline of a finished result (the full result is at links.self)' }),
    error: Type.Union([Type.Ref('Problem'), Type.Null()]),
    links: Type.Object({ self: Type.String() }, { additionalProperties: true }),
  },
  { additionalProperties: false },
);

export const JobList = Type.Object(
  {
    items: Type.Array(JobListItem),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as ?cursor= for the next page; null on the last page' }),
    links: Type.Object({ self: Type.String(), next: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIST_LIMIT.max, default: LIST_LIMIT.default })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'next_cursor of the previous page' })),
  },
  { additionalProperties: false },
);

export function encodeCursor(c: JobCursor): string {
  return Buffer.from(`${c.at}.${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(s: string): JobCursor {
  const m = /^(\d{1,16})\.([0-9a-fA-F-]{36})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
  if (!m) throw invalid('/querystring/cursor', 'is not a cursor from this API (use next_cursor of the previous page)');
  return { at: Number(m[1]), id: m[2] };
}

/** A job resource as a list item: no result (its headline in `summary`), no oversized request. */
export function listItem<T extends { request: unknown; result: unknown }>(resource: T) {
  const { result, request, ...rest } = resource;
  const small = request !== null && typeof request === 'object' && JSON.stringify(request).length <= LIST_REQUEST_MAX_BYTES;
  return { ...rest, request: small ? request : null, summary: summary(result) };
}

export function summary(result: unknown) {
  if (!result || typeof result !== 'object') return null;
  const r = result as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if ('suggested_lr' in r) out.suggested_lr = r.suggested_lr;
  const method = (r.suggestion as { method?: unknown } | undefined)?.method;
  if (typeof method === 'string') out.suggestion_method = method;
  if (typeof r.stop_reason === 'string') out.stop_reason = r.stop_reason;
  if (Number.isInteger(r.iterations)) out.iterations = r.iterations;
  if ('best_lr' in r) out.best_lr = r.best_lr;
  if (Array.isArray(r.ranking) && typeof r.ranking[0] === 'string') out.best_schedule = r.ranking[0];
  if (typeof r.verdict === 'string') out.verdict = r.verdict;
  return out;
}
