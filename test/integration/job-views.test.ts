/**
 * Job views end to end: a private redis-server, the real worker process, the API listening on
 * 127.0.0.1:0. SSE (read with fetch) delivers the current state, progress points as the worker
 * reports them, then the final status, and closes; plot.svg and curve.csv of a finished job;
 * 409 before it finishes; GET /v1/{kind} pages newest first and only shows the caller's jobs.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import type { SseTiming } from '../../src/api/routes/job-views.js';
import { saveSummary } from '../../src/queue/names.js';
import { findKind } from '../../src/kinds/registry.js';
import { producerConnection } from '../../src/queue/connection.js';
import { JobStore } from '../../src/queue/jobs.js';
import { appOn, appWithoutRedis, testConfig } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { jobApi, type Json } from '../helpers/stack.js';
import { startWorker, type TestWorker } from '../helpers/worker.js';
import { parseXml } from '../helpers/xml.js';

let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
let worker: TestWorker;
let base: string;
const prefix = `jv-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, { QUEUE_PREFIX: prefix });
  await t.connected();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  worker = startWorker({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix });
  await worker.ready;
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await redis?.cleanup();
});

interface SseEvent {
  event: string;
  data: Json;
}

/** Reads an SSE stream to its end (the server closes it), parsing events and comments. */
async function readSse(url: string, timeoutMs = 60_000, headers: Record<string, string> = {}) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const res = await fetch(url, { signal: ac.signal, headers: { accept: 'text/event-stream', ...headers } });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let retry: number | null = null;
  if (res.headers.get('content-type')?.startsWith('text/event-stream')) {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
            else if (line.startsWith('retry: ')) retry = Number(line.slice(7));
          }
          if (data.length) events.push({ event, data: JSON.parse(data.join('\n')) });
        }
      }
    } finally {
      clearTimeout(timer);
    }
    expect(buf).toBe('');
  } else {
    clearTimeout(timer);
  }
  return { res, events, comments, retry, body: events.length ? null : await res.text().catch(() => null) };
}

async function submit(body: unknown): Promise<Json> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: body as object });
  expect(res.statusCode).toBe(202);
  return res.json();
}

/** polls the job until `done` holds (the shared job client of test/helpers/stack.ts) */
const waitFor = async (id: string, done: (j: Json) => boolean, timeoutMs?: number): Promise<Json> =>
  (await jobApi({ t }, 'lr-range-tests').waitFor(id, done, timeoutMs)).final;

const created: string[] = [];
/** about a second of training: several progress points (the worker reports every 100 ms) */
const LONG_JOB = { preset: 'spirals-mlp', num_iter: 3000, end_lr: 1e-3, batch_size: 256 };
let finished: Json;

