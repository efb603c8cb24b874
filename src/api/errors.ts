/**
 * The one error handler: every error leaves as RFC 9457 application/problem+json with
 * `type`, `title`, `status`, `detail`, `code`, `instance` (the request id) and, for field
 * errors, `errors[]` of JSON pointers. No stack traces, no Redis internals.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, type FieldError } from '../contracts/problems.js';
import { emptyBody, unsupportedMediaType } from './body-media.js';

export const PROBLEM_BASE = 'https://lr-finder.dev/problems/';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldError[];
}

export function problemBody(
  status: number,
  code: string,
  title: string,
  detail: string,
  errors?: FieldError[],
  instance?: string,
): ProblemBody {
  const body: ProblemBody = { type: PROBLEM_BASE + code, title, status, detail, code };
  if (instance) body.instance = instance;
  if (errors && errors.length) body.errors = errors;
  return body;
}

export function sendProblem(
  reply: FastifyReply,
  body: ProblemBody,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply.code(body.status).headers(headers).type('application/problem+json').send(body);
}

export interface AjvError {
  instancePath: string;
  schemaPath?: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** at most this many field errors in one answer (the rest are counted in the last one) */
export const MAX_FIELD_ERRORS = 20;

/**
 * Every mistake of a request, one field error each (at most MAX_FIELD_ERRORS): Ajv's errors
 * (collected with allErrors, ./schemas.ts) outside any union each become one; everything Ajv says
 * under one union (a layer, `data`, a schedule: each branch's failures) becomes that union's one
 * most precise error (fieldErrors). In the order of the request's fields.
 */
export function allFieldErrors(validation: AjvError[], context: string, fit?: BranchFit): FieldError[] {
  const unions = [
    ...new Set(validation.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath)),
  ];
  // the outermost unions: a union inside another is decided with it
  const outer = unions.filter((u) => !unions.some((v) => v !== u && within(u, v)));
  // in the order Ajv met them: single errors, and each union's errors gathered where it first appears
  const entries: (AjvError[] | AjvError)[] = [];
  const byUnion = new Map<string, AjvError[]>();
  for (const e of validation) {
    const u = outer.find((p) => within(e.instancePath, p));
    if (u === undefined) {
      entries.push(e);
      continue;
    }
    let group = byUnion.get(u);
    if (!group) {
      group = [];
      byUnion.set(u, group);
      entries.push(group);
    }
    group.push(e);
  }
  const all = entries.flatMap((entry) => fieldErrors(Array.isArray(entry) ? entry : [entry], context, fit));
  const unique = all.filter((f, i) => all.findIndex((g) => g.pointer === f.pointer && g.detail === f.detail) === i);
  if (unique.length <= MAX_FIELD_ERRORS) return unique;
  const kept = unique.slice(0, MAX_FIELD_ERRORS);
  const last = kept[MAX_FIELD_ERRORS - 1];
  kept[MAX_FIELD_ERRORS - 1] = {
    ...last,
    detail: `${last.detail} (and ${unique.length - MAX_FIELD_ERRORS} more errors not listed)`,
  };
  return kept;
}

