/**
 * The queue dashboard (bull-board) at /admin/queues on a private redis-server: behind the API key
 * (HTTP Basic for browsers, with WWW-Authenticate: Basic on the 401), read-only, listing every job
 * kind's queue and the webhook deliveries with the jobs in them, its page under helmet's CSP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { appOn } from '../helpers/app.js';
import { startStack, type Stack } from '../helpers/stack.js';

const KEY = 'ops-key-123456';
const TENANT = 'tenant-key-654321';
let s: Stack;

beforeAll(async () => {
  s = await startStack({
    tag: 'dash',
    worker: false,
    env: { API_KEYS: `ops:${KEY},tenant:${TENANT}`, ADMIN_OWNERS: 'ops' },
  });
}, 60_000);

afterAll(async () => {
  await s?.close();
});

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('/admin/queues', () => {
  it('asks a browser for Basic credentials: 401 + WWW-Authenticate: Basic without a key or with a wrong one', async () => {
    for (const headers of [{}, basic('admin', 'wrong-key-123456'), basic('admin', '')]) {
      const res = await s.t.app.inject({ method: 'GET', url: '/admin/queues', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic realm="lr-finder"/);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
    }
    for (const url of ['/admin/queues/api/queues', '/admin/queues/static/js/nothing.js', '/ADMIN/queues/api/queues']) {
      expect((await s.t.app.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
  });

  it("shows every owner's jobs, so only ADMIN_OWNERS open it: another valid key is a 403 (Basic or Bearer)", async () => {
    for (const headers of [basic('tenant', TENANT), { authorization: `Bearer ${TENANT}` }]) {
      for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
        const res = await s.t.app.inject({ method: 'GET', url, headers });
        expect(res.statusCode, url).toBe(403);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        expect(res.json().detail).toMatch(/ADMIN_OWNERS/);
        expect(res.body).not.toMatch(/lr-range-tests|diagnostics/);
      }
    }
    expect(
      (await s.t.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: basic('ops', KEY) })).statusCode,
    ).toBe(200);
  });

  it('is closed to every key when API_KEYS is set without ADMIN_OWNERS; an unknown ADMIN_OWNERS name is a configuration error', async () => {
    const t = await appOn(s.redis.url, { API_KEYS: `ops:${KEY}`, QUEUE_PREFIX: 'dash-closed' });
    try {
      const res = await t.app.inject({ method: 'GET', url: '/admin/queues', headers: basic('ops', KEY) });
      expect(res.statusCode).toBe(403);
      expect(res.json().detail).toMatch(/none is set/);
    } finally {
      await t.close();
    }
    expect(() => loadConfig({ API_KEYS: `ops:${KEY}`, ADMIN_OWNERS: 'opz' })).toThrow(/ADMIN_OWNERS names opz/);
  });

  it('Basic is accepted on the dashboard only, not on the API', async () => {
    expect((await s.t.app.inject({ method: 'GET', url: '/v1/presets', headers: basic('x', KEY) })).statusCode).toBe(
      401,
    );
  });

  it('serves the page, its same-origin assets under the CSP, and the queues with their jobs, read-only', async () => {
    const api = (u: string) => s.t.app.inject({ method: 'GET', url: u, headers: basic('anyone', KEY) });
    const { res: posted, json } = await (async () => {
      const r = await s.t.app.inject({
        method: 'POST',
        url: '/v1/diagnostics',
        payload: {},
        headers: { authorization: `Bearer ${KEY}` },
      });
      return { res: r, json: r.json() };
    })();
    expect(posted.statusCode).toBe(202);
    const page = await api('/admin/queues');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(String(page.headers['content-security-policy'])).toMatch(/script-src 'self'/);
    expect(page.body).not.toMatch(/fonts\.googleapis/); // the one foreign stylesheet is taken off the page
    const scripts = [...page.body.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).toMatch(/^static\//); // relative to <base href="/admin/queues/">: same origin
      const asset = await api(`/admin/queues/${src}`);
      expect(asset.statusCode, src).toBe(200);
      expect(asset.headers['content-type']).toMatch(/javascript/);
    }
    // bearer keys work too (scripts, curl); a queued job is in BullMQ's `prioritized` state (fair order between keys,
    // src/queue/fairness.ts)
    const list = await s.t.app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues?activeQueue=diagnostics&status=prioritized&page=1',
      headers: { 'x-api-key': KEY },
    });
    expect(list.statusCode).toBe(200);
    const queues = list.json().queues as {
      name: string;
      readOnlyMode: boolean;
      counts: Record<string, number>;
      jobs: { id: string }[];
    }[];
    expect(queues.map((q) => q.name).sort()).toEqual([
      'diagnostics',
      'lr-range-tests',
      'lr-searches',
      'schedule-simulations',
      'webhooks',
    ]);
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
    const diag = queues.find((q) => q.name === 'diagnostics')!;
    expect(diag.counts.prioritized).toBe(1);
    expect(diag.jobs.map((j) => j.id)).toEqual([json.id]);
    // read-only: actions are refused
    const clean = await s.t.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/diagnostics/clean/waiting',
      headers: basic('x', KEY),
    });
    expect(clean.statusCode).toBeGreaterThanOrEqual(400);
    const still = await s.t.app.inject({
      method: 'GET',
      url: `/v1/diagnostics/${json.id}`,
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(still.json().status).toBe('queued');
  });

  it('without API_KEYS the dashboard is open, like every route', async () => {
    const open = await appOn(s.redis.url, { QUEUE_PREFIX: s.prefix });
    try {
      expect((await open.app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(200);
    } finally {
      await open.close();
    }
  });
});
