/**
 * `docker stop` / a rolling deploy: a SIGTERMed worker hands a job it cannot finish within
 * WORKER_STOP_GRACE_MS back to the queue at once (training thread stopped, job moved from active
 * to waiting with its lock token), instead of leaving it `running` until the stalled-job check.
 * Real worker processes on a private redis-server; the stall check is set far off (60 s) so only
 * the hand-back can bring the job back while the test runs.
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
const prefix = `hb-${randomUUID().slice(0, 8)}`;

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

// the stalled-job check would need LOCK_DURATION_MS + STALLED_INTERVAL_MS (90 s here) to recover the job
function worker(env: Record<string, string> = {}): TestWorker {
  const w = startWorker({
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    LOCK_DURATION_MS: '30000',
    STALLED_INTERVAL_MS: '60000',
    ...env,
  });
  workers.push(w);
  return w;
}

const waitFor = async (id: string, done: (j: Json) => boolean, timeoutMs?: number): Promise<Json> =>
  (await jobApi({ t }, 'lr-range-tests').waitFor(id, done, timeoutMs)).final;

// several seconds of training on this machine (as in reliability.test.ts)
const LONG = {
  preset: 'spirals-mlp',
  num_iter: 3000,
  end_lr: 1e-3,
  batch_size: 128,
  model: { hidden: [128, 128], activation: 'relu' },
};

describe('SIGTERM hands a running job back', () => {
  it('the job is back in waiting when the worker has exited, then another worker runs it to success once', async () => {
    // grace 0: no running job can finish within it, so it is handed back at once (the rate-based
    // choice between finishing and handing back is test/workers/handback.test.ts)
    const a = worker({ WORKER_STOP_GRACE_MS: '0' });
    await a.ready;
    const res = await t.app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: LONG });
    expect(res.statusCode).toBe(202);
    const id: string = res.json().id;
    await waitFor(id, (j) => j.status === 'running' && (j.progress?.iteration ?? 0) > 0, 120_000);

    expect(await a.stop('SIGTERM')).toBe(0);
    expect(a.output()).toContain('job handed back to the queue');
    const q = new Queue('lr-range-tests', { connection: { url: redis.url }, prefix });
    try {
      // BullMQ's own state (the API's status reads processedOn, so it says `running` until a worker restarts it):
      // waiting, in its fair place among the prioritized jobs (src/queue/fairness.ts), not active or failed
      expect(await q.getJobState(id)).toBe('prioritized');

      const b = worker();
      await b.ready;
      const final = await waitFor(id, (j) => j.finished_at !== null, 180_000);
      expect(final.status).toBe('succeeded');
      expect(final.result.iterations).toBe(3000);
      const job = await q.getJob(id);
      expect(job?.stalledCounter).toBe(0); // not recovered by the stalled-job check
      expect(job?.attemptsStarted).toBe(2);
      expect(job?.attemptsMade).toBe(1); // the hand-back is no failed attempt
      // exactly one `completed` event and no `failed` one in the queue's event stream
      const events = await t.redis.xrange(`${prefix}:lr-range-tests:events`, '-', '+');
      const of = (name: string) =>
        events.filter(([, f]) => f[f.indexOf('event') + 1] === name && f[f.indexOf('jobId') + 1] === id).length;
      expect(of('completed')).toBe(1);
      expect(of('failed')).toBe(0);
      await b.stop();
    } finally {
      await q.close();
    }
  }, 300_000);
});