/** `path` is `prefix` or below it, as JSON pointers */
function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`) || prefix === '';
}

/**
 * How well a union branch fits what the caller sent: for a branch that failed on a missing field,
 * the fields of the object the caller sent that the branch knows, minus those it does not. (Inline
 * `{x, y}` without `task` fits the inline branch, not the built-in one that misses `name`.)
 */
export type BranchFit = (e: { schemaPath?: string; instancePath: string }) => number;

/** A BranchFit over the app's shared schemas (by $id) and the request's body. */
export function branchFit(getSchema: (id: string) => unknown, rootSchema: unknown, body: unknown): BranchFit {
  return (e) => {
    const path = (e.schemaPath ?? '').split('/');
    path.pop(); // the keyword ("required")
    const id = path.shift() ?? '';
    let schema = (id === '#' ? rootSchema : getSchema(id)) as Record<string, unknown> | undefined;
    for (const seg of path)
      schema = schema?.[decodeURIComponent(seg).replace(/~1/g, '/').replace(/~0/g, '~')] as
        Record<string, unknown> | undefined;
    let value = body as Record<string, unknown> | undefined;
    for (const seg of e.instancePath.split('/').slice(1))
      value = value?.[seg.replace(/~1/g, '/').replace(/~0/g, '~')] as Record<string, unknown> | undefined;
    const known = schema?.properties as Record<string, unknown> | undefined;
    if (!known || !value || typeof value !== 'object' || Array.isArray(value)) return 0;
    const keys = Object.keys(value);
    const hits = keys.filter((k) => Object.hasOwn(known, k)).length;
    return hits - (keys.length - hits);
  };
}

/** Turns Ajv errors into one precise field error: the deepest one wins over a generic anyOf. */
export function fieldErrors(validation: AjvError[], context: string, fit: BranchFit = () => 0): FieldError[] {
  const root = context === 'body' ? '' : `/${context}`;
  const scored = validation
    .filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf')
    .map((e) => {
      let pointer = root + e.instancePath;
      let detail = e.message ?? 'is invalid';
      if (e.keyword === 'additionalProperties') {
        pointer += `/${String(e.params.additionalProperty)}`;
        detail = 'is not a known field (unknown fields are rejected, not ignored)';
        if (e.params.additionalProperty === 'lr' && /\/optimizer$/.test(pointer.slice(0, -3))) {
          detail =
            'is not a known field: the LR is what the service varies, not part of the optimizer — a range test sweeps ' +
            'it from `start_lr` to `end_lr`, an LR search finds it, and a schedule takes its base LR as `schedule.lr`';
        }
      } else if (e.keyword === 'required') {
        pointer += `/${String(e.params.missingProperty)}`;
        detail = 'is required';
      } else if (e.keyword === 'type') {
        detail = `must be ${String(e.params.type)} (values are never coerced from other types)`;
      } else if (e.keyword === 'enum') {
        detail = `must be one of: ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`;
      } else if (e.keyword === 'const') {
        detail = `must be ${JSON.stringify(e.params.allowedValue)}`;
      }
      return { pointer: pointer || '/', detail, depth: pointer.split('/').length, keyword: e.keyword, fit: fit(e) };
    });
  if (scored.length === 0) {
    const first = validation[0];
    return [{ pointer: root + (first?.instancePath ?? '') || '/', detail: first?.message ?? 'is invalid' }];
  }
  // With unions Ajv reports the first failure of each branch; the deepest is the one the caller meant,
  // and a `const`/`type` mismatch on a discriminator (e.g. layer `type`) is the least informative.
  // At the same depth, an error about a field the caller sent (inline `data` whose `/data/x` has too
  // many rows) names the branch meant better than another branch's missing field (`/data/name`).
  // Among errors of several branches, the branch whose fields the caller sent wins (with every error
  // collected, another branch's "x is not a known field" is only a sign that the caller meant another branch).
  scored.sort((a, b) => b.depth - a.depth || b.fit - a.fit || rank(a.keyword) - rank(b.keyword));
  const best = scored[0];
  return [{ pointer: best.pointer, detail: best.detail }];
}

function rank(keyword: string): number {
  return keyword === 'const' ? 3 : keyword === 'type' ? 2 : keyword === 'required' ? 1 : 0;
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler(
    (
      err: FastifyError & { validation?: AjvError[]; validationContext?: string },
      req: FastifyRequest,
      reply: FastifyReply,
    ) => {
      // Fastify's own body errors say what was wrong; these say what to send instead (body-media.ts)
      if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') err = unsupportedMediaType(req) as unknown as typeof err;
      else if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') err = emptyBody(req) as unknown as typeof err;
      if (err instanceof ProblemError) {
        if (err.status >= 500) {
          const cause = (err as { cause?: unknown }).cause;
          req.log.warn({ code: err.code, cause: cause instanceof Error ? cause.message : cause }, err.message);
        }
        const detail = err.code === 'queue_unavailable' ? unavailableDetail(req.method) : err.message;
        return sendProblem(
          reply,
          problemBody(err.status, err.code, err.title, detail, err.errors, req.id),
          err.headers,
        );
      }
      if (err.validation) {
        const context = err.validationContext ?? 'body';
        const part = (req as unknown as Record<string, unknown>)[context];
        const rootSchema = (req.routeOptions.schema as Record<string, unknown> | undefined)?.[context];
        const errors = allFieldErrors(
          err.validation,
          context,
          branchFit((id) => req.server.getSchema(id), rootSchema, part),
        );
        const detail = errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ');
        return sendProblem(reply, problemBody(400, 'invalid_request', 'Invalid request', detail, errors, req.id));
      }
      const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
      if (status >= 500) {
        req.log.error({ err }, 'unhandled error');
        return sendProblem(
          reply,
          problemBody(
            500,
            'internal_error',
            'Internal error',
            'an unexpected error occurred; the request id identifies it in the logs',
            undefined,
            req.id,
          ),
        );
      }
      const code = FASTIFY_CODES[err.code ?? ''] ?? 'bad_request';
      const detail = err.message;
      return sendProblem(reply, problemBody(status, code, titleOf(status), detail, undefined, req.id));
    },
  );

  app.setNotFoundHandler((req, reply) =>
    sendProblem(
      reply,
      problemBody(
        404,
        'not_found',
        'Not found',
        `no route ${req.method} ${req.url.split('?')[0].slice(0, 200)}`,
        undefined,
        req.id,
      ),
    ),
  );

  // while the server closes: a 503 problem (instead of Fastify's plain return503OnClosing body)
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_req, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      throw new ProblemError(
        503,
        'shutting_down',
        'Service unavailable',
        'the server is shutting down; retry shortly',
        [],
        { 'retry-after': '5' },
      );
    }
  });
}

/** queue_unavailable's detail says what the request did: a read read nothing, a write queued and changed nothing. */
export function unavailableDetail(method: string): string {
  return method === 'GET' || method === 'HEAD'
    ? 'the job store is not reachable right now, so nothing could be read; retry shortly'
    : 'the job queue is not reachable right now; nothing was queued or changed, retry shortly';
}

/**
 * Errors Fastify raises before routing (Fastify's `frameworkErrors` option): a URL that does not
 * decode (400), a path parameter over maxParamLength (414), as problems naming nothing of the URL.
 */
export function frameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : err.code === 'FST_ERR_BAD_URL' ? 400 : 500;
  const [code, title, detail] =
    status === 414
      ? ['uri_too_long', 'URI too long', 'a path segment of the URL is longer than this service accepts']
      : status === 400
        ? ['bad_url', 'Bad request', 'the URL is not valid (malformed percent-encoding)']
        : ['internal_error', 'Internal error', 'the request could not be routed'];
  void sendProblem(reply, problemBody(status, code, title, detail, undefined, req.id));
}

/** Malformed HTTP (Node's clientError): a problem+json answer on the raw socket, then close. */
export function clientError(err: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (!socket.writable) return void socket.destroy();
  const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const title = status === 408 ? 'Request timeout' : status === 431 ? 'Request header fields too large' : 'Bad request';
  const body = JSON.stringify(
    problemBody(
      status,
      status === 400 ? 'bad_request' : title.toLowerCase().replace(/ /g, '_'),
      title,
      'the HTTP request could not be read',
    ),
  );
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_CONTENT_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
};

function titleOf(status: number): string {
  return (
    (
      {
        400: 'Bad request',
        401: 'Unauthorized',
        404: 'Not found',
        405: 'Method not allowed',
        408: 'Request timeout',
        409: 'Conflict',
        413: 'Payload too large',
        414: 'URI too long',
        415: 'Unsupported media type',
        429: 'Too many requests',
        431: 'Request header fields too large',
        503: 'Service unavailable',
      } as Record<number, string>
    )[status] ?? 'Error'
  );
}
