/**
 * 1,000 Server-Sent Event streams on one API process: every stream must end with its job's final
 * status, and GET /healthz (probed from another process every 20 ms) must stay fast meanwhile.
 * A private redis-server (appendfsync always), the API (dist/bench/serve.js) and worker processes;
 * `jobs` short range tests, `streams / jobs` streams on each, opened while the jobs are queued,
 * then the workers start. References in the same run: the probe with nothing running, and with
 * the same jobs running but no streams (the workers' training competes for the same CPUs).
 *   npm run build && node dist/bench/sse.js [--streams=1000] [--jobs=200] [--workers=1]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startRedisServer } from '../src/redis/embedded.js';
import { args, environment, fmt, table } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = args();
const streams = Number(opt.get('streams') ?? 1000);
const jobs = Number(opt.get('jobs') ?? 200);
const workers = Number(opt.get('workers') ?? 1);

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-sse-'));
const redis = await startRedisServer({ dir, appendfsync: 'always' });
const port = await freePort();
const env = {
  ...process.env,
  REDIS_URL: redis.url,
  PORT: String(port),
  HOST: '127.0.0.1',
  QUEUE_PREFIX: 'ssebench',
  LOG_LEVEL: 'error',
  LIMIT_SSE_STREAMS: String(streams + 10),
  LIMIT_JOBS_PER_KEY: '100000',
};
const started = (child: ChildProcess, word: string) =>
  new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes(word)) resolve();
    });
    child.once('exit', (c) => reject(new Error(`exited ${c}`)));
  });
const server = fork(path.resolve(here, 'serve.js'), [], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
await started(server, 'listening');
const base = `http://127.0.0.1:${port}`;

async function probe(ms: number, during?: Promise<unknown>) {
  const p = fork(path.resolve(here, 'healthz-probe.js'), [base, '--every=20'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await (during ?? new Promise((r) => setTimeout(r, ms)));
  p.kill('SIGTERM');
  await new Promise((r) => p.once('exit', r));
  return JSON.parse(out) as { n: number; p50: number; p99: number; max: number };
}

const post = (body: unknown) =>
  new Promise<{ id: string }>((resolve, reject) => {
    const req = http.request(
      `${base}/v1/lr-range-tests`,
      { method: 'POST', headers: { 'content-type': 'application/json' } },
      (res) => {
        let t = '';
        res.on('data', (d) => {
          t += d;
        });
        res.on('end', () =>
          res.statusCode === 202 ? resolve(JSON.parse(t)) : reject(new Error(`${res.statusCode} ${t}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });

/** Opens a stream; resolves when it is open, then with the last status once it ends. */
function follow(id: string): { open: Promise<void>; last: Promise<string | null> } {
  let opened!: () => void;
  const open = new Promise<void>((r) => {
    opened = r;
  });
  const agent = new http.Agent({ keepAlive: false });
  const last = new Promise<string | null>((resolve) => {
    http
      .get(`${base}/v1/lr-range-tests/${id}/events`, { agent }, (res) => {
        opened();
        let buf = '';
        let status: string | null = null;
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const m = /event: status\ndata: (.*)/.exec(buf.slice(0, cut));
            if (m) status = (JSON.parse(m[1]) as { status: string }).status;
            buf = buf.slice(cut + 2);
          }
        });
        res.on('end', () => resolve(status));
        res.on('error', () => resolve(status));
      })
      .on('error', () => {
        opened();
        resolve(null);
      });
  });
  return { open, last };
}

const startWorkers = () =>
  Array.from({ length: workers }, () =>
    fork(path.resolve(here, '../workers/main.js'), [], { env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
  );
const stopWorkers = async (ws: ChildProcess[]) => {
  for (const w of ws) w.kill('SIGTERM');
  await Promise.all(ws.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
};
const queueJobs = async (seed0: number) => {
  const ids: string[] = [];
  for (let i = 0; i < jobs; i++) ids.push((await post({ preset: 'spirals-mlp', num_iter: 20, seed: seed0 + i })).id);
  return ids;
};
/** resolves when every job of `ids` finished (polling one job a time, oldest first) */
const finished = async (ids: string[]) => {
  for (const id of ids) {
    for (;;) {
      const s = await new Promise<string>((resolve) =>
        http.get(`${base}/v1/lr-range-tests/${id}`, (res) => {
          let t = '';
          res.on('data', (d) => {
            t += d;
          });
          res.on('end', () => resolve((JSON.parse(t) as { status: string }).status));
        }),
      );
      if (s === 'succeeded' || s === 'failed' || s === 'canceled') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};

const load0 = os.loadavg()[0];
const idle = await probe(5000);
const plainIds = await queueJobs(10_000);
const plainWorkers = startWorkers();
const plain = await probe(0, finished(plainIds));
await stopWorkers(plainWorkers);

const ids = await queueJobs(0);
const t0 = performance.now();
const followers = Array.from({ length: streams }, (_, i) => follow(ids[i % jobs]));
await Promise.all(followers.map((f) => f.open));
const openMs = performance.now() - t0;
const all = Promise.all(followers.map((f) => f.last));
const busy = probe(0, all);
const pool = startWorkers();
const loaded = await busy;
const finals = await all;
const doneMs = performance.now() - t0;
const load1 = os.loadavg()[0];
const counts = new Map<string, number>();
for (const f of finals) counts.set(String(f), (counts.get(String(f)) ?? 0) + 1);

console.log(
  `${environment()}; ${streams} streams over ${jobs} jobs (num_iter 20), ${workers} worker processes; redis appendfsync always`,
);
console.log(`load average (1 min) ${load0.toFixed(2)} before, ${load1.toFixed(2)} after; ${os.cpus().length} CPUs`);
console.log(
  `streams opened in ${fmt(openMs, 0)} ms; all ended ${fmt(doneMs / 1000, 1)} s after the first opened; last status per stream: ${[...counts].map(([k, v]) => `${k}×${v}`).join(', ')}`,
);
console.log(
  table(
    ['GET /healthz every 20 ms', 'requests', 'p50 ms', 'p99 ms', 'max ms'],
    [
      ['nothing running (reference)', idle.n, fmt(idle.p50, 2), fmt(idle.p99, 2), fmt(idle.max, 2)],
      [
        `${jobs} jobs running, no streams (reference)`,
        plain.n,
        fmt(plain.p50, 2),
        fmt(plain.p99, 2),
        fmt(plain.max, 2),
      ],
      [`${streams} streams open, jobs running`, loaded.n, fmt(loaded.p50, 2), fmt(loaded.p99, 2), fmt(loaded.max, 2)],
    ],
  ),
);

await stopWorkers(pool);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
await redis.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
