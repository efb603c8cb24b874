/**
 * Typed errors that become RFC 9457 problems. Thrown by request resolution (pure) and by the
 * API; src/api/errors.ts is the one place that turns them into application/problem+json.
 */
export interface FieldError {
  /** JSON pointer into the request body, e.g. /num_iter */
  pointer: string;
  detail: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }
}

/** 400: the body is well-formed JSON of the right shape but a value is invalid. */
export function invalid(pointer: string, detail: string): ProblemError {
  return new ProblemError(400, 'invalid_request', 'Invalid request', `${pointer}: ${detail}`, [{ pointer, detail }]);
}

/** 400 with code limit_exceeded: a configurable service limit, named with its value. */
export function limitExceeded(
  pointer: string,
  what: string,
  value: number,
  limit: number,
  envName: string,
): ProblemError {
  const detail = `${what} is ${value}, above this service's limit of ${limit} (${envName})`;
  return new ProblemError(400, 'limit_exceeded', 'Limit exceeded', `${pointer}: ${detail}`, [{ pointer, detail }]);
}

/** 404: what the path names does not exist, has expired, or belongs to another API key. */
export function notFound(detail: string): ProblemError {
  return new ProblemError(404, 'not_found', 'Not found', detail);
}
