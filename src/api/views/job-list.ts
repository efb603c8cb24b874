/**
 * GET /v1/{kind}: the list page's pieces — item (a job resource without its result, with a
 * summary), page and query schemas, and the opaque cursor (creation time + id, base64url). Pure.
 */
import Type, { type TObject } from 'typebox';
import { JOB_HEADER_FIELDS } from '../../contracts/job.js';
import { invalid } from '../../contracts/problems.js';
import type { JobCursor } from '../../queue/jobs.js';

export const LIST_LIMIT = Object.freeze({ default: 20, max: 100 });
/** a list item carries its request only below this size (inline datasets can be large) */
export const LIST_REQUEST_MAX_BYTES = 8192;

/** A list item: a job resource without its result, with the kind's `summary` of it instead. */
export function JobListItem(summary: TObject) {
  return Type.Object(
    {
      ...JOB_HEADER_FIELDS,
      request: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
        description: `the stored request, or null when it is larger than ${LIST_REQUEST_MAX_BYTES} bytes (GET links.self for it)`,
      }),
      summary: Type.Union([summary, Type.Null()], {
        description: 'the headline of a finished result (the full result is at links.self)',
      }),
      error: Type.Union([Type.Ref('Problem'), Type.Null()]),
      links: Type.Object({ self: Type.String() }, { additionalProperties: true }),
    },
    { additionalProperties: false },
  );
}

/** A page of GET /v1/{kind}, its items' summaries those of the kind. */
export function JobList(summary: TObject) {
  return Type.Object(
    {
      items: Type.Array(JobListItem(summary)),
      next_cursor: Type.Union([Type.String(), Type.Null()], {
        description: 'pass as ?cursor= for the next page; null on the last page',
      }),
      links: Type.Object(
        { self: Type.String(), next: Type.Union([Type.String(), Type.Null()]) },
        { additionalProperties: false },
      ),
    },
    { additionalProperties: false },
  );
}

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

/**
 * A job resource as a list item: no result (its headline in `summary`, which the worker stores
 * beside the result — the list never reads results; null until there is one), no oversized request.
 */
export function listItem<T extends { request: unknown; result: unknown }, S>(resource: T, summary: S | null) {
  const { result, request, ...rest } = resource;
  const small =
    request !== null && typeof request === 'object' && JSON.stringify(request).length <= LIST_REQUEST_MAX_BYTES;
  return { ...rest, request: small ? request : null, summary };
}
