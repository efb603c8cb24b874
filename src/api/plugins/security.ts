/**
 * Security headers and load shedding.
 *
 * - helmet's headers on every response, with a Content-Security-Policy Swagger UI works under
 *   (its page loads only same-origin scripts and styles; images may be data: URIs; Try it out
 *   calls this origin): default-src 'self', no inline scripts, no framing by other origins, no
 *   plugins. `upgrade-insecure-requests` is left out: the service is often reached over plain
 *   HTTP on a private address. The options are constant, so helmet's middleware runs once, at
 *   start-up, and every request gets the headers it set (run per request, as @fastify/helmet
 *   does, it parses the CSP directives again each time: a few per cent of a POST's CPU time).
 * - @fastify/under-pressure: when the event loop lags more than MAX_EVENT_LOOP_DELAY_MS or the
 *   heap passes MAX_HEAP_USED_MB, routes answer 503 `overloaded` (problem+json, Retry-After)
 *   at once instead of queueing behind the work that slows the process. Routes whose config has
 *   `shed: false` (/healthz, /readyz) are never shed: liveness must not depend on load.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import v8 from 'node:v8';
import { ProblemError } from '../../contracts/problems.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: never answered 503 under load (health checks) */
    shed?: boolean;
  }
}

export const CSP_DIRECTIVES = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  'upgrade-insecure-requests': null,
};

export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  // same-origin is the default; Swagger UI's assets come from this origin
  crossOriginEmbedderPolicy: false,
};

/**
 * The headers helmet's middleware sets with `options`, in its order (a null value: a header it
 * removes, X-Powered-By). Refuses options whose headers depend on the request (CSP functions, nonces).
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): [string, string | null][] {
  const directives =
    (options.contentSecurityPolicy as { directives?: Record<string, unknown> } | undefined)?.directives ?? {};
  for (const [name, v] of Object.entries(directives)) {
    if (typeof v === 'function' || (Array.isArray(v) && v.some((x) => typeof x === 'function'))) {
      throw new Error(`CSP directive ${name} depends on the request: helmet's headers cannot be computed once`);
    }
  }
  const out = new Map<string, string | null>();
  const res = {
    setHeader: (name: string, value: unknown) => {
      out.set(name.toLowerCase(), String(value));
    },
    removeHeader: (name: string) => {
      out.set(name.toLowerCase(), null);
    },
  } as unknown as ServerResponse;
  let failure: unknown = null;
  helmet(options)({} as IncomingMessage, res, (err?: unknown) => {
    if (err) failure = err;
  });
  if (failure) throw failure;
  return [...out];
}

export async function registerHelmet(app: FastifyInstance): Promise<void> {
  const headers = helmetHeaders(HELMET_OPTIONS);
  const set = headers.filter((h): h is [string, string] => h[1] !== null);
  const removed = headers.filter(([, v]) => v === null).map(([name]) => name);
  app.addHook('onRequest', (_req, reply, done) => {
    const res = reply.raw;
    for (let i = 0; i < set.length; i++) res.setHeader(set[i][0], set[i][1]);
    for (let i = 0; i < removed.length; i++) res.removeHeader(removed[i]);
    done();
  });
}

export interface SheddingOptions {
  maxEventLoopDelayMs: number;
  /** 0: 90% of V8's heap limit */
  maxHeapUsedMb: number;
  /** how often the process is sampled, ms */
  sampleIntervalMs?: number;
}

export async function registerLoadShedding(app: FastifyInstance, o: SheddingOptions): Promise<void> {
  const heapLimit = v8.getHeapStatistics().heap_size_limit;
  const interval = o.sampleIntervalMs ?? 500;
  // Building the app blocks the loop for a while; the first samples after it would shed the first
  // requests. Shedding starts two sampling intervals after the server is ready.
  let armed = false;
  app.addHook('onReady', async () => {
    setTimeout(() => {
      armed = true;
    }, 2 * interval).unref();
  });
  const maxHeapUsedBytes = o.maxHeapUsedMb > 0 ? o.maxHeapUsedMb * 1024 * 1024 : Math.floor(0.9 * heapLimit);
  await app.register(underPressure, {
    maxEventLoopDelay: o.maxEventLoopDelayMs,
    maxHeapUsedBytes,
    sampleInterval: interval,
    retryAfter: 5,
    pressureHandler: async (req: FastifyRequest, _reply, type: string, value: number | undefined) => {
      if (!armed || req.routeOptions.config?.shed === false) return;
      req.log.warn({ type, value }, 'shedding load');
      throw new ProblemError(
        503,
        'overloaded',
        'Service overloaded',
        'the server is overloaded right now (event-loop delay or memory above its limit); nothing was done, retry shortly',
        [],
        { 'retry-after': '5' },
      );
    },
  });
}
