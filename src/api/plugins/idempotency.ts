/**
 * `Idempotency-Key` on every POST that creates something (routes with `config.idempotent`), with
 * Stripe's semantics (and the IETF draft's status codes):
 *
 * - first request with a key: runs; a 2xx answer (status, Location, body) is kept IDEMPOTENCY_TTL_S
 * - same key, same request (method, route, query and body, compared by SHA-256 of a canonical
 *   form): the kept answer again, with its original status and Location, plus
 *   `Idempotent-Replayed: true`; nothing is created
 * - same key, another request: 422 `idempotency_key_reused`
 * - same key while the first is still running: 409 `idempotency_in_flight` (Retry-After)
 * - an answer that is not 2xx is not kept (a retry runs again): validation errors, 429, 503
 *
 * Keys are per owner (API key): two owners may use the same key. A request whose process dies
 * before it answers leaves an in-flight marker that expires after a minute.
 *
 * A kept answer counts in the owner's storage quota (src/storage/): the claim reserves an estimate
 * (twice the request body, at most 64 KiB, plus 1 KiB) and is refused like any write past the
 * quota (429 `storage_quota_exceeded`, nothing run); the kept answer then settles at its real size
 * — an answer larger than the estimate (a job resource echoing a large request) is recorded whole,
 * since it was already given: the only place the quota can be passed, by that difference, and
 * the key's next write is refused. A request that is not kept releases its reservation.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { invalid, ProblemError } from '../../contracts/problems.js';
import { redisUnavailable } from '../../queue/jobs.js';
import { redisKeys } from '../../queue/keys.js';
import { bytesOf, itemOfIdempotency, type StorageQuota } from '../../storage/quota.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** a creating POST: honours Idempotency-Key */
    idempotent?: boolean;
  }
  interface FastifyRequest {
    idempotency?: { key: string; fingerprint: string; item: string };
  }
}

const IN_FLIGHT_MS = 60_000;
const KEPT_HEADERS = ['location', 'content-type'];

interface Kept {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

/** JSON with object keys sorted: equal for equal values whatever the key order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function fingerprintOf(req: FastifyRequest): string {
  // a body kept as its bytes (dataset uploads, parsed off the event loop) is compared byte for byte
  const bytes = (req.body as { bytes?: unknown } | null)?.bytes;
  const body = typeof req.body === 'string' ? req.body : Buffer.isBuffer(bytes) ? bytes : canonical(req.body ?? null);
  return createHash('sha256')
    .update(`${req.method} ${req.routeOptions.url}\n${canonical(req.query ?? {})}\n${body}`)
    .digest('hex');
}

export function registerIdempotency(
  app: FastifyInstance,
  opts: { prefix: string; ttlSeconds: number; redis: () => Redis; storage?: () => StorageQuota | null },
): void {
  const keys = redisKeys(opts.prefix);
  const storeKey = (owner: string, key: string) =>
    keys.idempotency(owner, createHash('sha256').update(key).digest('hex'));
  const itemOf = (k: string) => itemOfIdempotency(k.slice(k.lastIndexOf(':') + 1));
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw redisUnavailable(err);
    }
  };

  app.addHook('preHandler', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.routeOptions.config?.idempotent !== true) return;
    const raw = req.headers['idempotency-key'];
    if (raw === undefined) return;
    const key = Array.isArray(raw) ? raw[0] : raw;
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw invalid('/headers/idempotency-key', 'must be 1 to 255 visible ASCII characters (a UUID is a good key)');
    }
    const k = storeKey(req.owner, key);
    const fingerprint = fingerprintOf(req);
    const redis = opts.redis();
    for (let attempt = 0; attempt < 2; attempt++) {
      const claimed = await guard(() =>
        redis.set(k, JSON.stringify({ state: 'pending', fingerprint } satisfies Kept), 'PX', IN_FLIGHT_MS, 'NX'),
      );
      if (claimed === 'OK') {
        const storage = opts.storage?.();
        if (storage) {
          const estimate = Math.min(2 * (Number(req.headers['content-length']) || 0), 65_536) + 1024;
          try {
            await storage.reserve(req.owner, itemOf(k), bytesOf(k) + estimate, Date.now() + IN_FLIGHT_MS);
          } catch (err) {
            await redis.del(k).catch(() => undefined);
            if (err instanceof ProblemError) throw err;
            throw redisUnavailable(err);
          }
        }
        req.idempotency = { key: k, fingerprint, item: itemOf(k) };
        return;
      }
      const text = await guard(() => redis.get(k));
      if (text === null) continue; // expired in between: claim it
      const kept = JSON.parse(text) as Kept;
      if (kept.fingerprint !== fingerprint) {
        throw new ProblemError(
          422,
          'idempotency_key_reused',
          'Idempotency key reused',
          'this Idempotency-Key was used for a different request (another body, query or route); use a new key for a new request',
        );
      }
      if (kept.state === 'pending') {
        throw new ProblemError(
          409,
          'idempotency_in_flight',
          'Request in progress',
          'a request with this Idempotency-Key is still being processed; retry shortly to get its answer',
          [],
          { 'retry-after': '1' },
        );
      }
      return reply
        .code(kept.status!)
        .headers({ ...kept.headers, 'idempotent-replayed': 'true' })
        .send(kept.body);
    }
    throw redisUnavailable();
  });

  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const idem = req.idempotency;
    if (!idem) return payload;
    req.idempotency = undefined;
    const redis = opts.redis();
    const status = reply.statusCode;
    try {
      if (status >= 200 && status < 300 && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
        const headers: Record<string, string> = {};
        for (const h of KEPT_HEADERS) {
          const v = reply.getHeader(h);
          if (v !== undefined) headers[h] = String(v);
        }
        const kept: Kept = { state: 'done', fingerprint: idem.fingerprint, status, headers, body: payload.toString() };
        const text = JSON.stringify(kept);
        await redis.set(idem.key, text, 'EX', opts.ttlSeconds);
        await opts
          .storage?.()
          ?.settle(req.owner, idem.item, bytesOf(idem.key, text), Date.now() + opts.ttlSeconds * 1000);
      } else {
        await redis.del(idem.key);
        await opts.storage?.()?.release(req.owner, idem.item);
      }
    } catch (err) {
      // the answer still goes out; the in-flight marker expires by itself
      req.log.warn({ err: (err as Error).message }, 'idempotency record not saved');
    }
    return payload;
  });
}
