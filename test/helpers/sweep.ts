/** Sweep-session calls through an app's inject, as one API key, and the problem check the sweep tests share. */
import { expect } from 'vitest';
import type { FastifyInstance } from 'fastify';

export type Json = Record<string, any>;

export function sweepClient(app: FastifyInstance, key: string) {
  async function call(method: 'GET' | 'POST', url: string, body?: unknown, as = key) {
    const res = await app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${as}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      payload: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { res, json: res.json() as Json };
  }
  return {
    call,
    /** POST /v1/sweep-sessions, expecting 201 */
    async start(body: unknown = {}): Promise<Json> {
      const r = await call('POST', '/v1/sweep-sessions', body);
      expect(r.res.statusCode, r.res.body).toBe(201);
      return r.json;
    },
    report: (id: string, body: unknown, as = key) => call('POST', `/v1/sweep-sessions/${id}/losses`, body, as),
    get: (id: string) => call('GET', `/v1/sweep-sessions/${id}`),
    stop: (id: string) => call('POST', `/v1/sweep-sessions/${id}/stop`),
  };
}

export function expectProblem(
  r: { res: { statusCode: number; headers: Record<string, unknown> }; json: Json },
  status: number,
  code: string,
  pointer?: string,
) {
  expect(r.res.statusCode).toBe(status);
  expect(r.res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(r.json).toMatchObject({ status, code });
  if (pointer !== undefined) expect(r.json.errors?.[0]?.pointer).toBe(pointer);
}
