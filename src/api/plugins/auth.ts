/**
 * API keys (`API_KEYS`): `Authorization: Bearer <key>` or `X-API-Key: <key>`. Keys are compared
 * by their SHA-256 digests with timingSafeEqual; each key maps to an owner, and jobs are visible
 * only to their owner (another owner's job id answers 404, not 403). No keys configured = open
 * service (local use), every caller is `anonymous`.
 *
 * Deny by default: the decision is made on the route the request matched (its `config.public`),
 * never on the URL text, so percent-encoded segments, absolute-form targets (`POST http://host/v1/...`),
 * `//v1/...` or case variants cannot slip past. Unmatched URLs are not public either: without a key
 * they answer 401, so a 404 tells an unauthenticated caller nothing. Only routes declared with
 * `config: { public: true }` (health, readiness, the OpenAPI document, Swagger UI) are open.
 *
 * Repeated failures are throttled per client address (AuthThrottle; the address is the socket's,
 * or X-Forwarded-For's when TRUST_PROXY says the proxy is trusted): past the burst, a request from
 * that address WITHOUT a valid key gets 429 + Retry-After until the bucket refills. The key is
 * checked first (constant time, every entry compared, the same work for a hit and a miss), so a
 * valid key is never refused by the throttle: one client failing behind a shared address (a NAT,
 * a proxy) cannot lock the others out. The trade-off, deliberately: a throttled address that sends
 * a valid key is served, so the throttle bounds the cost and log noise of failures and slows
 * clients with a wrong key, but it is not what makes keys unguessable — their entropy is (long
 * random keys in API_KEYS). A bad or missing key from a throttled address is told 429, not 401:
 * the answer says "slow down" and nothing about which key was tried.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemBody, sendProblem } from '../errors.js';
import { ProblemError } from '../../contracts/problems.js';
import { AuthThrottle } from './auth-throttle.js';

declare module 'fastify' {
  interface FastifyRequest {
    owner: string;
  }
  interface FastifyContextConfig {
    /** reachable without an API key (health, readiness, docs); every other route needs one */
    public?: boolean;
    /** a browser page (the queue dashboard): also accepts HTTP Basic with the API key as password, and asks for it with
     * WWW-Authenticate: Basic */
    basicAuth?: boolean;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export interface AuthOptions {
  /** failed authentications one client address may make in a burst (LIMIT_AUTH_FAILURES) */
  failureBurst: number;
  /** failures per minute refilled into that burst */
  failuresPerMinute: number;
}

/** Marks every route registered in `scope` (and its children) public: for third-party plugins such as Swagger UI. */
export function publicScope(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), public: true };
  });
}

/** Marks every route registered in `scope` (and its children) as a browser page: HTTP Basic accepted too. */
export function basicAuthScope(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), basicAuth: true };
  });
}

function keyOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^bearer /i.test(header)) return header.slice(7).trim();
  if (typeof header === 'string' && /^basic /i.test(header) && req.routeOptions.config?.basicAuth === true) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  const x = req.headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}

export function registerAuth(app: FastifyInstance, apiKeys: ReadonlyMap<string, string>, opts: AuthOptions): void {
  const entries = [...apiKeys].map(([key, owner]) => ({ hash: digest(key), owner }));
  app.decorateRequest('owner', 'anonymous');
  if (entries.length === 0) return;
  const throttle = new AuthThrottle(opts.failureBurst, opts.failuresPerMinute);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.routeOptions.config?.public === true) return;
    if (req.routeOptions.config?.basicAuth !== true) return check(req);
    // a third-party page has its own error handler: answer the problem here, asking the browser for Basic credentials
    try {
      check(req);
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      const headers =
        err.status === 401
          ? { ...err.headers, 'www-authenticate': 'Basic realm="lr-finder", charset="UTF-8"' }
          : err.headers;
      return sendProblem(reply, problemBody(err.status, err.code, err.title, err.message, err.errors, req.id), headers);
    }
  });

  function check(req: FastifyRequest): void {
    // the key first (constant time, every entry compared): a valid key is never refused by the throttle
    const key = keyOf(req);
    const h = digest(key ?? '');
    let owner: string | undefined;
    for (const e of entries) if (timingSafeEqual(e.hash, h)) owner = e.owner;
    if (key && owner) {
      req.owner = owner;
      return;
    }
    // only failures are throttled: past the burst the address is told to slow down (429), not which key was wrong
    const wait = throttle.blockedFor(req.ip);
    throttle.fail(req.ip);
    if (wait > 0) {
      throw new ProblemError(
        429,
        'too_many_auth_failures',
        'Too many failed authentications',
        `too many requests without a valid API key from this address; retry in ${wait} s`,
        [],
        { 'retry-after': String(wait) },
      );
    }
    if (!key) {
      throw new ProblemError(
        401,
        'unauthorized',
        'Unauthorized',
        'send your API key as "Authorization: Bearer <key>" (or X-API-Key)',
        [],
        { 'www-authenticate': 'Bearer' },
      );
    }
    throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'the API key is not valid', [], {
      'www-authenticate': 'Bearer error="invalid_token"',
    });
  }
}
