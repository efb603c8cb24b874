/**
 * Faults a job service must survive, with real parts: a worker SIGKILLed mid-job (the job is
 * picked up by another worker and succeeds — an accepted job is never lost), a job over its
 * wall-clock limit (failed with `timeout`, the worker keeps serving), a graceful SIGTERM.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { jobApi, type Json } from '../helpers/stack.js';
import { startWorker, type TestWorker } from '../helpers/worker.js';

let redis: TestRedis;
let t: Awaited<ReturnType<typeof appOn>>;
const workers: TestWorker[] = [];
const prefix = `r-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  redis = await startTestRedis();
  t = await appOn(redis.url, { QUEUE_PREFIX: prefix });
  await t.connected();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
  await t?.close();
  await redis?.cleanup();
});

function worker(env: Record<string, string> = {}): TestWorker {
  const w = startWorker({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    LOCK_DURATION_MS: '1000',
    STALLED_INTERVAL_MS: '300',
    ...env,
  });
  workers.push(w);
  return w;
}

async function submit(body: unknown): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: body as object });
  expect(res.statusCode).toBe(202);
  return res.json().id;
}

/** polls the job until `done` holds (the shared job client of test/helpers/stack.ts) */
const waitFor = async (id: string, done: (j: Json) => boolean, timeoutMs?: number): Promise<Json> =>
  (await jobApi({ t }, 'lr-range-tests').waitFor(id, done, timeoutMs)).final;

// several seconds of training on this machine: long enough to kill a worker in the middle
const LONG = {
  preset: 'spirals-mlp',
  num_iter: 3000,
  end_lr: 1e-3,
  batch_size: 128,
  model: { hidden: [128, 128], activation: 'relu' },
};
// ~100 MFLOP a step × 5000 steps: far beyond a 1 s limit on any machine this runs on
const HEAVY = {
  preset: 'spirals-mlp',
  num_iter: 5000,
  end_lr: 1e-3,
  batch_size: 256,
  model: { hidden: [256, 256], activation: 'relu' },
};

describe('reliability', () => {
  it('a worker SIGKILLed mid-job: the job goes back to the queue and another worker completes it', async () => {
    const a = worker();
    await a.ready;
    const id = await submit(LONG);
    await waitFor(id, (j) => j.status === 'running' && (j.progress?.iteration ?? 0) > 0);
    await a.stop('SIGKILL');
    const mid = (await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${id}` })).json();
    expect(mid.status).toBe('running'); // killed mid-job, not after it finished
    const b = worker();
    await b.ready;
    const final = await waitFor(id, (j) => j.finished_at !== null);
    expect(final.status).toBe('succeeded');
    expect(final.result.iterations).toBe(3000);
    const q = new Queue('lr-range-tests', { connection: { url: redis.url }, prefix });
    const job = await q.getJob(id);
    expect(job?.stalledCounter).toBe(1); // recovered by BullMQ's stalled-job check, run once more
    expect(job?.attemptsStarted).toBe(2);
    await q.close();
    await b.stop();
  });

  it('a job over LIMIT_JOB_TIMEOUT_S fails with a timeout problem; the worker keeps serving', async () => {
    const w = worker({ LIMIT_JOB_TIMEOUT_S: '1' });
    await w.ready;
    const slow = await submit(HEAVY);
    const failed = await waitFor(slow, (j) => j.finished_at !== null);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'timeout', title: 'Job timed out' });
    expect(failed.error.detail).toContain('LIMIT_JOB_TIMEOUT_S');
    expect(failed.result).toBeNull();

    const quick = await submit({ preset: 'spirals-mlp', num_iter: 20 });
    expect((await waitFor(quick, (j) => j.finished_at !== null)).status).toBe('succeeded');
    await w.stop();
  });

  it('SIGTERM lets a running job finish and the worker exit 0', async () => {
    const w = worker();
    await w.ready;
    const id = await submit({ preset: 'spirals-mlp', num_iter: 400 });
    await waitFor(id, (j) => j.status === 'running');
    const code = await w.stop('SIGTERM');
    expect(code).toBe(0);
    const j = (await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${id}` })).json();
    expect(j.status).toBe('succeeded');
  });
});
