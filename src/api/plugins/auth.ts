/**
 * API keys (`API_KEYS`): `Authorization: Bearer <key>` or `X-API-Key: <key>`. Keys are compared
 * by their SHA-256 digests with timingSafeEqual; each key maps to an owner, and jobs are visible
 * only to their owner (another owner's job id answers 404, not 403). No keys configured = open
 * service (local use), every caller is `anonymous`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemError } from '../../contracts/problems.js';

declare module 'fastify' {
  interface FastifyRequest {
    owner: string;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export function registerAuth(app: FastifyInstance, apiKeys: ReadonlyMap<string, string>): void {
  const entries = [...apiKeys].map(([key, owner]) => ({ hash: digest(key), owner }));
  app.decorateRequest('owner', 'anonymous');
  if (entries.length === 0) return;
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (!req.url.startsWith('/v1/')) return;
    const header = req.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : (req.headers['x-api-key'] as string | undefined);
    if (!key) {
      throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'send your API key as "Authorization: Bearer <key>" (or X-API-Key)', [], { 'www-authenticate': 'Bearer' });
    }
    const h = digest(key);
    let owner: string | undefined;
    for (const e of entries) if (timingSafeEqual(e.hash, h)) owner = e.owner;
    if (!owner) {
      throw new ProblemError(401, 'unauthorized', 'Unauthorized', 'the API key is not valid', [], { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    req.owner = owner;
  });
}
