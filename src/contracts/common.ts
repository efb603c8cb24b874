/** Shared wire pieces: RFC 9457 problem details, ids, enums helpers. */
import Type, { type Static, type TSchema } from 'typebox';

/** A string enum as `anyOf` of literals would be noisy in Swagger; a plain `enum` reads better. */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * One entry of a problem's `errors[]` (the wire form of a FieldError). Its component name stays
 * `ProblemError` in the OpenAPI document; the Error class of that name is in ./problems.ts.
 */
export const ProblemFieldError = Type.Object(
  {
    pointer: Type.String({ description: 'JSON pointer to the offending field (RFC 6901), e.g. /num_iter' }),
    detail: Type.String(),
  },
  { $id: 'ProblemError', additionalProperties: false },
);

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI identifying the problem type' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'stable machine-readable code, e.g. invalid_request, limit_exceeded, not_found' }),
    instance: Type.Optional(Type.String({ description: 'the request id' })),
    errors: Type.Optional(Type.Array(Type.Ref('ProblemError'))),
  },
  { $id: 'Problem', additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' },
);

export const JobId = Type.String({ format: 'uuid', description: 'job id (UUID)' });
export const JobParams = Type.Object({ id: JobId }, { additionalProperties: false });

export const JobStatus = StringEnum(['queued', 'running', 'succeeded', 'failed', 'canceled'] as const, {
  description: 'queued → running → succeeded | failed | canceled',
});

/** A number that may be null where the underlying value was NaN/±Inf (JSON has no NaN). */
export const FiniteOrNull = Type.Union([Type.Number(), Type.Null()]);

/** What each error status means on this service's routes (the OpenAPI response descriptions). */
const PROBLEM_STATUS: Record<number, string> = {
  400: 'Bad request: a problem naming the field (JSON pointer in `errors[]`) and, past a limit, the limit and its variable; nothing was created',
  401: 'Unauthorized: no or wrong API key (only when the service runs with API_KEYS); `WWW-Authenticate: Bearer`',
  404: "Not found: unknown, expired, or another API key's",
  409: "Conflict: the state does not allow it (a finished job, an unfinished one's views, an Idempotency-Key in flight, a report out of order); the detail says what is expected",
  413: 'Payload too large: the body is over LIMIT_BODY_BYTES (LIMIT_UPLOAD_BYTES for dataset uploads)',
  415: 'Unsupported media type: the detail and `Accept-Post` name the Content-Type to send',
  422: 'Unprocessable: an Idempotency-Key reused with another body',
  429: 'Too many requests: too many jobs of this API key in flight (LIMIT_JOBS_PER_KEY) or failed authentications; `Retry-After`',
  503: 'Service unavailable: Redis unreachable, the queue full, the API overloaded or shutting down; `Retry-After`',
};

/** Error responses: RFC 9457 problems, served (and documented) as application/problem+json. */
export function problemResponses(
  ...statuses: number[]
): Record<number, { description: string; content: Record<string, { schema: TSchema }> }> {
  const out: Record<number, { description: string; content: Record<string, { schema: TSchema }> }> = {};
  for (const s of statuses) {
    out[s] = {
      description: PROBLEM_STATUS[s] ?? 'Error',
      content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
    };
  }
  return out;
}

/** A `$ref` to a registered schema that keeps the referenced schema's static type. */
export function RefOf<T extends TSchema>(schema: T) {
  const id = (schema as { $id?: string }).$id;
  if (!id) throw new Error('RefOf needs a schema with an $id');
  return Type.Unsafe<Static<T>>(Type.Ref(id));
}

/** The `Idempotency-Key` request header of the creating POSTs (src/api/plugins/idempotency.ts). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description:
        'retry-safe creation (Stripe semantics): the same key and body again returns the first answer (status, Location, body; ' +
        '`Idempotent-Replayed: true`) instead of creating another; the same key with another body is a 422, while the first is in progress a 409. ' +
        'Kept IDEMPOTENCY_TTL_S (24 h) per API key.',
    }),
  ),
});