describe('GET /v1/{kind}/{id}/events (Server-Sent Events)', () => {
  it('delivers the current state, progress points as they happen, then the final succeeded status, and closes', async () => {
    // The stream must open while the job is still queued: no worker until the server has subscribed.
    await worker.stop();
    const job = await submit(LONG_JOB);
    created.push(job.id);
    expect(job.links).toMatchObject({
      events: `/v1/lr-range-tests/${job.id}/events`,
      plot: `/v1/lr-range-tests/${job.id}/plot.svg`,
      csv: `/v1/lr-range-tests/${job.id}/curve.csv`,
    });
    const reading = readSse(`${base}${job.links.events}`);
    const followed = (t.jobs.events as unknown as { followed: Map<string, unknown> }).followed;
    for (let i = 0; i < 250 && !followed.has(job.id); i++) await new Promise((r) => setTimeout(r, 20));
    worker = startWorker({ REDIS_URL: redis.url, QUEUE_PREFIX: prefix });
    await worker.ready;
    const { res, events, retry } = await reading;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('cache-control')).toContain('no-cache');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(retry).toBeGreaterThan(0);

    // first the state as it was, last the final state; nothing after it
    expect(events[0].event).toBe('status');
    expect(events[0].data.status).toBe('queued');
    const last = events[events.length - 1];
    expect(last.event).toBe('status');
    expect(last.data.status).toBe('succeeded');
    expect(last.data.result.iterations).toBe(LONG_JOB.num_iter);

    // status changes only forward, each reported once
    const statuses = events.filter((e) => e.event === 'status').map((e) => e.data.status);
    expect(statuses).toEqual([...new Set(statuses)]);
    expect(statuses.filter((s) => !['queued', 'running', 'succeeded'].includes(s))).toEqual([]);

    // several progress points, strictly increasing, before the final status, ending where the job ended
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const p of progress)
      expect(p).toMatchObject({ total: LONG_JOB.num_iter, iteration: expect.any(Number), lr: expect.any(Number) });
    for (let i = 1; i < progress.length; i++) expect(progress[i].iteration).toBeGreaterThan(progress[i - 1].iteration);
    expect(progress[progress.length - 1].iteration).toBe(last.data.progress.iteration);
    expect(events.findIndex((e) => e.event === 'progress')).toBeGreaterThan(0);
    // a running status precedes the first progress point when the stream began while queued
    if (events[0].data.status === 'queued') {
      const firstRunning = events.findIndex((e) => e.event === 'status' && e.data.status === 'running');
      const firstProgress = events.findIndex((e) => e.event === 'progress');
      expect(firstRunning).toBeGreaterThan(0);
      expect(firstRunning).toBeLessThan(firstProgress);
    }
    finished = last.data;
  });

  it('a finished job: one status event, then the stream ends', async () => {
    const { events } = await readSse(`${base}/v1/lr-range-tests/${finished.id}/events`);
    expect(events.map((e) => [e.event, e.data.status])).toEqual([['status', 'succeeded']]);
    expect(events[0].data.result.suggested_lr).toBe(finished.result.suggested_lr);
  });

  it('unknown id: a 404 problem, not a stream; a bad id: 400', async () => {
    const { res } = await readSse(`${base}/v1/lr-range-tests/${randomUUID()}/events`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/lr-range-tests/not-a-uuid/events' });
    expect(bad.statusCode).toBe(400);
  });

  it('a client that disconnects mid-stream is cleaned up (the job runs on; the service still answers)', async () => {
    const job = await submit({ ...LONG_JOB, seed: 3 });
    created.push(job.id);
    const ac = new AbortController();
    const res = await fetch(`${base}/v1/lr-range-tests/${job.id}/events`, { signal: ac.signal });
    const reader = res.body!.getReader();
    await reader.read(); // the first event
    const followed = (t.jobs.events as unknown as { followed: Map<string, unknown> }).followed;
    expect(followed.has(job.id)).toBe(true);
    ac.abort();
    await reader.read().catch(() => undefined);
    // the server notices the closed socket and drops its event subscription
    for (let i = 0; i < 100 && followed.has(job.id); i++) await new Promise((r) => setTimeout(r, 20));
    expect(followed.has(job.id)).toBe(false);
    const done = await waitFor(job.id, (j) => j.status === 'succeeded');
    expect(done.result.iterations).toBe(LONG_JOB.num_iter);
  });
});

