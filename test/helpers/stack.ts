/**
 * The whole service for an integration test file: a private redis-server, the app (inject, and
 * optionally listening on 127.0.0.1:0), one real worker process, all under a unique queue prefix.
 * Plus the small job client every integration test uses (submit, get, waitFor).
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { appOn } from './app.js';
import { startTestRedis, type TestRedis } from './redis.js';
import { startWorker, type TestWorker } from './worker.js';

export type Json = Record<string, any>;

export interface Stack {
  redis: TestRedis;
  t: Awaited<ReturnType<typeof appOn>>;
  worker: TestWorker | null;
  prefix: string;
  /** http://127.0.0.1:<port> when started with listen: true */
  base: string;
  /** (re)starts the worker process with extra environment */
  startWorker(env?: Record<string, string>): Promise<TestWorker>;
  close(): Promise<void>;
}

export async function startStack(opts: {
  tag: string;
  worker?: boolean;
  listen?: boolean;
  env?: Record<string, string>;
}): Promise<Stack> {
  const prefix = `${opts.tag}-${randomUUID().slice(0, 8)}`;
  const redis = await startTestRedis();
  const t = await appOn(redis.url, { QUEUE_PREFIX: prefix, ...opts.env });
  await t.connected();
  let base = '';
  if (opts.listen) {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }
  const stack: Stack = {
    redis,
    t,
    prefix,
    base,
    worker: null,
    async startWorker(env = {}) {
      const w = startWorker({ REDIS_URL: stack.redis.url, QUEUE_PREFIX: prefix, ...env });
      stack.worker = w;
      await w.ready;
      return w;
    },
    async close() {
      await stack.worker?.stop();
      await t.close();
      await stack.redis.cleanup();
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

export const finished = (j: Json) => ['succeeded', 'failed', 'canceled'].includes(j.status);

export function allFinite(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(allFinite);
  if (v && typeof v === 'object') return Object.values(v).every(allFinite);
  return true;
}

/** submit / get / waitFor for one job kind through the app's inject. */
export function jobApi(s: Pick<Stack, 't'>, kind: string) {
  const base = `/v1/${kind}`;
  const get = async (id: string): Promise<Json> => {
    const res = await s.t.app.inject({ method: 'GET', url: `${base}/${id}` });
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  return {
    async submit(body: unknown) {
      const res = await s.t.app.inject({ method: 'POST', url: base, payload: body as object });
      return { res, json: res.json() as Json };
    },
    get,
    async cancel(id: string) {
      return s.t.app.inject({ method: 'POST', url: `${base}/${id}/cancel` });
    },
    /** polls until `done` holds; `seen` collects every status observed on the way */
    async waitFor(
      id: string,
      done: (j: Json) => boolean,
      timeoutMs = 60_000,
    ): Promise<{ final: Json; seen: Set<string> }> {
      const seen = new Set<string>();
      const t0 = Date.now();
      for (;;) {
        const j = await get(id);
        seen.add(j.status);
        if (done(j)) return { final: j, seen };
        if (Date.now() - t0 > timeoutMs)
          throw new Error(`job ${id} stuck in ${j.status}: ${JSON.stringify(j).slice(0, 400)}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}
