/**
 * A cancel racing a completion: a job has exactly one terminal state and the cancel's answer
 * tells it (202 canceled ⇒ the job ends canceled, without a result; 409 ⇒ it had finished).
 * First deterministically, holding the job with a hand-driven BullMQ worker token; then the
 * real thing in a loop, cancels landing around the moment real jobs complete.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobApi, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;

beforeAll(async () => {
  s = await startStack({ tag: 'race', worker: false, env: { LIMIT_JOBS_PER_KEY: '2' } });
});

afterAll(async () => {
  await s?.close();
});

const api = () => jobApi(s, 'lr-range-tests');

describe('cancel vs completion, one step at a time', () => {
  async function hold() {
    const w = new Worker('lr-range-tests', null, {
      connection: { url: s.redis.url },
      prefix: s.prefix,
      skipVersionCheck: true,
    });
    const token = randomUUID();
    const { json } = await api().submit({ preset: 'spirals-mlp', num_iter: 10 });
    const job = await w.getNextJob(token);
    expect(job?.id).toBe(json.id);
    return { w, token, job: job!, id: json.id as string };
  }

  it('canceled while running, then the worker commits a result: the job stays canceled, no result shown', async () => {
    const { w, token, job, id } = await hold();
    try {
      const cancel = await api().cancel(id);
      expect(cancel.statusCode).toBe(202);
      expect(cancel.json().status).toBe('canceled');
      await job.moveToCompleted({ lrs: [1] }, token, false);
      const final = await api().get(id);
      expect(final.status).toBe('canceled');
      expect(final.result).toBeNull();
      // and the slot it held is free again (LIMIT_JOBS_PER_KEY 2)
      for (let i = 0; i < 2; i++)
        expect((await api().submit({ preset: 'spirals-mlp', num_iter: 10 })).res.statusCode).toBe(202);
    } finally {
      await w.close();
    }
  });
});

describe('cancel vs completion, for real', () => {
  it('20 cancels around completion time: every 202 ends canceled, every 409 names the state it ended in', async () => {
    const prefix = `${s.prefix}-loop`;
    const t2 = await import('../helpers/app.js').then((m) => m.appOn(s.redis.url, { QUEUE_PREFIX: prefix }));
    await t2.connected();
    const { startWorker } = await import('../helpers/worker.js');
    const w = startWorker({ REDIS_URL: s.redis.url, QUEUE_PREFIX: prefix });
    await w.ready;
    const loop = jobApi({ t: t2 }, 'lr-range-tests');
    try {
      // how long one job takes here, to aim the cancels around it
      const probe = (await loop.submit({ preset: 'spirals-mlp', num_iter: 40 })).json;
      const t0 = Date.now();
      await loop.waitFor(probe.id, (j) => j.finished_at !== null);
      const took = Date.now() - t0;
      const outcomes: string[] = [];
      for (let i = 0; i < 20; i++) {
        const { json } = await loop.submit({ preset: 'spirals-mlp', num_iter: 40, seed: i });
        await new Promise((r) => setTimeout(r, Math.round((took * (i + 5)) / 20)));
        const cancel = await loop.cancel(json.id);
        const { final } = await loop.waitFor(json.id, (j) => j.finished_at !== null || j.status === 'canceled');
        // a canceled job is final at once; wait until the worker let go of it too
        await loop.waitFor(json.id, (j) => j.finished_at !== null, 20_000);
        const settled = await loop.get(json.id);
        if (cancel.statusCode === 202) {
          expect(cancel.json().status).toBe('canceled');
          expect(settled.status).toBe('canceled');
          expect(settled.result).toBeNull();
        } else {
          expect(cancel.statusCode).toBe(409);
          expect(cancel.json().detail).toContain(settled.status);
          expect(settled.status).toBe('succeeded');
        }
        expect(final.status).toBe(settled.status);
        outcomes.push(`${cancel.statusCode}:${settled.status}`);
      }
      expect(outcomes.length).toBe(20);
    } finally {
      await w.stop();
      await t2.close();
    }
  }, 180_000);
});
