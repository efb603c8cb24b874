/**
 * Fair order between owners (src/queue/fairness.ts) against a private redis-server and BullMQ
 * itself: jobs are admitted through the JobStore (admission script, BullMQ add and placement in
 * one MULTI) and taken by a hand-driven BullMQ worker (getNextJob, BullMQ's own moveToActive), so
 * the order asserted is the order BullMQ hands jobs to workers. No worker process, no timing.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { producerConnection } from '../../src/queue/connection.js';
import { JobStore, type JobStoreOptions } from '../../src/queue/jobs.js';
import { redisKeys } from '../../src/queue/keys.js';
import { ProblemError } from '../../src/contracts/problems.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const KIND = 'lr-range-tests' as const;
let server: TestRedis;
let admin: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  admin = new Redis(server.url);
});

afterAll(async () => {
  admin?.disconnect();
  await server?.cleanup();
});

/** A store on its own prefix, a hand-driven worker, and the owner of every job id it created. */
async function setup(opts: Partial<JobStoreOptions> = {}) {
  const prefix = `fair-${randomUUID().slice(0, 8)}`;
  const redis = producerConnection(server.url);
  redis.on('error', () => undefined);
  await new Promise<void>((r) => (redis.status === 'ready' ? r() : redis.once('ready', () => r())));
  const store = new JobStore(redis, { prefix, resultTtlSeconds: 3600, ...opts });
  const worker = new Worker(KIND, null, { connection: { url: server.url }, prefix, skipVersionCheck: true });
  const queue = new Queue(KIND, { connection: { url: server.url }, prefix, skipVersionCheck: true });
  const names = new Map<string, string>();
  const token = randomUUID();
  return {
    prefix,
    store,
    queue,
    /** queues one job for each name, in order, in one event-loop turn (one MULTI); names are `<owner><n>` */
    async post(...jobs: string[]) {
      const recs = await Promise.all(jobs.map((n) => store.create(KIND, { n }, n.replace(/\d+$/, ''))));
      recs.forEach((r, i) => names.set(r.id, jobs[i]));
    },
    /** the next `n` jobs BullMQ hands to a worker, by name */
    async take(n: number): Promise<string[]> {
      const got: string[] = [];
      for (let i = 0; i < n; i++) {
        const job = await worker.getNextJob(token, { block: false });
        if (!job) break;
        got.push(names.get(job.id as string) ?? `?${job.id}`);
      }
      return got;
    },
    async close() {
      await worker.close();
      await queue.close();
      await store.close();
      redis.disconnect();
    },
  };
}

const seq = (owner: string, from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `${owner}${from + i}`);

describe('fair order between owners', () => {
  it("A's 20 jobs, then B's one and C's two: every owner's k-th job precedes every owner's (k+1)-th; each owner's jobs in order", async () => {
    const f = await setup();
    try {
      await f.post(...seq('a', 0, 20));
      await f.post('b0');
      await f.post('c0', 'c1');
      expect(await f.take(30)).toEqual(['a0', 'b0', 'c0', 'a1', 'c1', ...seq('a', 2, 20)]);
    } finally {
      await f.close();
    }
  });

  it('a new owner behind a backlog that is being served goes next; the backlog owner keeps its own order', async () => {
    const f = await setup();
    try {
      await f.post(...seq('a', 0, 5));
      expect(await f.take(3)).toEqual(['a0', 'a1', 'a2']);
      await f.post('b0');
      await f.post('a5');
      expect(await f.take(10)).toEqual(['b0', 'a3', 'a4', 'a5']);
    } finally {
      await f.close();
    }
  });

  it('a late owner alternates with a backlog owner, one for one, however often it posts', async () => {
    const f = await setup();
    try {
      await f.post(...seq('a', 0, 10));
      expect(await f.take(1)).toEqual(['a0']);
      const order: string[] = [];
      for (let i = 0; i < 4; i++) {
        await f.post(`b${i}`); // b posts its next job only once its previous one started
        order.push(...(await f.take(2)));
      }
      expect(order).toEqual(['b0', 'a1', 'b1', 'a2', 'b2', 'a3', 'b3', 'a4']);
    } finally {
      await f.close();
    }
  });

  it('an owner whose backlog was served is not held back once the queue drained, nor favoured', async () => {
    const f = await setup();
    try {
      await f.post(...seq('a', 0, 3));
      expect(await f.take(3)).toEqual(['a0', 'a1', 'a2']);
      await f.post('a3');
      await f.post('b0');
      await f.post('a4', 'b1');
      // a had just been served three times: b's first job goes first, then one each
      expect(await f.take(10)).toEqual(['b0', 'a3', 'b1', 'a4']);
    } finally {
      await f.close();
    }
  });

  it('with fair: false the queue is first in, first out (what the benchmark compares with)', async () => {
    const f = await setup({ fair: false });
    try {
      await f.post(...seq('a', 0, 5));
      await f.post('b0');
      expect(await f.take(10)).toEqual([...seq('a', 0, 5), 'b0']);
    } finally {
      await f.close();
    }
  });
});

describe('priorities stay within BullMQ’s limit', () => {
  it('past the highest priority the waiting jobs are shifted down in one step, order and fairness unchanged', async () => {
    const f = await setup({ fairMaxPriority: 8 });
    try {
      await f.post(...seq('a', 0, 6));
      expect(await f.take(4)).toEqual(['a0', 'a1', 'a2', 'a3']);
      await f.post('b0');
      await f.post('a6');
      await f.post('a7');
      const before = await f.queue.getPrioritized();
      expect(Math.max(...before.map((j) => j.priority))).toBe(8);
      await f.post('a8'); // priority 9 > 8: rebase
      const after = await f.queue.getPrioritized();
      expect(after).toHaveLength(6);
      // the job hashes carry the shifted priorities too (BullMQ reads them back when it moves a job)
      expect(after.map((j) => j.priority).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
      await f.post('b1');
      expect(await f.take(10)).toEqual(['b0', 'a4', 'b1', 'a5', 'a6', 'a7', 'a8']);
    } finally {
      await f.close();
    }
  });

  it('an owner further ahead than the limit: its later jobs share the last priority, still in order', async () => {
    const f = await setup({ fairMaxPriority: 4 });
    try {
      await f.post(...seq('a', 0, 10));
      await f.post('b0');
      const prios = (await f.queue.getPrioritized()).map((j) => j.priority);
      expect(Math.max(...prios)).toBe(4);
      expect(await f.take(20)).toEqual(['a0', 'b0', ...seq('a', 1, 10)]);
    } finally {
      await f.close();
    }
  });
});

describe('refused admissions', () => {
  it('a job refused by LIMIT_JOBS_PER_KEY is not placed and does not count against its owner', async () => {
    const f = await setup({ jobsPerOwner: 2 });
    try {
      await f.post('a0', 'a1');
      await expect(f.post('a2')).rejects.toSatisfy((e) => e instanceof ProblemError && e.status === 429);
      expect(await f.queue.getPrioritizedCount()).toBe(2);
      expect(Number(await admin.zscore(redisKeys(f.prefix).fairFinish(KIND), 'a'))).toBe(2);
      await f.post('b0');
      expect(await f.take(5)).toEqual(['a0', 'b0', 'a1']);
    } finally {
      await f.close();
    }
  });
});
