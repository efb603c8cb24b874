/**
 * The same LR search through the whole service (POST → succeeded) on one worker process and on two
 * (WORKER_CONCURRENCY=1 each), its trials fanned out as child jobs (JOB_FANOUT, workers/fanout.ts),
 * against one worker running it whole in its thread (JOB_FANOUT=false, no fan-out):
 *   npm run build && node dist/bench/search-parallel.js [--steps=2000] [--rounds=3]
 * Each round runs the three set-ups one after another (fresh worker processes, one warm-up search
 * each, then the timed one), so load from elsewhere falls on all three alike; the ratios are of the
 * medians. Prints the CPU, the load average before and after, and whether the three results are the
 * same bytes. A private redis-server and the API on a free loopback port.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { freePort, startRedisServer } from '../src/redis/embedded.js';
import { countLayerParams } from '../src/contracts/params.js';
import { findKind } from '../src/kinds/registry.js';
import { runFanStep } from '../workers/run-job.js';
import { deserialize, serialize } from 'node:v8';
import { args, environment, fmt, table } from './common.js';

const opts = args();
const steps = Number(opts.get('steps') ?? 2000);
const rounds = Number(opts.get('rounds') ?? 3);
const here = path.dirname(fileURLToPath(import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// a 2-128-128-3 tanh MLP on spirals at batch 256: about 7 × train_steps optimizer steps in all
const BODY = {
  preset: 'spirals-search',
  train_steps: steps,
  batch_size: 256,
  model: { hidden: [128, 128], activation: 'tanh' },
};

const SETUPS = [
  { name: '1 worker, whole in its thread (JOB_FANOUT=false)', workers: 1, fanout: 'false' },
  { name: '1 worker, fanned out', workers: 1, fanout: 'true' },
  { name: '2 workers, fanned out', workers: 2, fanout: 'true' },
];

/**
 * The bound the search's shape puts on the speed-up: its rounds of trials in optimizer steps, run in
 * process (the fan-out's own steps), and the steps on the longer of two workers when each round's
 * trials are dealt longest first (the range test and every round wait for the one before).
 */
type Outcome = { value: unknown; carry: unknown };

