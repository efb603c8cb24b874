/**
 * The thread pool's rules, with a stand-in thread that speaks the training thread's protocol:
 * a job's wall clock starts when its thread is ready (start-up is never charged to the job), a
 * job over its limit fails `timeout`, a thread that dies while starting fails the job
 * `job_failed`, and a terminated thread is replaced at once so the next job finds one warm.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ThreadPool } from '../../workers/run-in-thread.js';

const STAND_IN = new URL('./fixtures/stand-in-thread.mjs', import.meta.url);
const pools: ThreadPool[] = [];
const env = { ...process.env };

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  for (const k of ['STAND_IN_START_MS', 'STAND_IN_EXIT_BEFORE_READY']) {
    if (env[k] === undefined) delete process.env[k];
    else process.env[k] = env[k];
  }
});

function pool(warm: number, startMs = 0, exitBeforeReady = false): ThreadPool {
  process.env.STAND_IN_START_MS = String(startMs); // threads copy the environment when they start
  process.env.STAND_IN_EXIT_BEFORE_READY = exitBeforeReady ? '1' : '0';
  const p = new ThreadPool(64, warm, STAND_IN);
  pools.push(p);
  return p;
}

const run = (p: ThreadPool, request: unknown, timeoutMs: number) =>
  p.run(
    { kind: 'lr-range-tests', request, layerPoints: 10, maxResultBytes: 1 << 20 },
    {
      timeoutMs,
      signal: new AbortController().signal,
      onProgress: () => undefined,
    },
  );

describe('ThreadPool', () => {
  it("starts the job's wall clock when its thread is ready: a slow start-up is not the job's time", async () => {
    // start-up takes 4× the job's limit; the job itself takes nothing
    const p = pool(0, 800);
    const r = await run(p, { busy_ms: 0, n: 1 }, 200);
    expect(JSON.parse(r.json)).toEqual({ echo: { busy_ms: 0, n: 1 } });
  });

  it('fails a job that runs over its limit with `timeout`, and starts a replacement thread at once', async () => {
    const p = pool(1);
    await expect(run(p, { busy_ms: 5_000 }, 200)).rejects.toThrow(
      /^timeout: the job ran longer than 0 s \(LIMIT_JOB_TIMEOUT_S\)/,
    );
    expect(p.idleThreads).toBe(1); // the terminated thread's replacement, already starting
    const r = await run(p, { busy_ms: 0 }, 2_000);
    expect(JSON.parse(r.json)).toEqual({ echo: { busy_ms: 0 } });
  });

  it('fails the job with `job_failed` when its thread dies before it is ready', async () => {
    const p = pool(0, 0, true);
    await expect(run(p, {}, 60_000)).rejects.toThrow(/^job_failed: the training thread .*exited with code 3/);
  });

  it('keeps a thread whose job succeeded for the next job', async () => {
    const p = pool(0);
    await run(p, { n: 1 }, 5_000);
    expect(p.idleThreads).toBe(1);
  });
});
