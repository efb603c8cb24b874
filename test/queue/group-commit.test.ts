/**
 * Group commit against a private redis-server: admissions submitted in one event-loop turn go in
 * one MULTI (one EXEC in Redis's command statistics), each gets its own replies in submission
 * order, an error is the answer of its own admission only, and an admission whose add cannot be
 * queued never reaches Redis (not even its admission command).
 */
import { Redis, type ChainableCommander } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommit, UncertainCommit } from '../../src/queue/group-commit.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

let server: TestRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
});

afterAll(async () => {
  redis?.disconnect();
  await server?.cleanup();
});

beforeEach(async () => {
  await redis.flushall();
  await redis.config('RESETSTAT');
});

type Tx = ChainableCommander & { length: number; exec(): Promise<[Error | null, unknown][] | null> };
const commits = () => new GroupCommit<Tx>(async () => redis.multi() as Tx);

async function execCalls(): Promise<number> {
  const m = /cmdstat_exec:calls=(\d+)/.exec(await redis.info('commandstats'));
  return m ? Number(m[1]) : 0;
}

/** admission i: INCR of a counter (its reply is the order Redis ran it in), then SET of its own key */
const entry = (i: number) => ({
  admit: (tx: Tx) => {
    tx.incr('counter');
  },
  add: async (tx: Tx) => {
    tx.set(`job:${i}`, String(i));
  },
});

describe('GroupCommit', () => {
  it('admissions of one turn: one EXEC, replies in submission order', async () => {
    const g = commits();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => g.submit(entry(i))));
    expect(replies).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1, 'OK']));
    expect(await execCalls()).toBe(1);
    expect(await redis.mget('job:0', 'job:49')).toEqual(['0', '49']);
  });

  it('admissions of separate turns: separate transactions', async () => {
    const g = commits();
    expect(await g.submit(entry(0))).toEqual([1, 'OK']);
    expect(await g.submit(entry(1))).toEqual([2, 'OK']);
    expect(await execCalls()).toBe(2);
  });

  it('more than maxBatch admissions: several MULTIs, every one committed', async () => {
    const g = new GroupCommit<Tx>(async () => redis.multi() as Tx, 4);
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => g.submit(entry(i))));
    expect(replies.map((r) => r[1])).toEqual(Array(10).fill('OK'));
    expect(replies.map((r) => r[0]).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(await execCalls()).toBe(3);
  });

  it('a command error is the answer of its own admission only', async () => {
    await redis.set('not-a-hash', 'x');
    const g = commits();
    const broken = {
      admit: (tx: Tx) => {
        tx.incr('counter');
      },
      add: async (tx: Tx) => {
        tx.hset('not-a-hash', 'f', 'v');
      }, // WRONGTYPE at EXEC time
    };
    const [a, b, c] = await Promise.allSettled([g.submit(entry(0)), g.submit(broken), g.submit(entry(2))]);
    expect(a).toEqual({ status: 'fulfilled', value: [1, 'OK'] });
    expect(b.status).toBe('rejected');
    expect(String((b as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
    expect(c).toEqual({ status: 'fulfilled', value: [3, 'OK'] });
    expect(await execCalls()).toBe(1);
  });

  it('an add that throws, or rejects before queueing, is refused alone and none of its commands run', async () => {
    const g = commits();
    const throws = {
      admit: (tx: Tx) => {
        tx.incr('counter');
      },
      add: (): Promise<unknown> => {
        throw new Error('bad options');
      },
    };
    const rejects = {
      admit: (tx: Tx) => {
        tx.incr('counter');
      },
      add: async (): Promise<unknown> => {
        throw new Error('cannot pack');
      },
    };
    const out = await Promise.allSettled([
      g.submit(entry(0)),
      g.submit(throws),
      g.submit(entry(2)),
      g.submit(rejects),
      g.submit(entry(4)),
    ]);
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(String((out[1] as PromiseRejectedResult).reason)).toMatch(/bad options/);
    expect(String((out[3] as PromiseRejectedResult).reason)).toMatch(/cannot pack/);
    expect(await redis.get('counter')).toBe('3'); // the refused admissions' INCRs never ran
    expect((out[4] as PromiseFulfilledResult<unknown>).value).toEqual([3, 'OK']);
    expect(await execCalls()).toBe(1);
  });

  it('a transaction that cannot be opened fails every admission of the turn', async () => {
    const g = new GroupCommit<Tx>(async () => {
      throw new Error('redis down');
    });
    const out = await Promise.allSettled([g.submit(entry(0)), g.submit(entry(1))]);
    expect(out.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(await redis.exists('counter')).toBe(0);
  });

  it("the durable step (the replicas' WAIT) runs after the EXEC, before any admission is answered", async () => {
    const seen: string[] = [];
    const g = new GroupCommit<Tx>(
      async () => redis.multi() as Tx,
      256,
      async () => {
        seen.push(`durable: counter=${await redis.get('counter')}`);
      },
    );
    const replies = await Promise.all([
      g.submit(entry(0)).then((r) => {
        seen.push('answered');
        return r;
      }),
      g.submit(entry(1)),
    ]);
    expect(replies).toEqual([
      [1, 'OK'],
      [2, 'OK'],
    ]);
    expect(seen).toEqual(['durable: counter=2', 'answered']);
  });

  it('a WAIT that fails after the EXEC: every admission fails as uncertain (committed, maybe not replicated)', async () => {
    const g = new GroupCommit<Tx>(
      async () => redis.multi() as Tx,
      256,
      async () => {
        throw new Error('Connection is closed.');
      },
    );
    const out = await Promise.allSettled([g.submit(entry(0)), g.submit(entry(1))]);
    expect(out.map((o) => (o as PromiseRejectedResult).reason instanceof UncertainCommit)).toEqual([true, true]);
    expect(await redis.get('counter')).toBe('2');
  });

  it('an EXEC without an answer is uncertain; an error reply (EXECABORT) or a refused send is not', async () => {
    const failing = (err: Error) =>
      new GroupCommit<Tx>(async () => {
        const tx = redis.multi() as Tx;
        tx.exec = () => Promise.reject(err);
        return tx;
      });
    const closed = await failing(new Error('Connection is closed.'))
      .submit(entry(0))
      .catch((e) => e);
    expect(closed).toBeInstanceOf(UncertainCommit);
    const reply = Object.assign(new Error('EXECABORT Transaction discarded because of previous errors.'), {
      name: 'ReplyError',
    });
    expect(
      await failing(reply)
        .submit(entry(0))
        .catch((e) => e),
    ).toBe(reply);
    const unsent = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    expect(
      await failing(unsent)
        .submit(entry(0))
        .catch((e) => e),
    ).toBe(unsent);
  });
});