function shapeBound(): { rounds: number[][]; serial: number; two: number } {
  const kind = findKind('lr-searches')!;
  const ctx = { limits: loadConfig({}).limits, countParams: countLayerParams };
  const req = JSON.parse(JSON.stringify(kind.resolve(BODY, ctx)));
  const drain = <R>(g: Generator<unknown, R>): R => {
    let n = g.next();
    while (!n.done) n = g.next();
    return n.value;
  };
  type Started = { value: { search: { cost: { range_test: number } } } };
  const started = drain(runFanStep('lr-searches', req, { type: 'start' })) as Started;
  let state: unknown = started.value;
  const rt = started.value.search.cost.range_test;
  const carries = new Map<string, Buffer>();
  const rounds: number[][] = [];
  for (let tasks = kind.fanout!.tasks(state); tasks.length > 0; tasks = kind.fanout!.tasks(state)) {
    const outs = tasks.map((t) => {
      const carry = t.after ? deserialize(carries.get(t.after)!) : null;
      const o = drain(runFanStep('lr-searches', req, { type: 'task', task: t, carry })) as Outcome;
      if (o.carry) carries.set(t.id, serialize(o.carry));
      return o.value as { steps_trained: number };
    });
    rounds.push(outs.map((o) => o.steps_trained));
    state = kind.fanout!.tell(state, outs);
  }
  let serial = rt,
    two = rt;
  for (const r of rounds) {
    serial += r.reduce((a, b) => a + b, 0);
    const load = [0, 0];
    for (const x of [...r].sort((a, b) => b - a)) load[load[0] <= load[1] ? 0 : 1] += x;
    two += Math.max(...load);
  }
  return { rounds, serial, two };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-bench-'));
  const redis = await startRedisServer({ dir });
  const port = await freePort();
  const env = {
    ...process.env,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'bench',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    WORKER_CONCURRENCY: '1',
  };
  const app = await buildApp({ config: loadConfig(env), logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;

  const search = async (body: object = BODY): Promise<{ ms: number; result: string }> => {
    const t0 = performance.now();
    const headers = { 'content-type': 'application/json' };
    const res = await fetch(`${base}/v1/lr-searches`, { method: 'POST', headers, body: JSON.stringify(body) });
    const job = (await res.json()) as { id: string };
    for (;;) {
      const r = await fetch(`${base}/v1/lr-searches/${job.id}`);
      const j = (await r.json()) as { status: string; result: unknown };
      if (j.status === 'succeeded') return { ms: performance.now() - t0, result: JSON.stringify(j.result) };
      if (j.status === 'failed' || j.status === 'canceled') throw new Error(JSON.stringify(j).slice(0, 500));
      await new Promise((r2) => setTimeout(r2, 20));
    }
  };
  const startWorkers = async (n: number, fanout: string): Promise<ChildProcess[]> => {
    const main = path.resolve(here, '../workers/main.js');
    const opts = { env: { ...env, JOB_FANOUT: fanout }, stdio: 'ignore' as const };
    const ws = Array.from({ length: n }, () => fork(main, [], opts));
    await new Promise((r) => setTimeout(r, 1500));
    return ws;
  };
  const stop = async (ws: ChildProcess[]) => {
    await Promise.all(
      ws.map(
        (w) =>
          new Promise((r) => {
            w.once('exit', r);
            w.kill('SIGTERM');
          }),
      ),
    );
  };

  const load0 = os.loadavg();
  const times = SETUPS.map(() => [] as number[]);
  const results = new Set<string>();
  for (let r = 0; r < rounds; r++) {
    for (const [i, s] of SETUPS.entries()) {
      const ws = await startWorkers(s.workers, s.fanout);
      await search({ ...BODY, train_steps: 200 }); // warm-up: JIT, the threads' first jobs
      const { ms, result } = await search();
      times[i].push(ms);
      results.add(result);
      await stop(ws);
      console.error(`round ${r + 1}: ${s.name}: ${fmt(ms / 1000, 2)} s`);
    }
  }
  const load1 = os.loadavg();
  const bound = shapeBound();
  const m = times.map(median);
  console.log(environment());
  const la = (l: number[]) => l.map((x) => fmt(x, 2)).join(' ');
  const cpu = `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}`;
  console.log(`CPU: ${cpu}; load average before ${la(load0)}, after ${la(load1)}`);
  console.log(
    `search: spirals-search, train_steps ${steps}, batch 256, 2-128-128-3 tanh; ${rounds} rounds, POST → done`,
  );
  console.log();
  const sec = (ms: number) => fmt(ms / 1000, 2);
  const rows = SETUPS.map((s, i) => [s.name, sec(m[i]), sec(Math.min(...times[i])), sec(Math.max(...times[i]))]);
  console.log(table(['set-up', 'median s', 'min s', 'max s'], rows));
  console.log(`\n2 workers / 1 worker (both fanned out): ${fmt(m[2] / m[1], 2)}`);
  console.log(`2 workers fanned out / 1 worker whole:  ${fmt(m[2] / m[0], 2)}`);
  console.log(`1 worker fanned out / 1 worker whole:   ${fmt(m[1] / m[0], 2)} (the fan-out's own cost)`);
  console.log(`results identical across set-ups and rounds: ${results.size === 1}`);
  const shape = bound.rounds.map((r) => `[${r.join(' ')}]`).join(' ');
  console.log(`\nthe search's shape: range test, then rounds of trials (steps each): ${shape}`);
  console.log(
    `  ${bound.serial} steps in all; ${bound.two} on the busier of 2 workers (longest first): ` +
      `the best 2-worker ratio is ${fmt(bound.two / bound.serial, 2)}`,
  );

  await app.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
