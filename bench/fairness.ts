/**
 * The wait of a small job behind another key's backlog, first in first out vs fair (src/queue/fairness.ts),
 * in the same run:
 *   npm run build && node dist/bench/fairness.js [--modes=fifo,fair] [--rounds=1] [--backlog=20] [--a-iter=300]
 * [--b-iter=20] [--cost=2000]
 * A private redis-server, the API in this process (its JobStore with `fair` on or off: the only
 * difference between the modes) and one worker process (dist/workers/main.js, WORKER_CONCURRENCY
 * 1). Per round: key A posts `backlog` range tests (spirals-mlp, `a-iter` iterations to end_lr 1e-3,
 * so none stops early at divergence: realistic jobs), and once the first of them runs, key B posts one of `b-iter`
 * iterations. Reported: B's
 * queue time (started_at − created_at), how many of A's jobs started after B was queued and before
 * it, B's run time and A's median run time (the unit the queue time is made of). Then A's
 * remaining jobs are canceled and the next round starts on a fresh prefix (--backlog=0 skips this
 * part). Then (--cost=N, 0 to skip) what the placement adds to an admission: N jobs admitted per mode, Redis and API
 * time per job.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { producerConnection } from '../src/queue/connection.js';
import { JobStore, jobStoreOptions } from '../src/queue/jobs.js';
import { startRedisServer } from '../src/redis/embedded.js';
import { args, environment, fmt, table } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = args();
const modes = (opt.get('modes') ?? 'fifo,fair').split(',') as ('fifo' | 'fair')[];
const rounds = Number(opt.get('rounds') ?? 1);
const backlog = Number(opt.get('backlog') ?? 20);
const aIter = Number(opt.get('a-iter') ?? 300);
const bIter = Number(opt.get('b-iter') ?? 20);
const KEY_A = 'bench-key-of-tenant-a';
const KEY_B = 'bench-key-of-tenant-b';
const KIND = 'lr-range-tests';

type Job = { id: string; status: string; created_at: string; started_at: string | null; finished_at: string | null };
const ms = (iso: string | null) => (iso ? Date.parse(iso) : NaN);
const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-fair-'));
const redis = await startRedisServer({ dir, appendfsync: 'always' });

async function startWorker(prefix: string): Promise<ChildProcess> {
  const w = fork(path.resolve(here, '../workers/main.js'), [], {
    env: { ...process.env, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, LOG_LEVEL: 'info', WORKER_CONCURRENCY: '1' },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    w.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('worker ready')) resolve();
    });
    w.once('exit', (c) => reject(new Error(`worker exited ${c}`)));
  });
  w.stdout!.resume();
  return w;
}

async function round(mode: 'fifo' | 'fair', n: number) {
  const prefix = `bench-fair-${mode}-${n}`;
  const config = loadConfig({
    ...process.env,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'error',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    API_KEYS: `a:${KEY_A},b:${KEY_B}`,
  });
  const conn = producerConnection(redis.url);
  while (conn.status !== 'ready') await sleep(10);
  const jobs = new JobStore(conn, { ...jobStoreOptions(config), fair: mode === 'fair' });
  const app: FastifyInstance = await buildApp({ config, jobs, logger: false });
  await app.ready();
  const worker = await startWorker(prefix);
  const call = async (key: string, method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await app.inject({ method, url, payload, headers: { authorization: `Bearer ${key}` } });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Job;
  };
  // A's jobs run their full length (end_lr 1e-3: no divergence stops them early); B's is the default range test, short
  const post = (key: string, iter: number, full = false) =>
    call(key, 'POST', `/v1/${KIND}`, { preset: 'spirals-mlp', num_iter: iter, ...(full ? { end_lr: 1e-3 } : {}) });
  const get = (key: string, id: string) => call(key, 'GET', `/v1/${KIND}/${id}`);
  try {
    // one job first: the training thread is warm and the kernels compiled before anything is measured
    const warm = await post(KEY_A, bIter);
    while (!['succeeded', 'failed'].includes((await get(KEY_A, warm.id)).status)) await sleep(20);

    const a: Job[] = [];
    for (let i = 0; i < backlog; i++) a.push(await post(KEY_A, aIter, true));
    while ((await get(KEY_A, a[0].id)).status === 'queued') await sleep(5);
    const b = await post(KEY_B, bIter);
    let bj = b;
    while (!['succeeded', 'failed', 'canceled'].includes(bj.status)) {
      await sleep(10);
      bj = await get(KEY_B, b.id);
    }
    const as = await Promise.all(a.map((j) => get(KEY_A, j.id)));
    const between = as.filter(
      (j) => j.started_at && ms(j.started_at) >= ms(b.created_at) && ms(j.started_at) < ms(bj.started_at),
    ).length;
    const aRun = median(
      as.filter((j) => j.finished_at && j.started_at).map((j) => ms(j.finished_at) - ms(j.started_at)),
    );
    for (const j of as)
      if (j.status === 'queued' || j.status === 'running')
        await call(KEY_A, 'POST', `/v1/${KIND}/${j.id}/cancel`).catch(() => undefined);
    return {
      mode,
      wait: ms(bj.started_at) - ms(b.created_at),
      between,
      bRun: ms(bj.finished_at) - ms(bj.started_at),
      aRun,
      status: bj.status,
    };
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await app.close();
    await jobs.close();
    conn.disconnect();
  }
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
console.log(`${environment()}; ${os.cpus()[0]?.model ?? 'cpu?'} × ${os.cpus().length}; load average ${load()}`);
console.log(
  `one worker (concurrency 1); key A: ${backlog} × spirals-mlp num_iter ${aIter} end_lr 1e-3; key B: one × num_iter ${bIter}, posted once A's first job runs`,
);
if (backlog > 0) {
  const rows: (string | number)[][] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const mode of modes) {
      const x = await round(mode, r);
      rows.push([`${mode} (round ${r})`, fmt(x.wait / 1000, 2), x.between, fmt(x.bRun, 0), fmt(x.aRun, 0), x.status]);
    }
  }
  console.log(`load average at the end: ${load()}`);
  console.log(
    table(['order', "B's queue time s", "A's jobs started while B waited", 'B run ms', 'A run ms (median)', 'B'], rows),
  );
}

/**
 * What the placement costs an admission: `cost` jobs per mode admitted straight through the
 * JobStore (no HTTP, no worker: they stay queued), 50 at a time (one MULTI each), from 20 owners.
 * Redis µs/job is Redis's own time in EXEC (INFO commandstats) ÷ jobs; API CPU µs/job this
 * process's CPU time ÷ jobs.
 */
