/**
 * What a POST body must be, said to the client: a body in a media type the route does not take is a
 * 415 problem naming the Content-Type to send (application/json; text/csv too on dataset uploads),
 * and a route that takes a body answers an empty one with a 400 `empty_body` saying what to send,
 * instead of a schema message about `/` (or, on dataset uploads, an internal error).
 * Fastify's default text/plain parser is removed: a JSON document sent as text/plain is a 415, not
 * a 400 "must be object".
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../contracts/problems.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the media types the route's body may be in (default: application/json) */
    accepts?: string[];
  }
}

/** The media types a route's body may be in: its `config.accepts`, else JSON only. */
export function acceptedTypes(req: FastifyRequest): string[] {
  const accepts = req.routeOptions?.config?.accepts;
  return accepts && accepts.length ? accepts : ['application/json'];
}

function sendThis(types: string[]): string {
  return types.map((t) => `Content-Type: ${t}`).join(' or ');
}

/** 415: the body's media type, and what to send instead. */
export function unsupportedMediaType(req: FastifyRequest): ProblemError {
  const sent = req.headers['content-type'];
  const types = acceptedTypes(req);
  const what = sent
    ? `a body of type ${String(sent).split(';')[0].trim().slice(0, 100)}`
    : 'a body without a Content-Type header';
  const example = types.includes('text/csv')
    ? ` (curl: -H 'content-type: application/json' -d '{...}', or -H 'content-type: text/csv' --data-binary @file.csv)`
    : ` (curl: -H 'content-type: application/json' -d '{...}')`;
  return new ProblemError(
    415,
    'unsupported_media_type',
    'Unsupported media type',
    `${req.method} ${req.routeOptions?.url ?? req.url.split('?')[0]} does not take ${what}: send ${sendThis(types)}${example}`,
    [],
    { 'accept-post': types.join(', ') },
  );
}

/** 400: a route that takes a body got none. */
export function emptyBody(req: FastifyRequest): ProblemError {
  const types = acceptedTypes(req);
  const hint = types.includes('text/csv')
    ? 'a JSON object ({task, x, y}) with Content-Type: application/json, or a CSV file (a header row, then the rows) with Content-Type: text/csv'
    : 'a JSON object with Content-Type: application/json (the request schema and an example of each route are at /docs)';
  return new ProblemError(400, 'empty_body', 'Empty body', `the request body is empty: send ${hint}`, [
    { pointer: '/', detail: 'is empty' },
  ]);
}

export function registerBodyChecks(app: FastifyInstance): void {
  app.removeContentTypeParser('text/plain');
  app.addHook('preValidation', async (req) => {
    if (!req.routeOptions?.schema?.body) return;
    const body = req.body as unknown;
    if (body === undefined || (typeof body === 'string' && body.trim() === '')) throw emptyBody(req);
  });
}
