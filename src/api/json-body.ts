/**
 * The JSON body parser of every route: Fastify's own (secure-json-parse: `__proto__` and
 * `constructor.prototype` keys refused), then a walk that refuses non-finite numbers. JSON has no
 * Infinity, but a number beyond ±1.8e308 (`1e400`) parses to ±Infinity: it is a 400 naming its
 * JSON pointer, before any route sees the body. A poisoned body gets its own message.
 */
import type { FastifyInstance } from 'fastify';
import { invalid, ProblemError } from '../contracts/problems.js';

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The JSON pointer of the first non-finite number in `value` (depth first, iteratively), or null. */
export function findNonFinite(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return at || '/';
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) stack.push([(v as Record<string, unknown>)[keys[i]], `${at}/${escapePointer(keys[i])}`]);
    }
  }
  return null;
}

export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parse(req, body as string, (err: Error | null, value?: unknown) => {
      if (err) {
        if ((err as { code?: string }).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return done(err, undefined);
        // Fastify's parser says only "invalid": plain JSON.parse tells a syntax error (and where) from a poisoned body
        let syntax: string | null = null;
        try {
          JSON.parse(body as string);
        } catch (e) {
          syntax = (e as Error).message;
        }
        if (syntax === null) {
          return done(new ProblemError(400, 'forbidden_property', 'Forbidden property',
            'the body has a "__proto__" key, or a "constructor" key holding "prototype"; such keys are refused (prototype poisoning)'), undefined);
        }
        const hint = /\b(NaN|-?Infinity)\b/.test(body as string) ? '; JSON has no NaN or Infinity: from Python send json.dumps(body, allow_nan=False)' : '';
        return done(new ProblemError(400, 'invalid_json', 'Invalid JSON', `the body is not valid JSON (${syntax})${hint}`), undefined);
      }
      const at = findNonFinite(value);
      if (at !== null) {
        return done(invalid(at, 'is not a finite number: JSON numbers beyond ±1.8e308 (such as 1e400) overflow to Infinity; send a finite value'), undefined);
      }
      done(null, value);
    });
  });
}
