/**
 * The API's event loop under big requests (issue 17 §4): two 16 MB CSV uploads and twenty GETs of
 * 8 MB job results at once, while GET /healthz is probed every 20 ms from another process.
 * Reports the probe's p50/p99/max, the API's own event-loop delay (monitorEventLoopDelay, through
 * ./eld-preload.ts) and the answers' status codes (503 `overloaded` is load shedding, 503 `busy`
 * a full offload pool). Load shedding stays at its default (MAX_EVENT_LOOP_DELAY_MS 1000).
 *
 * A private redis-server, the API (dist/bench/serve.js), and one worker process that runs one
 * real range test; its stored result is grown to `--result-mb` (its arrays repeated, still a
 * valid result) and stored as `--gets` separate jobs, which the GETs read.
 *   npm run build && node dist/bench/event-loop.js [--uploads=2] [--upload-mb=16] [--gets=20] [--result-mb=8]
 * [--rounds=3]
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort, startRedisServer } from '../src/redis/embedded.js';
import { redisKeys } from '../src/queue/keys.js';
import { args, environment } from './common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = args();
const uploads = Number(opt.get('uploads') ?? 2);
const uploadMb = Number(opt.get('upload-mb') ?? 16);
const gets = Number(opt.get('gets') ?? 20);
const resultMb = Number(opt.get('result-mb') ?? 8);
const rounds = Number(opt.get('rounds') ?? 3);
/** --profile=FILE: the API's V8 CPU profile over round 1 (read it with dist/bench/cpu-profile.js) */
const profileFile = opt.get('profile');
const PREFIX = 'elbench';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-el-'));
const redis = await startRedisServer({ dir, appendfsync: 'everysec' });
const port = await freePort();
const env = {
  ...process.env,
  REDIS_URL: redis.url,
  PORT: String(port),
  HOST: '127.0.0.1',
  QUEUE_PREFIX: PREFIX,
  LOG_LEVEL: 'error',
  LIMIT_RESULT_BYTES: String(64 * 1024 * 1024),
  LIMIT_UPLOAD_BYTES: String(Math.ceil(uploadMb * 1024 * 1024) + 1024),
  LIMIT_JOBS_PER_KEY: '100000',
};
const started = (child: ChildProcess, word: string) =>
  new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes(word)) resolve();
    });
    child.once('exit', (c) => reject(new Error(`exited ${c}`)));
  });
const server = fork(path.resolve(here, 'serve.js'), [], {
  env,
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  execArgv: ['--import', path.resolve(here, 'eld-preload.js')],
});
await started(server, 'listening');
const base = `http://127.0.0.1:${port}`;

function request(
  method: string,
  url: string,
  body?: Buffer,
  type?: string,
): Promise<{ status: number; code?: string; bytes: number }> {
  return new Promise((resolve) => {
    const req = http.request(
      `${base}${url}`,
      { method, headers: type ? { 'content-type': type } : {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const b = Buffer.concat(chunks);
          let code: string | undefined;
          if ((res.statusCode ?? 0) >= 400) {
            try {
              code = (JSON.parse(b.toString()) as { code?: string }).code;
            } catch {
              /* not JSON */
            }
          }
          resolve({ status: res.statusCode ?? 0, code, bytes: b.length });
        });
      },
    );
    req.on('error', () => resolve({ status: 0, bytes: 0 }));
    req.end(body);
  });
}

// one real job through a worker: its result is the template of the big stored results
const worker = fork(path.resolve(here, '../workers/main.js'), [], {
  env: { ...env, WORKER_CONCURRENCY: '1' },
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const sub = await new Promise<{ id: string }>((resolve, reject) => {
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
  req.end(JSON.stringify({ model: { hidden: [8] }, num_iter: 200 }));
});
const r = new Redis(redis.url);
const jobKey = (id: string) => redisKeys(PREFIX).job('lr-range-tests', id);
for (;;) {
  const [finishedOn, failed] = await r.hmget(jobKey(sub.id), 'finishedOn', 'failedReason');
  if (failed) throw new Error(`template job failed: ${failed}`);
  if (finishedOn) break;
  await new Promise((res) => setTimeout(res, 100));
}
worker.kill('SIGTERM');

// grow the result: its per-iteration arrays repeated until the text is about --result-mb
const template = await r.hgetall(jobKey(sub.id));
const stored = JSON.parse(template.returnvalue) as unknown;
const result = (typeof stored === 'string' ? JSON.parse(stored) : stored) as Record<string, unknown>;
const series = Object.keys(result).filter(
  (k) =>
    Array.isArray(result[k]) &&
    (result[k] as unknown[]).length >= 100 &&
    (result[k] as unknown[]).every((v) => typeof v === 'number' || v === null),
);
const baseBytes = Buffer.byteLength(JSON.stringify(result));
const seriesBytes = series.reduce((a, k) => a + Buffer.byteLength(JSON.stringify(result[k])), 0);
const times = Math.max(1, Math.round((resultMb * 1024 * 1024 - (baseBytes - seriesBytes)) / Math.max(1, seriesBytes)));
for (const k of series) result[k] = Array.from({ length: times }, () => result[k] as unknown[]).flat();
const text = JSON.stringify(result);
const ids = Array.from({ length: gets }, () => randomUUID());
for (const id of ids) await r.hset(jobKey(id), { ...template, returnvalue: JSON.stringify(text) });

// 16 MB of CSV: a header and rows of 8 features and a regression target
const rowsCsv: string[] = ['f0,f1,f2,f3,f4,f5,f6,f7,y'];
let size = rowsCsv[0].length + 1;
for (let i = 0; size < uploadMb * 1024 * 1024 - 200; i++) {
  const line = Array.from({ length: 9 }, (_, j) => (((i * 7919 + j * 104729) % 1000003) / 1000003).toFixed(7)).join(
    ',',
  );
  rowsCsv.push(line);
  size += line.length + 1;
}
const csv = Buffer.from(rowsCsv.join('\n') + '\n');

function eld(msg: 'eld-start' | 'eld-stop'): Promise<{ p50: number; p99: number; max: number } | null> {
  if (msg === 'eld-start') {
    server.send(msg);
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if (m && typeof m === 'object' && 'eld' in m) {
        server.off('message', on);
        resolve((m as { eld: { p50: number; p99: number; max: number } }).eld);
      }
    };
    server.on('message', on);
    server.send(msg);
  });
}

