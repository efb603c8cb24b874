/**
 * LR searches fanned out over worker processes (workers/fanout.ts, JOB_FANOUT): a private
 * redis-server, the app via inject, real worker processes (dist/workers/main.js).
 * - The result is the same, byte for byte, whole in one thread (JOB_FANOUT=false), fanned out
 *   over one worker and over two — and both workers took trials.
 * - A worker SIGKILLed in the middle of a trial costs that trial's re-run only: every other trial
 *   started once (counted in the workers' logs), and the result is unchanged.
 * - Canceling the search stops its running trials and removes the waiting ones and their carries.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finished, jobApi, startStack, type Json, type Stack } from '../helpers/stack.js';
import { startWorker, type TestWorker } from '../helpers/worker.js';

// trials of 60 to 1,000 steps of a 2-128-128-3 MLP at batch 256: long enough to be killed mid-trial
const BODY = {
  preset: 'spirals-search',
  train_steps: 1000,
  batch_size: 256,
  model: { hidden: [128, 128], activation: 'tanh' },
};

let s: Stack;
let redis: Redis;
let tasks: Queue;
let workers: TestWorker[] = [];
const api = () => jobApi(s, 'lr-searches');

beforeAll(async () => {
  s = await startStack({ tag: 'fanout', worker: false });
  redis = new Redis(s.redis.url);
  tasks = new Queue('lr-searches-tasks', { connection: redis, prefix: s.prefix });
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
});
afterAll(async () => {
  await tasks?.close();
  redis?.disconnect();
  await s?.close();
});

async function start(n: number, env: Record<string, string> = {}): Promise<TestWorker[]> {
  const base = { REDIS_URL: s.redis.url, QUEUE_PREFIX: s.prefix, WORKER_CONCURRENCY: '1' };
  workers = Array.from({ length: n }, () => startWorker({ ...base, ...env }));
  await Promise.all(workers.map((w) => w.ready));
  return workers;
}

/** the log records of a worker about job `id` with message `msg` */
function logs(w: TestWorker, id: string, msg: string): Json[] {
  return w
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Json)
    .filter((r) => r.job === id && r.msg === msg);
}

async function search(): Promise<Json> {
  const { json } = await api().submit(BODY);
  const { final } = await api().waitFor(json.id, finished, 300_000);
  expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
  return final;
}

describe('LR search fanned out over workers', () => {
  let reference: string;

  it('gives the same result whole in one thread, fanned out over one worker and over two', async () => {
    await start(1, { JOB_FANOUT: 'false' });
    const whole = await search();
    reference = JSON.stringify(whole.result);
    expect(logs(workers[0], whole.id, 'task started')).toHaveLength(0);
    await Promise.all(workers.map((w) => w.stop()));

    await start(1);
    const one = await search();
    expect(JSON.stringify(one.result)).toBe(reference);
    expect(one.progress).toEqual(whole.progress);
    const trials = logs(workers[0], one.id, 'task started').length;
    expect(trials).toBeGreaterThan(whole.result.candidates.length);
    await Promise.all(workers.map((w) => w.stop()));

    const [a, b] = await start(2);
    const two = await search();
    expect(JSON.stringify(two.result)).toBe(reference);
    const byA = logs(a, two.id, 'task started').length;
    const byB = logs(b, two.id, 'task started').length;
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    expect(byA + byB).toBe(trials);
  }, 600_000);

  it('re-runs only the trial whose worker was killed, and the result is unchanged', async () => {
    const [a, b] = await start(2);
    const { json } = await api().submit(BODY);
    // a trial with at least 200 steps to go, on the worker that does not hold the search
    let victim: TestWorker | null = null;
    let task = '';
    for (let t0 = Date.now(); !victim; await new Promise((r) => setTimeout(r, 20))) {
      expect(Date.now() - t0, 'no long trial ran on the other worker').toBeLessThan(240_000);
      const holder = [a, b].find((w) => logs(w, json.id, 'job started').length > 0);
      if (!holder) continue;
      const other = holder === a ? b : a;
      for (const j of await tasks.getActive()) {
        const p = j.progress as Json;
        const id = j.data.task.id as string;
        const onOther = logs(other, json.id, 'task started').some((r) => r.task === id);
        if (j.data.parent === json.id && onOther && typeof p === 'object' && p.candidate_steps - p.step >= 200) {
          victim = other;
          task = id;
          break;
        }
      }
    }
    await victim.stop('SIGKILL');
    const { final } = await api().waitFor(json.id, finished, 300_000);
    expect(final.status, JSON.stringify(final.error)).toBe('succeeded');
    expect(JSON.stringify(final.result)).toBe(reference);
    const started = [a, b].flatMap((w) => logs(w, json.id, 'task started')).map((r) => r.task as string);
    const count = new Map<string, number>();
    for (const t of started) count.set(t, (count.get(t) ?? 0) + 1);
    expect(count.get(task)).toBe(2);
    expect([...count.entries()].filter(([t]) => t !== task).every(([, n]) => n === 1)).toBe(true);
  }, 600_000);

  it('canceling the search stops its trials and removes the waiting ones and their carries', async () => {
    await start(2);
    const { json } = await api().submit({ ...BODY, train_steps: 10_000 });
    await api().waitFor(json.id, (j) => j.status === 'running' && j.progress?.phase === 'trial', 120_000);
    const res = await api().cancel(json.id);
    expect(res.statusCode).toBe(202);
    const { final } = await api().waitFor(json.id, (j) => j.finished_at !== null, 30_000);
    expect(final.status).toBe('canceled');
    // within a few seconds nothing of it waits or runs, and no carry is left
    const mine = async () =>
      (await tasks.getJobs(['active', 'waiting', 'prioritized', 'delayed'])).filter((j) => j?.data.parent === json.id);
    const t0 = Date.now();
    while ((await mine()).length > 0 && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 100));
    expect(await mine()).toHaveLength(0);
    expect(await redis.keys(`${s.prefix}:lrf:carry:${json.id}:*`)).toEqual([]);
    const stopped = workers.flatMap((w) => logs(w, json.id, 'task did not succeed'));
    expect(stopped.length).toBeGreaterThan(0);
    expect(stopped.every((r) => /canceled/.test(String(r.err)))).toBe(true);
  }, 300_000);
});
