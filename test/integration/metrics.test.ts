/**
 * GET /metrics through a private redis-server and a real worker, the scrape parsed by the
 * Prometheus project's own text-format parser (prometheus_client, see ../helpers/prometheus.ts):
 * what a platform's Prometheus would read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn, appWithoutRedis } from '../helpers/app.js';
import { parsePrometheus, sampleValue, type PromFamily } from '../helpers/prometheus.js';
import { jobApi, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;

beforeAll(async () => {
  s = await startStack({ tag: 'metrics' });
}, 60_000);

afterAll(async () => {
  await s?.close();
});

async function scrape(app = s.t.app, headers: Record<string, string> = {}): Promise<Map<string, PromFamily>> {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(res.body);
}

describe('GET /metrics', () => {
  it('counts requests by matched route and status, jobs accepted and finished, run time, queues, workers, Redis', async () => {
    const api = jobApi(s, 'lr-range-tests');
    const { res, json } = await api.submit({ preset: 'spirals-mlp', num_iter: 10 });
    expect(res.statusCode).toBe(202);
    await api.waitFor(json.id, (j) => j.status === 'succeeded');
    await s.t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${json.id}` });
    await s.t.app.inject({ method: 'GET', url: '/no/such/route/12345' });
    const bad = await api.submit({ preset: 'spirals-mlp', num_iter: 'ten' });
    expect(bad.res.statusCode).toBe(400);

    // the worker records the finish just after BullMQ does; scrape until it shows
    const done = { kind: 'lr-range-tests', status: 'succeeded' };
    let m = await scrape();
    for (let i = 0; i < 100 && sampleValue(m, 'lrf_jobs_finished_total', done) === undefined; i++) {
      await new Promise((r) => setTimeout(r, 50));
      m = await scrape();
    }

    const http = m.get('lrf_http_request_duration_seconds')!;
    expect(http.type).toBe('histogram');
    const post202 = { method: 'POST', route: '/v1/lr-range-tests', status_code: '202' };
    expect(sampleValue(m, 'lrf_http_request_duration_seconds_count', post202)).toBe(1);
    expect(sampleValue(m, 'lrf_http_request_duration_seconds_bucket', { ...post202, le: '+Inf' })).toBe(1);
    expect(sampleValue(m, 'lrf_http_request_duration_seconds_count', { ...post202, status_code: '400' })).toBe(1);
    // a job's own URL is labelled by its route pattern, never by the id
    expect(
      sampleValue(m, 'lrf_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/lr-range-tests/:id',
        status_code: '200',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(http.samples.some((x) => Object.values(x.labels).some((v) => v.includes(json.id)))).toBe(false);
    expect(
      sampleValue(m, 'lrf_http_request_duration_seconds_count', {
        method: 'GET',
        route: 'unmatched',
        status_code: '404',
      }),
    ).toBe(1);

    expect(m.get('lrf_jobs_accepted')!.type).toBe('counter');
    expect(sampleValue(m, 'lrf_jobs_accepted_total', { kind: 'lr-range-tests' })).toBe(1);
    expect(sampleValue(m, 'lrf_jobs_accepted_total', { kind: 'diagnostics' })).toBe(0);

    expect(m.get('lrf_jobs_finished')!.type).toBe('counter');
    expect(sampleValue(m, 'lrf_jobs_finished_total', done)).toBe(1);
    const duration = m.get('lrf_job_duration_seconds')!;
    expect(duration.type).toBe('histogram');
    expect(sampleValue(m, 'lrf_job_duration_seconds_count', done)).toBe(1);
    expect(sampleValue(m, 'lrf_job_duration_seconds_bucket', { ...done, le: '+Inf' })).toBe(1);
    // cumulative buckets: non-decreasing in le, ending at the count
    const buckets = duration.samples
      .filter((x) => x.name.endsWith('_bucket') && x.labels.kind === done.kind && x.labels.status === done.status)
      .map((x) => [x.labels.le === '+Inf' ? Infinity : Number(x.labels.le), x.value] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(buckets.length).toBeGreaterThan(5);
    expect(buckets.map((b) => b[1])).toEqual([...buckets.map((b) => b[1])].sort((a, b) => a - b));
    // the run time the worker counted is the job's own started → finished
    const job = await api.get(json.id);
    const ran = (Date.parse(job.finished_at) - Date.parse(job.started_at)) / 1000;
    expect(sampleValue(m, 'lrf_job_duration_seconds_sum', done)).toBeCloseTo(ran, 3);
    expect(buckets.find((b) => b[0] >= ran)![1]).toBe(1);

    for (const queue of ['lr-range-tests', 'schedule-simulations', 'diagnostics', 'lr-searches', 'webhooks']) {
      for (const state of ['waiting', 'active', 'delayed'])
        expect(sampleValue(m, 'lrf_queue_jobs', { queue, state })).toBe(0);
    }
    expect(sampleValue(m, 'lrf_workers')).toBe(1);
    expect(sampleValue(m, 'lrf_redis_up')).toBe(1);
    expect(m.has('process_cpu_user_seconds')).toBe(true);
  }, 60_000);

  it('shows queued jobs as waiting while no worker runs', async () => {
    await s.worker!.stop();
    const api = jobApi(s, 'diagnostics');
    for (let i = 0; i < 2; i++) expect((await api.submit({})).res.statusCode).toBe(202);
    const m = await scrape();
    expect(sampleValue(m, 'lrf_queue_jobs', { queue: 'diagnostics', state: 'waiting' })).toBe(2);
    expect(sampleValue(m, 'lrf_workers')).toBe(0);
  }, 30_000);

  it('with API_KEYS: 401 without a key, 200 with one; METRICS_PUBLIC=true opens it', async () => {
    const keyed = await appOn(s.redis.url, { QUEUE_PREFIX: s.prefix, API_KEYS: 'ops:ops-key-123456' });
    const open = await appOn(s.redis.url, {
      QUEUE_PREFIX: s.prefix,
      API_KEYS: 'ops:ops-key-123456',
      METRICS_PUBLIC: 'true',
    });
    try {
      const denied = await keyed.app.inject({ method: 'GET', url: '/metrics' });
      expect(denied.statusCode).toBe(401);
      expect(denied.headers['content-type']).toMatch(/problem\+json/);
      expect((await scrape(keyed.app, { authorization: 'Bearer ops-key-123456' })).has('lrf_redis_up')).toBe(true);
      expect((await scrape(open.app)).has('lrf_queue_jobs')).toBe(true);
      // METRICS_PUBLIC opens /metrics only
      expect((await open.app.inject({ method: 'GET', url: '/v1/presets' })).statusCode).toBe(401);
    } finally {
      await keyed.close();
      await open.close();
    }
  });

  it('Redis unreachable: the scrape still answers, lrf_redis_up 0 and no queue values', async () => {
    const t = await appWithoutRedis();
    try {
      const m = await scrape(t.app);
      expect(sampleValue(m, 'lrf_redis_up')).toBe(0);
      expect(m.get('lrf_queue_jobs')?.samples ?? []).toEqual([]);
      expect(sampleValue(m, 'lrf_workers')).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