function ipc(msg: object, answer: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (m: unknown) => {
      if (m && typeof m === 'object' && answer in m) {
        server.off('message', on);
        resolve();
      }
    };
    server.on('message', on);
    server.send(msg);
  });
}

async function probe(during: Promise<unknown>) {
  const p = fork(path.resolve(here, 'healthz-probe.js'), [base, '--every=20'], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((res) => setTimeout(res, 300));
  await during;
  p.kill('SIGTERM');
  await new Promise((res) => p.once('exit', res));
  return JSON.parse(out) as { n: number; p50: number; p99: number; max: number };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const tally = (rs: { status: number; code?: string }[]) => {
  const m = new Map<string, number>();
  for (const x of rs) {
    const k = x.code ? `${x.status} ${x.code}` : String(x.status);
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return [...m].map(([k, n]) => `${n}× ${k}`).join(', ');
};

// warm-up: a long-running server has compiled its serialisers and validators (fast-json-stringify compiles a
// union's branch check on first use) and started its offload threads; the rounds measure the steady state
await request('GET', `/v1/lr-range-tests/${ids[0]}`);
await request('POST', '/v1/datasets?task=regression', Buffer.from('a,b\n1,2\n3,4\n'), 'text/csv');
await new Promise((res) => setTimeout(res, 2000));

console.log(
  `${environment()}; cpus ${os.cpus()[0]?.model} × ${os.cpus().length}; loadavg ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log(
  `stored result ${(Buffer.byteLength(text) / 1048576).toFixed(1)} MB × ${gets} jobs; CSV ${(csv.length / 1048576).toFixed(1)} MB × ${uploads} uploads`,
);
{
  await eld('eld-start');
  const idle = await probe(new Promise((res) => setTimeout(res, 2000)));
  const e = await eld('eld-stop');
  console.log(
    `idle:  /healthz p50 ${fmt(idle.p50)} p99 ${fmt(idle.p99)} max ${fmt(idle.max)} ms (n ${idle.n}); event-loop delay p99 ${e?.p99} max ${e?.max} ms`,
  );
}
for (let round = 1; round <= rounds; round++) {
  await eld('eld-start');
  if (round === 1 && profileFile) await ipc({ profile: 'start' }, 'profiled');
  const t0 = performance.now();
  let up: { status: number; code?: string }[] = [];
  let got: { status: number; code?: string; bytes: number }[] = [];
  const load = Promise.all([
    Promise.all(
      Array.from({ length: uploads }, () => request('POST', '/v1/datasets?task=regression', csv, 'text/csv')),
    ).then((x) => {
      up = x;
    }),
    Promise.all(ids.map((id) => request('GET', `/v1/lr-range-tests/${id}`))).then((x) => {
      got = x;
    }),
  ]);
  const h = await probe(load);
  const wall = performance.now() - t0;
  const e = await eld('eld-stop');
  if (round === 1 && profileFile) await ipc({ profile: 'stop', file: profileFile }, 'profiled');
  console.log(
    `round ${round}: /healthz p50 ${fmt(h.p50)} p99 ${fmt(h.p99)} max ${fmt(h.max)} ms (n ${h.n}); event-loop delay p50 ${e?.p50} p99 ${e?.p99} max ${e?.max} ms; ` +
      `uploads: ${tally(up)}; GETs: ${tally(got)} (${(got.filter((g) => g.status === 200).reduce((a, g) => a + g.bytes, 0) / 1048576).toFixed(0)} MB); wall ${(wall / 1000).toFixed(1)} s`,
  );
  await new Promise((res) => setTimeout(res, 3000)); // load shedding samples settle before the next round
}
console.log(
  `loadavg at the end ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);

r.disconnect();
server.kill('SIGTERM');
await new Promise((res) => server.once('exit', res));
await redis.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
