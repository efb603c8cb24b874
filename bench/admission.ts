/**
 * Accepted POST /v1/lr-range-tests per second at 50 connections (autocannon), starting from an
 * empty queue and again with 50,000 jobs queued (no workers run: every accepted job stays
 * queued), against a real listening API process and a private redis-server with AOF on and
 * `appendfsync always`. GET /healthz on the same server in the same run is the reference.
 *   npm run build && node dist/bench/admission.js [--seconds=5] [--connections=50] [--fill=50000] [--rounds=3]
 * [--prof=DIR]
 * "API CPU µs/POST" is the API process's own CPU time (user + system, process.cpuUsage) over a
 * POST run divided by the POSTs it accepted: a figure the machine's load barely moves. --prof=DIR
 * runs V8's sampling profiler in the API over each POST run and writes DIR/<round>-<empty|full>.cpuprofile
 * (read it with node dist/bench/cpu-profile.js <file>); the profiler's own cost then inflates the figures.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { redisKeys } from '../src/queue/keys.js';
import { freePort, startRedisServer } from '../src/redis/embedded.js';
import { args, environment, fmt, table } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = args();
const seconds = Number(opt.get('seconds') ?? 5);
const connections = Number(opt.get('connections') ?? 50);
const fill = Number(opt.get('fill') ?? 50_000);
const rounds = Number(opt.get('rounds') ?? 3);
const prof = opt.get('prof');
const PREFIX = 'bench';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-adm-'));
const redis = await startRedisServer({ dir, appendfsync: 'always' });
const admin = new Redis(redis.url);
const port = await freePort();
const server = fork(path.resolve(here, 'serve.js'), [], {
  env: {
    ...process.env,
    REDIS_URL: redis.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    QUEUE_PREFIX: PREFIX,
    LOG_LEVEL: 'error',
    LIMIT_QUEUE_DEPTH: '10000000',
    LIMIT_JOBS_PER_KEY: '10000000',
    MAX_EVENT_LOOP_DELAY_MS: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
await new Promise<void>((resolve, reject) => {
  server.stdout!.on('data', (d: Buffer) => {
    if (d.toString().includes('listening')) resolve();
  });
  server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
});
const base = `http://127.0.0.1:${port}`;
const depth = () => admin.zcard(redisKeys(PREFIX).inflight());
/** waits for an AOF rewrite (triggered by the fill, a forked child) to end, so it does not overlap a run */
const settle = async () => {
  for (let i = 0; i < 600; i++) {
    const info = await admin.info('persistence');
    if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
};
const body = JSON.stringify({ preset: 'spirals-mlp' });
const post = (o: { duration?: number; amount?: number }) =>
  autocannon({
    url: `${base}/v1/lr-range-tests`,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    connections,
    ...o,
  });

const rows: (string | number)[][] = [];
type Result = Awaited<ReturnType<typeof autocannon>>;
/** Redis's own time in EXEC (the admission script and BullMQ's add of one POST): calls and µs so far */
const execStats = async () => {
  const m = /cmdstat_exec:calls=(\d+),usec=(\d+)/.exec(await admin.info('commandstats'));
  return m ? { calls: Number(m[1]), usec: Number(m[2]) } : { calls: 0, usec: 0 };
};
const redisUs: { empty: number[]; full: number[] } = { empty: [], full: [] };
/** the API process's CPU time so far, µs (it answers over IPC: bench/serve.ts) */
const apiCpu = () =>
  new Promise<number>((resolve) => {
    const on = (m: unknown) => {
      if (m && typeof m === 'object' && 'cpu' in m) {
        server.off('message', on);
        resolve((m as { cpu: number }).cpu);
      }
    };
    server.on('message', on);
    server.send('cpu');
  });
const cpuUs: { empty: number[]; full: number[] } = { empty: [], full: [] };
/** starts or stops (and saves) the API's profiler; nothing without --prof */
const profiler = (profile: 'start' | 'stop', name = '') =>
  !prof
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        const on = (m: unknown) => {
          if (m && typeof m === 'object' && 'profiled' in m) {
            server.off('message', on);
            resolve();
          }
        };
        server.on('message', on);
        server.send({ profile, file: path.resolve(prof, `${name}.cpuprofile`) });
      });
/** one POST run; returns accepted/s */
const measure = async (label: string, run: () => Promise<Result>): Promise<number> => {
  const d0 = await depth();
  const x0 = await execStats();
  await profiler('start');
  const c0 = await apiCpu();
  const r = await run();
  const c1 = await apiCpu();
  await profiler('stop', label.replace(/[^a-z0-9]+/gi, '-'));
  const x1 = await execStats();
  const d1 = await depth();
  const rate = r['2xx'] / r.duration;
  // per accepted POST (EXEC may carry several admissions when they are committed together)
  const us = (x1.usec - x0.usec) / Math.max(1, r['2xx']);
  const cpu = (c1 - c0) / Math.max(1, r['2xx']);
  (d0 >= fill ? redisUs.full : redisUs.empty).push(us);
  (d0 >= fill ? cpuUs.full : cpuUs.empty).push(cpu);
  rows.push([
    label,
    `${d0}..${d1}`,
    fmt(rate, 0),
    fmt(us, 1),
    fmt(cpu, 0),
    fmt(r.latency.p50, 1),
    fmt(r.latency.p99, 1),
    Object.entries(r.statusCodeStats)
      .map(([c, s]) => `${c}×${(s as { count: number }).count}`)
      .join(' '),
    r.errors + r.timeouts,
  ]);
  return rate;
};

