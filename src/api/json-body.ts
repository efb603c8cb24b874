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
        for (let i = keys.length - 1; i >= 0; i--)
          stack.push([(v as Record<string, unknown>)[keys[i]], `${at}/${escapePointer(keys[i])}`, depth + 1]);
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

/** 400 `forbidden_property`: a poisoned body. */
export function forbiddenProperty(): ProblemError {
  return new ProblemError(
    400,
    'forbidden_property',
    'Forbidden property',
    'the body has a "__proto__" key, or a "constructor" key holding "prototype"; such keys are refused (prototype poisoning)',
  );
}

/** 400 `invalid_json`: what JSON.parse said about `body`, and a hint when it holds NaN or Infinity. */
export function invalidJson(body: string, syntax: string): ProblemError {
  const hint = /\b(NaN|-?Infinity)\b/.test(body)
    ? '; JSON has no NaN or Infinity: from Python send json.dumps(body, allow_nan=False)'
    : '';
  return new ProblemError(400, 'invalid_json', 'Invalid JSON', `the body is not valid JSON (${syntax})${hint}`);
}

/** 400 naming the first non-finite number of a parsed body. */
export function nonFiniteNumber(at: string): ProblemError {
  return invalid(
    at,
    'is not a finite number: JSON numbers beyond ±1.8e308 (such as 1e400) overflow to Infinity; send a finite value',
  );
}

/**
 * A JSON body parsed as the app's parser does (Fastify's: secure-json-parse with `__proto__` and
 * `constructor.prototype` refused, a leading BOM skipped), with the same problems: for code that
 * parses a body away from the parser (the offload threads, src/api/offload/). `body` is not empty.
 */
export function parseJsonBody(body: string): unknown {
  const text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    let syntax = '';
    try {
      JSON.parse(body);
    } catch (e) {
      syntax = (e as Error).message;
    }
    throw invalidJson(body, syntax);
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    (PROTO_RX.test(text) || CONSTRUCTOR_RX.test(text)) &&
    poisoned(value)
  )
    throw forbiddenProperty();
  const at = findNonFinite(value);
  if (at !== null) throw nonFiniteNumber(at);
  return value;
}

// secure-json-parse's prefilters and walk (protoAction and constructorAction 'error')
const PROTO_RX =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:/;
const CONSTRUCTOR_RX =
  /"(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)"\s*:/;

function poisoned(root: object): boolean {
  const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
  let next: object[] = [root];
  while (next.length) {
    const nodes = next;
    next = [];
    for (const node of nodes) {
      if (has(node, '__proto__')) return true;
      const c = (node as { constructor?: unknown }).constructor;
      if (has(node, 'constructor') && c !== null && typeof c === 'object' && has(c, 'prototype')) return true;
      for (const key in node) {
        const v = (node as Record<string, unknown>)[key];
        if (v && typeof v === 'object') next.push(v);
      }
    }
  }
  return false;
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
        if (syntax === null) return done(forbiddenProperty(), undefined);
        return done(invalidJson(body as string, syntax), undefined);
      }
      const fault = checkParsedBody(value, maxDepth);
      if (fault?.fault === 'too_deep') return done(tooDeep(fault.pointer, maxDepth), undefined);
      if (fault) return done(nonFiniteNumber(fault.pointer), undefined);
      done(null, value);
    });
  });
}
