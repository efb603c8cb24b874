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

export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const s of statuses) out[s] = Type.Ref('Problem');
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
  'idempotency-key': Type.Optional(Type.String({
    minLength: 1, maxLength: 255,
    description: 'retry-safe creation (Stripe semantics): the same key and body again returns the first answer (status, Location, body; ' +
      '`Idempotent-Replayed: true`) instead of creating another; the same key with another body is a 422, while the first is in progress a 409. ' +
      'Kept IDEMPOTENCY_TTL_S (24 h) per API key.',
  })),
});
