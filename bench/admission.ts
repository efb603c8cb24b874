/**
 * Accepted POST /v1/lr-range-tests per second at 50 connections (autocannon), starting from an
 * empty queue and again with 50,000 jobs queued (no workers run: every accepted job stays
 * queued), against a real listening API process and a private redis-server with AOF on and
 * `appendfsync always`. GET /healthz on the same server in the same run is the reference.
 *   npm run build && node dist/bench/admission.js [--seconds=5] [--connections=50] [--fill=50000]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { globalInflightKey } from '../src/queue/admission.js';
import { freePort, startRedisServer } from '../src/redis/embedded.js';
import { args, environment, fmt, table } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = args();
const seconds = Number(opt.get('seconds') ?? 5);
const connections = Number(opt.get('connections') ?? 50);
const fill = Number(opt.get('fill') ?? 50_000);
const PREFIX = 'bench';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-adm-'));
const redis = await startRedisServer({ dir, appendfsync: 'always' });
const admin = new Redis(redis.url);
const port = await freePort();
const server = fork(path.resolve(here, 'serve.js'), [], {
  env: {
    ...process.env, REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1', QUEUE_PREFIX: PREFIX, LOG_LEVEL: 'error',
    LIMIT_QUEUE_DEPTH: '10000000', LIMIT_JOBS_PER_KEY: '10000000', MAX_EVENT_LOOP_DELAY_MS: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
await new Promise<void>((resolve, reject) => {
  server.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve(); });
  server.once('exit', (c) => reject(new Error(`server exited ${c}`)));
});
const base = `http://127.0.0.1:${port}`;
const depth = () => admin.zcard(globalInflightKey(PREFIX));
const body = JSON.stringify({ preset: 'spirals-mlp' });
const post = (o: { duration?: number; amount?: number }) => autocannon({
  url: `${base}/v1/lr-range-tests`, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, ...o,
});

const rows: (string | number)[][] = [];
type Result = Awaited<ReturnType<typeof autocannon>>;
const measure = async (label: string, run: () => Promise<Result>, accepted: (r: Result) => number) => {
  const d0 = await depth();
  const r = await run();
  const d1 = await depth();
  rows.push([label, `${d0}..${d1}`, fmt(accepted(r) / r.duration, 0), fmt(r.latency.p50, 1), fmt(r.latency.p99, 1),
    Object.entries(r.statusCodeStats).map(([c, s]) => `${c}×${s.count}`).join(' '), r.errors + r.timeouts]);
};

await post({ duration: 1 }); // warm-up: JIT, scripts loaded, connections open
await admin.flushall(); // an empty queue again (scripts reload on NOSCRIPT)
const load0 = os.loadavg()[0];
await measure('GET /healthz (reference)', () => autocannon({ url: `${base}/healthz`, connections, duration: seconds }), (r) => r['2xx']);
await measure('POST, empty queue', () => post({ duration: seconds }), (r) => r['2xx']);
const missing = fill - (await depth());
if (missing > 0) await post({ amount: missing });
await measure(`POST, ${fill} queued`, () => post({ duration: seconds }), (r) => r['2xx']);
const load1 = os.loadavg()[0];

console.log(`${environment()}; redis-server ${(await admin.info('server')).match(/redis_version:(\S+)/)?.[1]} appendonly yes, appendfsync always (dir ${os.tmpdir()}); ${connections} connections, ${seconds} s per run`);
console.log(`load average (1 min) ${load0.toFixed(2)} before, ${load1.toFixed(2)} after; ${os.cpus().length} CPUs`);
console.log(table(['run', 'jobs queued (start..end)', 'accepted/s', 'p50 ms', 'p99 ms', 'status codes', 'errors'], rows));

server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
admin.disconnect();
await redis.stop();
rmSync(dir, { recursive: true, force: true });
