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
 * Repeated failures are throttled per client address (AuthThrottle): past the burst, the address
 * gets 429 + Retry-After without its key being looked at, until the bucket refills.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../../contracts/problems.js';
import { AuthThrottle } from './auth-throttle.js';

declare module 'fastify' {
  interface FastifyRequest {
    owner: string;
  }
  interface FastifyContextConfig {
    /** reachable without an API key (health, readiness, docs); every other route needs one */
    public?: boolean;
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

function keyOf(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^bearer /i.test(header)) return header.slice(7).trim();
  const x = req.headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}

export function registerAuth(app: FastifyInstance, apiKeys: ReadonlyMap<string, string>, opts: AuthOptions): void {
  const entries = [...apiKeys].map(([key, owner]) => ({ hash: digest(key), owner }));
  app.decorateRequest('owner', 'anonymous');
  if (entries.length === 0) return;
  const throttle = new AuthThrottle(opts.failureBurst, opts.failuresPerMinute);

  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (req.routeOptions.config?.public === true) return;
    const wait = throttle.blockedFor(req.ip);
    if (wait > 0) {
      throw new ProblemError(429, 'too_many_auth_failures', 'Too many failed authentications',
        `too many requests without a valid API key from this address; retry in ${wait} s`, [], { 'retry-after': String(wait) });
    }
    const key = keyOf(req);
    if (!key) {
      throttle.fail(req.ip);
      throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'send your API key as "Authorization: Bearer <key>" (or X-API-Key)', [], { 'www-authenticate': 'Bearer' });
    }
    const h = digest(key);
    let owner: string | undefined;
    for (const e of entries) if (timingSafeEqual(e.hash, h)) owner = e.owner;
    if (!owner) {
      throttle.fail(req.ip);
      throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'the API key is not valid', [], { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    req.owner = owner;
  });
}
