/**
 * Webhooks end to end: a private redis-server, the API, a real worker process, and a real HTTP
 * receiver on loopback (allowed through WEBHOOK_ALLOW_HOSTS). The receiver checks each delivery's
 * Standard Webhooks signature itself (HMAC-SHA256 over `id.timestamp.body` with the decoded secret).
 */
import { execFile } from 'node:child_process';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn } from '../helpers/app.js';
import { jobApi, startStack, type Json, type Stack } from '../helpers/stack.js';
import { redisKeys } from '../../src/queue/keys.js';
import { WebhookQueue } from '../../src/webhooks/queue.js';

const KEY = randomBytes(32);
const ENV = {
  WEBHOOK_SECRET: `whsec_${KEY.toString('base64')}`,
  WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
  WEBHOOK_BACKOFF_MS: '100',
  WEBHOOK_ATTEMPTS: '5',
};

interface Delivery {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Json;
  verified: boolean;
}

/** A receiver: records every POST; answers `failFirst` times 500 per webhook-id, then 204. */
function receiver(failFirst = 0) {
  const got: Delivery[] = [];
  const seen = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const ts = String(req.headers['webhook-timestamp']);
      const expected = Buffer.from(`v1,${createHmac('sha256', KEY).update(`${id}.${ts}.${raw}`).digest('base64')}`);
      const sent = String(req.headers['webhook-signature'])
        .split(' ')
        .map((s) => Buffer.from(s));
      const verified = sent.some((s) => s.length === expected.length && timingSafeEqual(s, expected));
      got.push({ headers: req.headers, raw, body: JSON.parse(raw), verified });
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      res.statusCode = n <= failFirst ? 500 : 204;
      res.end();
    });
  });
  return {
    got,
    server,
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs the documented `verify` (docs/operating.md → Webhooks) on a delivery, then on the same delivery with one byte
 * changed. */
async function readmePythonVerify(d: Delivery): Promise<string> {
  const readme = readFileSync(path.resolve('docs/operating.md'), 'utf8');
  const code = /Verifying a delivery in Python[\s\S]*?```python\n([\s\S]*?)```/.exec(readme)![1];
  const script = `${code}
import json, sys
d = json.load(sys.stdin)
raw = d["raw"].encode()
print(verify(d["secret"], d["headers"], raw), verify(d["secret"], d["headers"], raw.replace(b'"status"', b'"Status"', 1)))
`;
  return new Promise((resolve, reject) => {
    const child = execFile('python3', ['-c', script], { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(stderr)) : resolve(stdout.trim()),
    );
    child.stdin!.end(JSON.stringify({ secret: ENV.WEBHOOK_SECRET, headers: d.headers, raw: d.raw }));
  });
}

let s: Stack;

beforeAll(async () => {
  s = await startStack({ tag: 'webhooks', worker: false, env: ENV });
  await s.startWorker(ENV);
}, 60_000);

afterAll(async () => {
  await s?.close();
});

const api = () => jobApi(s, 'lr-range-tests');

describe('webhooks', () => {
  it('a succeeded job: one signed POST carrying the job resource, as GET shows it', async () => {
    const r = receiver();
    const url = await r.listen();
    try {
      const { res, json } = await api().submit({ preset: 'spirals-mlp', num_iter: 10, callback_url: url });
      expect(res.statusCode).toBe(202);
      expect(json.request.callback_url).toBe(url);
      const d = await until('the delivery', () => r.got[0]);
      const job = await api().get(json.id);
      expect(job.status).toBe('succeeded');
      expect(d.verified).toBe(true);
      expect(d.headers['webhook-id']).toBe(`msg_${json.id}`);
      expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(120);
      expect(d.headers['content-type']).toBe('application/json');
      expect(d.body.type).toBe('job.succeeded');
      expect(d.body.timestamp).toBe(job.finished_at);
      expect(d.body.data).toEqual(job);
      // the README's Python verification, run as written on what the receiver got
      expect(await readmePythonVerify(d)).toBe('True False');
      await new Promise((res2) => setTimeout(res2, 1500)); // the reconciler runs every second: still one delivery
      expect(r.got.length).toBe(1);
    } finally {
      await r.close();
    }
  }, 60_000);

  it('retries with backoff until a 2xx: same webhook-id, each attempt signed with its own timestamp', async () => {
    const r = receiver(2);
    const url = await r.listen();
    try {
      const { json } = await api().submit({ preset: 'spirals-mlp', num_iter: 10, callback_url: url });
      await until('three attempts', () => r.got.length >= 3 && r.got);
      expect(r.got.map((d) => d.headers['webhook-id'])).toEqual([`msg_${json.id}`, `msg_${json.id}`, `msg_${json.id}`]);
      expect(r.got.every((d) => d.verified)).toBe(true);
      expect(r.got.map((d) => d.raw)).toEqual([r.got[0].raw, r.got[0].raw, r.got[0].raw]);
      await new Promise((res2) => setTimeout(res2, 1500));
      expect(r.got.length).toBe(3);
    } finally {
      await r.close();
    }
  }, 60_000);

  it('a canceled job: delivered as canceled once, although both the API and the worker queue it', async () => {
    const r = receiver();
    const url = await r.listen();
    await s.worker!.stop();
    try {
      const { json } = await api().submit({ preset: 'spirals-mlp', num_iter: 10, callback_url: url });
      expect((await api().cancel(json.id)).statusCode).toBe(202);
      await s.startWorker(ENV); // fails the canceled job (its `failed` event queues the same delivery) and delivers
      const d = await until('the delivery', () => r.got[0]);
      expect(d.verified).toBe(true);
      expect(d.body.type).toBe('job.canceled');
      expect(d.body.data.status).toBe('canceled');
      await new Promise((res2) => setTimeout(res2, 1500));
      expect(r.got.length).toBe(1);
    } finally {
      await r.close();
    }
  }, 60_000);

  it('a job that finished without its delivery queued (its worker died in between) is delivered by the reconciler', async () => {
    const r = receiver();
    const url = await r.listen();
    try {
      // hold the job with a bare BullMQ worker (no finish handlers) and complete it by hand
      await s.worker!.stop();
      const { json } = await api().submit({ preset: 'spirals-mlp', num_iter: 10, callback_url: url });
      const bare = new Worker('lr-range-tests', null, {
        connection: { url: s.redis.url },
        prefix: s.prefix,
        skipVersionCheck: true,
      });
      const job = (await bare.getNextJob('token-1'))!;
      expect(job.id).toBe(json.id);
      await job.moveToCompleted('null', 'token-1', false);
      await bare.close();
      expect((await api().get(json.id)).status).toBe('succeeded');
      expect(await s.t.redis.zscore(redisKeys(s.prefix).webhookPending(), `lr-range-tests/${json.id}`)).not.toBeNull();
      await s.startWorker(ENV);
      const d = await until('the delivery', () => r.got[0]);
      expect(d.verified).toBe(true);
      expect(d.body.data.id).toBe(json.id);
      expect(await s.t.redis.zscore(redisKeys(s.prefix).webhookPending(), `lr-range-tests/${json.id}`)).toBeNull();
    } finally {
      await r.close();
    }
  }, 60_000);

  it('queueing a delivery again adds nothing (deterministic job id)', async () => {
    const q = new WebhookQueue(s.t.redis, s.prefix, { attempts: 1, backoffMs: 1 }, 3600);
    try {
      const before = await q.queue.getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed');
      const done = (await q.queue.getJobs(['completed'])).find((j) => j.data.kind === 'lr-range-tests')!;
      await q.enqueue(done.data.kind, done.data.id);
      expect(await q.queue.getJobCountByTypes('completed', 'failed', 'waiting', 'active', 'delayed')).toBe(before);
    } finally {
      await q.close();
    }
  });

  it('callback_url is refused at admission (400 at /callback_url, nothing queued) when it is not a public http(s) URL', async () => {
    const strict = await appOn(s.redis.url, { QUEUE_PREFIX: s.prefix, WEBHOOK_SECRET: ENV.WEBHOOK_SECRET });
    const unsigned = await appOn(s.redis.url, { QUEUE_PREFIX: s.prefix });
    try {
      const depth = await s.t.redis.zcard(`${s.prefix}:lrf:inflight`);
      for (const [app, url, detail] of [
        [strict.app, 'http://127.0.0.1:9/hooks', /non-public/],
        [strict.app, 'http://[::ffff:10.0.0.1]/', /non-public/],
        [strict.app, 'http://169.254.169.254/latest', /non-public/],
        [strict.app, 'http://localhost/x', /loopback/],
        [strict.app, 'https://user:pw@example.com/', /credentials/],
        [strict.app, 'file:///etc/passwd', /http or https/],
        [unsigned.app, 'https://example.com/hooks', /WEBHOOK_SECRET/],
      ] as const) {
        const res = await app.inject({ method: 'POST', url: '/v1/diagnostics', payload: { callback_url: url } });
        expect(res.statusCode, url).toBe(400);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        expect(res.json().errors[0].pointer).toBe('/callback_url');
        expect(res.json().errors[0].detail).toMatch(detail);
      }
      const long = await strict.app.inject({
        method: 'POST',
        url: '/v1/lr-searches',
        payload: { callback_url: `https://example.com/${'a'.repeat(2100)}` },
      });
      expect(long.statusCode).toBe(400);
      expect(long.json().errors[0].pointer).toBe('/callback_url');
      expect(await s.t.redis.zcard(`${s.prefix}:lrf:inflight`)).toBe(depth);
    } finally {
      await strict.close();
      await unsigned.close();
    }
  });
});
