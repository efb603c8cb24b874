/**
 * A job can never crash a worker process: with a private redis-server and one real worker process
 * (dist/workers/main.js), each of these fails its own job with a code and a reason, and the same
 * process then runs the next job to success:
 *
 * - job data nested too deep for structured clone (a SequentialLR 5,000 deep, written into the job
 *   as a producer other than this API could): `postMessage` to the thread throws RangeError in
 *   the worker process — on main an unhandled rejection that killed it, again on each retry, until
 *   the job ended `worker_lost`; here `invalid_job` at once;
 * - faults inside the training thread, injected by the test-only hook of workers/test-faults.ts
 *   (LRF_TEST_THREAD_FAULTS=1 in the worker's environment; nothing on the wire reaches it): a
 *   stack overflow, an uncloneable or too-deep progress message, a result too deep to serialise,
 *   a thread out of memory, a thread that exits, a throw of a non-Error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueName } from '../../src/queue/names.js';
import { FAULT_SEEDS, type Fault } from '../../workers/test-faults.js';
import { jobApi, startStack, type Json, type Stack } from '../helpers/stack.js';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ tag: 'faults', worker: false });
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const SMALL = { preset: 'spirals-mlp', num_iter: 10 };

/** A SequentialLR `depth` deep as JSON text, built without recursion. */
function deepSchedule(depth: number): string {
  const open = '{"type": "SequentialLR", "milestones": [2], "schedulers": [';
  const close = ', {"type": "ConstantLR", "factor": 1, "total_iters": 1}]}';
  return '{"lr": 0.1, ' + open.slice(1) + open.repeat(depth - 2) + '{"type": "LinearLR"}' + close.repeat(depth - 1);
}

const WANT: Record<Fault, [string, RegExp]> = {
  stack_overflow: ['job_failed', /RangeError: Maximum call stack size exceeded/],
  uncloneable_progress: ['job_failed', /DataCloneError|could not be cloned/],
  deep_progress: ['job_failed', /RangeError: Maximum call stack size exceeded/],
  deep_result: ['job_failed', /RangeError: Maximum call stack size exceeded/],
  out_of_memory: ['resource_limit_exceeded', /exceeded its 128 MiB heap \(LIMIT_WORKER_MEMORY_MB\)/],
  exit: ['job_failed', /exited with code 7/],
  throw_string: ['job_failed', /a non-Error value was thrown: not an Error/],
};

describe('a failing job fails alone; the worker process survives and takes the next job', () => {
  it('job data that cannot be passed to the thread: invalid_job, then the next job succeeds', async () => {
    const sims = jobApi(s, 'schedule-simulations');
    // an accepted job, then its stored data replaced by a 5,000-deep schedule before any worker runs
    const { res, json } = await sims.submit({ preset: 'spirals-schedules', steps: 20 });
    expect(res.statusCode, JSON.stringify(json)).toBe(202);
    const key = `${s.prefix}:${queueName('schedule-simulations')}:${json.id}`;
    const data = JSON.parse((await s.t.redis.hget(key, 'data'))!) as Json;
    const text = JSON.stringify(data).replace(
      /"schedules":\[\{"name":"([^"]+)","schedule":\{/,
      (_m, name) => `"schedules":[{"name":"${name}","schedule":${deepSchedule(5000)},"was":{`,
    );
    expect(text.length).toBeGreaterThan(200_000);
    await s.t.redis.hset(key, 'data', text);

    const w = await s.startWorker({ LRF_TEST_THREAD_FAULTS: '1', LIMIT_WORKER_MEMORY_MB: '128' });
    const pid = w.child.pid;
    // (read from the job's hash: this API never accepts such a request, nor serialises one back)
    let reason: string | null = null;
    for (const t0 = Date.now(); reason === null && Date.now() - t0 < 120_000;) {
      reason = await s.t.redis.hget(key, 'failedReason');
      if (reason === null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(reason).toMatch(
      /^invalid_job: the job data could not be passed to the training thread \(RangeError: Maximum call stack size exceeded\)/,
    );

    const next = await jobApi(s, 'lr-range-tests').submit(SMALL);
    const done = await jobApi(s, 'lr-range-tests').waitFor(
      next.json.id,
      (j) => ['succeeded', 'failed'].includes(j.status),
      120_000,
    );
    expect(done.final.status, JSON.stringify(done.final.error)).toBe('succeeded');
    expect(w.child.pid).toBe(pid);
    expect(w.child.exitCode).toBeNull();
    expect(w.child.signalCode).toBeNull();
  }, 300_000);

  for (const fault of Object.keys(FAULT_SEEDS) as Fault[]) {
    it(`${fault} in the training thread: ${WANT[fault][0]}, then the next job succeeds in the same process`, async () => {
      const w = s.worker!;
      const pid = w.child.pid;
      const api = jobApi(s, 'lr-range-tests');
      const bad = await api.submit({ ...SMALL, seed: FAULT_SEEDS[fault] });
      expect(bad.res.statusCode, JSON.stringify(bad.json)).toBe(202);
      const { final } = await api.waitFor(
        bad.json.id,
        (j) => ['succeeded', 'failed', 'canceled'].includes(j.status),
        120_000,
      );
      expect(final.status, JSON.stringify(final).slice(0, 400)).toBe('failed');
      expect(final.error.code).toBe(WANT[fault][0]);
      expect(final.error.detail).toMatch(WANT[fault][1]);

      const next = await api.submit(SMALL);
      const done = await api.waitFor(next.json.id, (j) => ['succeeded', 'failed'].includes(j.status), 120_000);
      expect(done.final.status, JSON.stringify(done.final.error)).toBe('succeeded');
      expect(w.child.pid).toBe(pid);
      expect(w.child.exitCode).toBeNull();
      expect(w.child.signalCode).toBeNull();
    }, 300_000);
  }
});