await post({ duration: 3 }); // warm-up: JIT, scripts loaded, connections open
const load0 = os.loadavg()[0];
// Rounds: outside load on a shared machine changes within seconds, so each POST run has its own
// GET /healthz run just before it, and the ratio of the two is the comparable figure.
const ratios: { empty: number[]; full: number[] } = { empty: [], full: [] };
for (let round = 1; round <= rounds; round++) {
  await admin.flushall(); // an empty queue again (scripts reload on NOSCRIPT)
  await settle();
  const h0 = await autocannon({ url: `${base}/healthz`, connections, duration: seconds });
  rows.push([
    `${round}: GET /healthz`,
    '-',
    fmt(h0['2xx'] / h0.duration, 0),
    '-',
    '-',
    fmt(h0.latency.p50, 1),
    fmt(h0.latency.p99, 1),
    '',
    h0.errors,
  ]);
  const e = await measure(`${round}: POST, empty queue`, () => post({ duration: seconds }));
  ratios.empty.push(e / (h0['2xx'] / h0.duration));
  const missing = fill - (await depth());
  if (missing > 0) await post({ amount: missing });
  await settle();
  const h1 = await autocannon({ url: `${base}/healthz`, connections, duration: seconds });
  rows.push([
    `${round}: GET /healthz`,
    '-',
    fmt(h1['2xx'] / h1.duration, 0),
    '-',
    '-',
    fmt(h1.latency.p50, 1),
    fmt(h1.latency.p99, 1),
    '',
    h1.errors,
  ]);
  const f = await measure(`${round}: POST, ${fill} queued`, () => post({ duration: seconds }));
  ratios.full.push(f / (h1['2xx'] / h1.duration));
}
const load1 = os.loadavg()[0];
const med = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : NaN);

console.log(
  `${environment()}; redis-server ${(await admin.info('server')).match(/redis_version:(\S+)/)?.[1]} appendonly yes, appendfsync always (dir ${os.tmpdir()}); ${connections} connections, ${seconds} s per run, ${rounds} rounds`,
);
console.log(`load average (1 min) ${load0.toFixed(2)} before, ${load1.toFixed(2)} after; ${os.cpus().length} CPUs`);
console.log(
  table(
    [
      'run',
      'jobs queued (start..end)',
      'req/s (POST: accepted/s)',
      'Redis µs/POST',
      'API CPU µs/POST',
      'p50 ms',
      'p99 ms',
      'status codes',
      'errors',
    ],
    rows,
  ),
);
console.log(
  `accepted POST/s ÷ GET /healthz req/s, median of ${rounds}: empty queue ${fmt(med(ratios.empty), 3)} [${ratios.empty.map((x) => fmt(x, 3)).join(', ')}], ` +
    `${fill} queued ${fmt(med(ratios.full), 3)} [${ratios.full.map((x) => fmt(x, 3)).join(', ')}]; full/empty ${fmt(med(ratios.full) / med(ratios.empty), 2)}`,
);
console.log(
  `Redis time per admitted POST (EXEC of the admission script + BullMQ's add), median: empty queue ${fmt(med(redisUs.empty), 1)} µs, ${fill} queued ${fmt(med(redisUs.full), 1)} µs`,
);
console.log(
  `API CPU time per accepted POST (process.cpuUsage), median: empty queue ${fmt(med(cpuUs.empty), 0)} µs, ${fill} queued ${fmt(med(cpuUs.full), 0)} µs ` +
    `(one core's ceiling: ${fmt(1e6 / med([...cpuUs.empty, ...cpuUs.full]), 0)} POST/s)`,
);

// where Redis's time goes, over the whole run (warm-up and fills included)
const stats = [
  ...(await admin.info('commandstats')).matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/g),
]
  .map((m) => ({ cmd: m[1], calls: Number(m[2]), usec: Number(m[3]), per: Number(m[4]) }))
  .sort((a, b) => b.usec - a.usec)
  .slice(0, 6);
console.log(
  `Redis commandstats (whole run, nested commands counted inside EXEC too): ${stats.map((x) => `${x.cmd} ${x.calls} calls ${fmt(x.per, 1)} µs/call`).join('; ')}`,
);
const cpuInfo = await admin.info('cpu');
console.log(
  `Redis process CPU (whole run): ${/used_cpu_user:([\d.]+)/.exec(cpuInfo)?.[1]} s user, ${/used_cpu_sys:([\d.]+)/.exec(cpuInfo)?.[1]} s system`,
);

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
admin.disconnect();
await redis.stop();
rmSync(dir, { recursive: true, force: true });