async function admissionCost(mode: 'fifo' | 'fair', n: number) {
  const prefix = `bench-cost-${mode}`;
  const conn = producerConnection(redis.url);
  while (conn.status !== 'ready') await sleep(10);
  const jobs = new JobStore(conn, { prefix, resultTtlSeconds: 3600, fair: mode === 'fair' });
  await jobs.create(KIND, { warm: true }, 'warm-up'); // loads the scripts and the queue
  await conn.config('RESETSTAT');
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, k) => jobs.create(KIND, { n: i + k }, `owner-${(i + k) % 20}`)),
    );
  }
  const cpu = process.cpuUsage(cpu0);
  const m = /cmdstat_exec:calls=(\d+),usec=(\d+)/.exec(await conn.info('commandstats'));
  await jobs.close();
  conn.disconnect();
  return { redisUs: Number(m?.[2] ?? NaN) / n, apiUs: (cpu.user + cpu.system) / n, execs: Number(m?.[1] ?? NaN) };
}

const cost = Number(opt.get('cost') ?? 2000);
if (cost > 0) {
  const crows: (string | number)[][] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const mode of modes) {
      const c = await admissionCost(mode, cost);
      crows.push([`${mode} (round ${r})`, cost, c.execs, fmt(c.redisUs, 1), fmt(c.apiUs, 0)]);
    }
  }
  console.log(`\nadmission cost, ${cost} jobs per mode, 50 per MULTI, 20 owners; load average ${load()}`);
  console.log(table(['order', 'jobs', 'EXECs', 'Redis µs/job', 'API CPU µs/job'], crows));
}
await redis.stop();
rmSync(dir, { recursive: true, force: true });