describe('SSE bounds', () => {
  /** an app listening on its own port, on a queue prefix no worker serves (its jobs stay queued) */
  async function idleApp(sse: Partial<SseTiming>) {
    const idlePrefix = `${prefix}-idle`;
    const config = testConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: idlePrefix });
    const conn = producerConnection(redis.url);
    conn.on('error', () => undefined);
    const jobs = new JobStore(conn, { prefix: idlePrefix, resultTtlSeconds: 60 });
    const app = await buildApp({ config, jobs, logger: false, sse });
    await app.listen({ host: '127.0.0.1', port: 0 });
    while (conn.status !== 'ready') await new Promise((r) => setTimeout(r, 10));
    const job = await jobs.create('lr-range-tests', { preset: 'spirals-mlp' }, 'anonymous');
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/lr-range-tests/${job.id}/events`;
    return {
      app,
      url,
      jobs,
      close: async () => {
        await app.close();
        await jobs.close();
        conn.disconnect();
      },
    };
  }

  it('heartbeat comments while nothing happens; the connection ends at its maximum time', async () => {
    const idle = await idleApp({ heartbeatMs: 100, maxConnectionMs: 800, retryMs: 500 });
    try {
      const { events, comments, retry } = await readSse(idle.url, 10_000);
      expect(events.map((e) => [e.event, e.data.status])).toEqual([['status', 'queued']]);
      expect(retry).toBe(500);
      expect(comments.filter((c) => c === 'keep-alive').length).toBeGreaterThanOrEqual(3);
      expect(comments[comments.length - 1]).toMatch(/maximum connection time/);
    } finally {
      await idle.close();
    }
  });

  it('closing the app ends open streams instead of hanging', async () => {
    const idle = await idleApp({});
    // HEAD answers at once instead of holding a stream open on a job that stays queued
    const head = await fetch(idle.url, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(idle.jobs.events.size).toBe(0); // nothing subscribed
    const stream = readSse(idle.url, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    await idle.close();
    const { events } = await stream;
    expect(events.map((e) => e.data.status)).toEqual(['queued']);
  });
});

describe('plot.svg and curve.csv', () => {
  it('plot.svg of a finished range test: a well-formed SVG with the suggested LR marked', async () => {
    const res = await fetch(`${base}/v1/lr-range-tests/${finished.id}/plot.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const svg = await res.text();
    const els = parseXml(svg);
    expect(els[0].name).toBe('svg');
    const marker = els.find((e) => e.attrs.id === 'suggested-lr');
    expect(Number(marker?.attrs['data-lr'])).toBe(finished.result.suggested_lr);
    expect(els.find((e) => e.name === 'title')!.text).toContain(`stop_reason: ${finished.result.stop_reason}`);
  });

  it('curve.csv: a header and one row per iteration with the exact numbers of the result', async () => {
    const res = await fetch(`${base}/v1/lr-range-tests/${finished.id}/curve.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await res.text())
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(rows[0]).toEqual(['iteration', 'lr', 'loss', 'smoothed_loss', 'grad_norm']);
    const r = finished.result;
    expect(rows).toHaveLength(r.iterations + 1);
    rows.slice(1).forEach((row, i) => {
      expect(Number(row[0])).toBe(i);
      expect(Number(row[1])).toBe(r.lrs[i]);
      expect(row[2] === '' ? null : Number(row[2])).toBe(r.losses[i]);
      expect(row[3] === '' ? null : Number(row[3])).toBe(r.smoothed_losses[i]);
      expect(row[4] === '' ? null : Number(row[4])).toBe(r.grad_norms[i]);
    });
  });

  it('repeats > 1: curve.csv has a run column with every run', async () => {
    const job = await submit({ preset: 'spirals-mlp', num_iter: 30, repeats: 2 });
    created.push(job.id);
    const done = await waitFor(job.id, (j) => j.status === 'succeeded');
    const rows = (await (await fetch(`${base}/v1/lr-range-tests/${job.id}/curve.csv`)).text())
      .trimEnd()
      .split('\r\n')
      .map((l) => l.split(','));
    expect(rows[0][5]).toBe('run');
    const runs = done.result.runs as Json[];
    expect(rows).toHaveLength(1 + runs.reduce((a, r) => a + r.iterations, 0));
    expect(new Set(rows.slice(1).map((r) => r[5]))).toEqual(new Set(['0', '1']));
  });

  it('409 not_finished while queued or running, 409 no_result once canceled, 404 for an unknown id', async () => {
    const job = await submit({ preset: 'spirals-mlp', num_iter: 5000, end_lr: 1e-3, batch_size: 256 });
    created.push(job.id);
    for (const view of ['plot.svg', 'curve.csv']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${job.id}/${view}` });
      expect(res.statusCode).toBe(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().code).toBe('not_finished');
    }
    await waitFor(job.id, (j) => j.status === 'running');
    expect((await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${job.id}/plot.svg` })).json().code).toBe(
      'not_finished',
    );

    // cancel while someone follows it: the stream ends with the canceled status
    const stream = readSse(`${base}/v1/lr-range-tests/${job.id}/events`);
    await new Promise((r) => setTimeout(r, 300));
    await t.app.inject({ method: 'POST', url: `/v1/lr-range-tests/${job.id}/cancel` });
    const { events } = await stream;
    expect(events[events.length - 1]).toMatchObject({ event: 'status', data: { status: 'canceled', result: null } });

    const after = await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${job.id}/curve.csv` });
    expect(after.statusCode).toBe(409);
    expect(after.json().code).toBe('no_result');
    const missing = await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${randomUUID()}/plot.svg` });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('not_found');
  });
});

describe('schedule simulations', () => {
  it('plot.svg and curve.csv of a finished simulation: one curve and one block of rows per schedule', async () => {
    // an in-process BullMQ worker on a prefix of its own answers with a result of the simulation's shape
    const simPrefix = `${prefix}-sim`;
    const sim = await appOn(redis.url, { QUEUE_PREFIX: simPrefix });
    const conn = producerConnection(redis.url).duplicate({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      commandTimeout: undefined,
    });
    const steps = 20;
    const cosine = Array.from({ length: steps }, (_, i) => 0.05 * (1 + Math.cos((Math.PI * i) / steps)));
    const canned = {
      schedules: [
        {
          name: 'cosine',
          type: 'CosineAnnealingLR',
          lrs: cosine,
          losses: cosine.map((_, i) => 2 - 0.05 * i),
          eval_steps: [0, 10, 20],
          eval_losses: [2.1, 1.7, 1.2],
        },
        {
          name: 'step',
          type: 'StepLR',
          lrs: cosine.map((_, i) => (i < 10 ? 0.1 : 0.01)),
          losses: cosine.map((_, i) => (i === 4 ? null : 2 - 0.04 * i)),
          eval_steps: [],
          eval_losses: [],
        },
      ],
      ranking: ['cosine', 'step'],
      ranked_by: 'val_loss',
      eval_split: 'val',
      eval_every: 10,
      steps,
      seed: 0,
    };
    // as the real processor does: the result's headline stored beside it for the list
    const w = new Worker(
      'schedule-simulations',
      async (job) => {
        await saveSummary(
          conn,
          simPrefix,
          job.id!,
          findKind('schedule-simulations')!.summary.of(canned) as Record<string, unknown>,
          60,
        );
        return canned;
      },
      { connection: conn, prefix: simPrefix, skipVersionCheck: true },
    );
    try {
      await sim.connected();
      const rec = await sim.jobs.create('schedule-simulations', { steps }, 'anonymous');
      for (let i = 0; i < 250 && (await sim.jobs.get('schedule-simulations', rec.id))?.status !== 'succeeded'; i++)
        await new Promise((r) => setTimeout(r, 20));

      const svg = await sim.app.inject({ method: 'GET', url: `/v1/schedule-simulations/${rec.id}/plot.svg` });
      expect(svg.statusCode).toBe(200);
      expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
      const els = parseXml(svg.body);
      expect(els.filter((e) => e.attrs.class === 'lr-curve')).toHaveLength(2);
      expect(els.filter((e) => e.attrs.class === 'loss-curve')).toHaveLength(2);
      expect(els.find((e) => e.name === 'title')!.text).toContain('best by val_loss: cosine');

      const csv = await sim.app.inject({ method: 'GET', url: `/v1/schedule-simulations/${rec.id}/curve.csv` });
      const rows = csv.body
        .trimEnd()
        .split('\r\n')
        .map((l) => l.split(','));
      expect(rows[0]).toEqual(['schedule', 'step', 'lr', 'loss']);
      expect(rows).toHaveLength(1 + 2 * steps);
      expect(rows[1]).toEqual(['cosine', '0', String(cosine[0]), '2']);
      expect(rows[steps + 5]).toEqual(['step', '4', '0.1', '']);

      const list = (await sim.app.inject({ method: 'GET', url: '/v1/schedule-simulations' })).json();
      expect(list.items.map((j: Json) => j.id)).toEqual([rec.id]);
      expect(list.items[0].summary).toEqual({ best_schedule: 'cosine' });
    } finally {
      await w.close();
      conn.disconnect();
      await sim.close();
    }
  });
});

describe('GET /v1/{kind}', () => {
  it("pages through the caller's jobs newest first, without results, with a summary", async () => {
    const seen: Json[] = [];
    let url: string | null = '/v1/lr-range-tests?limit=2';
    let pages = 0;
    while (url) {
      const res: { statusCode: number; json(): Json } = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const page: Json = res.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      url = page.links.next;
      if (url) expect(url).toContain(`cursor=${page.next_cursor}`);
      if (++pages > 10) throw new Error('paging does not end');
    }
    expect(pages).toBe(Math.ceil(created.length / 2));
    expect(seen.map((j) => j.id)).toEqual([...created].reverse());
    const times = seen.map((j) => Date.parse(j.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const item of seen) {
      expect(item).not.toHaveProperty('result');
      expect(item.links.self).toBe(`/v1/lr-range-tests/${item.id}`);
    }
    const done = seen.find((j) => j.id === finished.id)!;
    expect(done.summary).toMatchObject({
      suggested_lr: finished.result.suggested_lr,
      stop_reason: finished.result.stop_reason,
      iterations: LONG_JOB.num_iter,
    });
    expect(done.request).toMatchObject({ preset: 'spirals-mlp', num_iter: LONG_JOB.num_iter });
  });

  it('limit defaults to 20 and is at most 100; a forged cursor is a 400', async () => {
    const all = (await t.app.inject({ method: 'GET', url: '/v1/lr-range-tests' })).json();
    expect(all.items).toHaveLength(created.length);
    expect(all.next_cursor).toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/v1/lr-range-tests?limit=101' })).statusCode).toBe(400);
    const bad = await t.app.inject({ method: 'GET', url: '/v1/lr-range-tests?cursor=bm9wZQ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].pointer).toBe('/querystring/cursor');
    expect((await t.app.inject({ method: 'GET', url: '/v1/schedule-simulations' })).json().items).toEqual([]);
  });

  it('with API keys, another owner sees none of these jobs: empty list, 404 for their events and plot', async () => {
    const other = await appOn(redis.url, { QUEUE_PREFIX: prefix, API_KEYS: 'alice:alice-key-0001' });
    try {
      await other.connected();
      const auth = { authorization: 'Bearer alice-key-0001' };
      const list = await other.app.inject({ method: 'GET', url: '/v1/lr-range-tests', headers: auth });
      expect(list.json().items).toEqual([]);
      for (const view of ['events', 'plot.svg', 'curve.csv']) {
        const res = await other.app.inject({
          method: 'GET',
          url: `/v1/lr-range-tests/${finished.id}/${view}`,
          headers: auth,
        });
        expect(res.statusCode).toBe(404);
      }
      expect((await other.app.inject({ method: 'GET', url: '/v1/lr-range-tests' })).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});

describe('Redis down', () => {
  it('events, plot, csv and the list answer a 503 problem at once, before any stream starts', async () => {
    const down = await appWithoutRedis();
    try {
      for (const url of [
        `/v1/lr-range-tests/${finished.id}/events`,
        `/v1/lr-range-tests/${finished.id}/plot.svg`,
        `/v1/lr-range-tests/${finished.id}/curve.csv`,
        '/v1/lr-range-tests',
      ]) {
        const res = await down.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(503);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json().code).toBe('queue_unavailable');
      }
    } finally {
      await down.close();
    }
  });
});
