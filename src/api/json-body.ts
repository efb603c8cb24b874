/**
 * The JSON body parser of every route: Fastify's own (secure-json-parse: `__proto__` and
 * `constructor.prototype` keys refused), then a walk that refuses non-finite numbers. JSON has no
 * Infinity, but a number beyond ±1.8e308 (`1e400`) parses to ±Infinity: it is a 400 naming its
 * JSON pointer, before any route sees the body. A poisoned body gets its own message. A body nested
 * deeper than LIMIT_JSON_DEPTH is a 400 too, found by the same iterative walk before anything that
 * recurses (validation, the schedule builder, JSON.stringify, structured clone) sees it.
 */
import type { FastifyInstance } from 'fastify';
import { invalid, ProblemError } from '../contracts/problems.js';

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** What is wrong with a parsed body, found by one iterative walk (checkParsedBody). */
export interface BodyFault {
  /** JSON pointer of the value */
  pointer: string;
  /** non_finite: a number that overflowed to ±Infinity; too_deep: a container nested deeper than allowed */
  fault: 'non_finite' | 'too_deep';
}

/**
 * The first fault of a parsed body, depth first, without recursion (a body nested 100,000 deep is
 * walked like a flat one): a non-finite number, or an array/object at nesting depth `maxDepth + 1`
 * (the body itself is depth 1). Nothing deeper than that is visited.
 */
export function checkParsedBody(value: unknown, maxDepth = Infinity): BodyFault | null {
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length) {
    const [v, at, depth] = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { pointer: at || '/', fault: 'non_finite' };
    } else if (v !== null && typeof v === 'object') {
      if (depth + 1 > maxDepth) return { pointer: at || '/', fault: 'too_deep' };
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${at}/${i}`, depth + 1]);
      } else {
        const keys = Object.keys(v);
        for (let i = keys.length - 1; i >= 0; i--) stack.push([(v as Record<string, unknown>)[keys[i]], `${at}/${escapePointer(keys[i])}`, depth + 1]);
      }
    }
  }
  return null;
}

/** The JSON pointer of the first non-finite number in `value` (depth first, iteratively), or null. */
export function findNonFinite(value: unknown): string | null {
  const f = checkParsedBody(value);
  return f && f.pointer;
}

/** 400 limit_exceeded for a body nested deeper than LIMIT_JSON_DEPTH, naming where. */
export function tooDeep(pointer: string, maxDepth: number): ProblemError {
  const detail = `arrays and objects are nested more than ${maxDepth} deep here, above this service's limit of ${maxDepth} (LIMIT_JSON_DEPTH)`;
  return new ProblemError(400, 'limit_exceeded', 'Limit exceeded', `${pointer}: ${detail}`, [{ pointer, detail }]);
}

export function registerJsonBody(app: FastifyInstance, maxDepth: number): void {
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
      const fault = checkParsedBody(value, maxDepth);
      if (fault?.fault === 'too_deep') return done(tooDeep(fault.pointer, maxDepth), undefined);
      if (fault) {
        return done(invalid(fault.pointer, 'is not a finite number: JSON numbers beyond ±1.8e308 (such as 1e400) overflow to Infinity; send a finite value'), undefined);
      }
      done(null, value);
    });
  });
}
