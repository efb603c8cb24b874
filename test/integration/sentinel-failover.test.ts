/**
 * Redis fails over and nothing is lost: a primary and a replica (AOF `appendfsync always`,
 * `min-replicas-to-write 1`) under three sentinels (test/helpers/sentinel.ts), the app and two
 * real worker processes connected through the sentinels (REDIS_SENTINELS), and a real webhook
 * receiver on loopback. A stream of small range tests is POSTed while earlier ones run; the
 * primary is killed with SIGKILL mid-stream, and restarted (as a supervisor would) as the
 * promoted replica's replica once the sentinels have promoted it: with `min-replicas-to-write 1`
 * the new primary takes writes once a replica has synced again.
 *
 * Asserted: during the failover the API answers 503 `queue_unavailable` (problem+json,
 * Retry-After) and nothing else, then accepts jobs again; no job runs that a 503 said was not
 * queued (a 503 whose admission got no answer says it may be, and names it in Location: GET
 * tells); every job that got a 202 (or was so named and found) succeeds, with
 * one result (GET and every webhook delivery agree on it); every job's webhook arrives, all
 * deliveries of a job under one webhook-id; /readyz is ready on the promoted primary (noeviction,
 * AOF) with its replica back. The figures (failover time, 503s, accepted, lost, duplicates) are
 * printed; bench/README.md keeps a run's.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appFor, testConfig } from '../helpers/app.js';
import { startSentinelSet, type SentinelSet } from '../helpers/sentinel.js';
import { startWorker, type TestWorker } from '../helpers/worker.js';
import type { Json } from '../helpers/stack.js';

const KEY = randomBytes(32);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Delivery {
  id: string;
  body: Json;
  verified: boolean;
}

function receiver() {
  const got: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const expected = Buffer.from(
        `v1,${createHmac('sha256', KEY).update(`${id}.${req.headers['webhook-timestamp']}.${raw}`).digest('base64')}`,
      );
      const sent = String(req.headers['webhook-signature'])
        .split(' ')
        .map((s) => Buffer.from(s));
      got.push({
        id,
        body: JSON.parse(raw),
        verified: sent.some((s) => s.length === expected.length && timingSafeEqual(s, expected)),
      });
      res.statusCode = 204;
      res.end();
    });
  });
  return {
    got,
    async listen(): Promise<string> {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let set: SentinelSet;
let t: Awaited<ReturnType<typeof appFor>>;
const workers: TestWorker[] = [];
const hooks = receiver();
let callbackUrl = '';
let prefix = '';

beforeAll(async () => {
  set = await startSentinelSet({ downAfterMs: 1000, failoverTimeoutMs: 5000 });
  callbackUrl = await hooks.listen();
  prefix = `sentinel-${randomUUID().slice(0, 8)}`;
  const env = {
    ...set.env,
    QUEUE_PREFIX: prefix,
    WEBHOOK_SECRET: `whsec_${KEY.toString('base64')}`,
    WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    WEBHOOK_BACKOFF_MS: '200',
    WEBHOOK_ATTEMPTS: '12',
    // the stream is one owner's: its backlog is not what this test is about
    LIMIT_JOBS_PER_KEY: '100000',
  };
  t = await appFor(testConfig(env));
  await t.connected(20_000);
  // a job's lock outlives a failover (production: 30 s), so running jobs are not handed over needlessly
  const workerEnv = { ...env, LOCK_DURATION_MS: '10000', STALLED_INTERVAL_MS: '2000' };
  for (let i = 0; i < 2; i++) workers.push(startWorker(workerEnv));
  await Promise.all(workers.map((w) => w.ready));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await t?.close();
  await hooks.close();
  await set?.cleanup();
}, 60_000);

describe('Redis Sentinel failover', () => {
  it('kill -9 of the primary mid-stream: 503 queue_unavailable meanwhile, then on; every accepted job succeeds once, webhooks under stable ids', async () => {
    expect(t.config.redisSentinel?.sentinels).toHaveLength(3);
    expect(t.config.redisWaitReplicas).toBe(1);
    const accepted: string[] = [];
    const unexpected: string[] = [];
    /** 503s whose admission reached Redis without an answer: the job may be queued (Location names it) */
    const uncertain: string[] = [];
    let unavailable = 0;
    let killedAt = 0;
    let firstAcceptedAfterKill = 0;
    let acceptedAfterRecovery = 0;
    let stop = false;

    const post = async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/lr-range-tests',
        payload: { preset: 'spirals-mlp', num_iter: 10, callback_url: callbackUrl },
      });
      if (res.statusCode === 202) {
        accepted.push(res.json().id);
        if (killedAt && !firstAcceptedAfterKill) firstAcceptedAfterKill = Date.now();
        if (firstAcceptedAfterKill) acceptedAfterRecovery++;
      } else if (
        res.statusCode === 503 &&
        res.json().code === 'queue_unavailable' &&
        String(res.headers['content-type']).startsWith('application/problem+json') &&
        res.headers['retry-after']
      ) {
        unavailable++;
        if (res.headers.location) uncertain.push(String(res.headers.location).split('/').pop()!);
      } else {
        unexpected.push(`${res.statusCode} ${res.headers['content-type']} ${res.body.slice(0, 200)}`);
      }
    };
    // two clients, each POSTing again 50 ms after its answer
    const clients = [0, 1].map(async () => {
      while (!stop) {
        await post();
        await sleep(50);
      }
    });

    const deadline = Date.now() + 120_000;
    const until = async (what: string, ok: () => boolean) => {
      while (!ok()) {
        if (Date.now() > deadline) {
          throw new Error(
            `timed out waiting for ${what} (accepted ${accepted.length}, 503s ${unavailable}, unexpected ${unexpected.length}); ` +
              `app's connection ${t.redis.status}; nodes ${await set.describe()}; ` +
              `a create now: ${await t.jobs.create('lr-range-tests', {}, 'probe').then(
                () => 'ok',
                (e) => `${e.message} (${e.cause?.message ?? e.cause})`,
              )}`,
          );
        }
        await sleep(20);
      }
    };
    let switchedAt!: number;
    let restartedAt!: number;
    try {
      await until('jobs accepted before the kill', () => accepted.length >= 20);
      const old = await set.primaryPort();
      killedAt = Date.now();
      await set.kill(old);
      const promoted = await set.waitForSwitch(old);
      switchedAt = Date.now();
      expect(promoted).not.toBe(old);
      // the supervisor brings the old primary back as the promoted one's replica (asking the
      // sentinels first): a primary with min-replicas-to-write 1 takes writes again once it syncs
      await set.restart(old, promoted);
      restartedAt = Date.now();
      await until('jobs accepted after the failover', () => acceptedAfterRecovery >= 20);
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    expect(unexpected).toEqual([]);
    expect(unavailable).toBeGreaterThan(0);

    // a 503 that named a job (its admission got no answer): GET says whether it was queued; if so it is followed like
    // an accepted one
    const queuedDespite503: string[] = [];
    for (const id of uncertain) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${id}` });
      expect([200, 404]).toContain(res.statusCode);
      if (res.statusCode === 200) queuedDespite503.push(id);
    }
    const tracked = [...accepted, ...queuedDespite503];

    // every accepted job reaches a final state: succeeded
    const finals = new Map<string, Json>();
    for (const id of tracked) {
      for (;;) {
        const res = await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${id}` });
        expect(res.statusCode, `GET ${id}: ${res.body.slice(0, 200)}`).toBe(200);
        const j = res.json();
        if (['succeeded', 'failed', 'canceled'].includes(j.status)) {
          finals.set(id, j);
          break;
        }
        if (Date.now() > deadline + 120_000) {
          const key = `${prefix}:lr-range-tests`;
          const where = await Promise.all(
            ['wait', 'active', 'prioritized', 'delayed', 'stalled'].map(
              async (l) =>
                `${l}: ${l === 'prioritized' || l === 'delayed' ? await t.redis.zscore(`${key}:${l}`, id) : l === 'stalled' ? await t.redis.sismember(`${key}:${l}`, id) : await t.redis.lpos(`${key}:${l}`, id)}`,
            ),
          );
          throw new Error(
            `job ${id} still ${j.status}; hash ${JSON.stringify(await t.redis.hgetall(`${key}:${id}`)).slice(0, 600)}; ` +
              `lock ${await t.redis.exists(`${key}:${id}:lock`)}; ${where.join(', ')}; stalled-check pttl ${await t.redis.pttl(`${key}:stalled-check`)}; ` +
              `clients ${String(await t.redis.call('CLIENT', 'LIST'))
                .split('\n')
                .map((l) => /name=(\S*).*cmd=(\S+)/.exec(l)?.slice(1).join(':'))
                .join(' ')}; ` +
              `workers: ${workers.map((w) => w.output().slice(-1500)).join('\n---\n')}`,
          );
        }
        await sleep(100);
      }
    }
    const notSucceeded = [...finals.values()]
      .filter((j) => j.status !== 'succeeded')
      .map((j) => `${j.id}: ${j.status} ${JSON.stringify(j.error)}`);
    expect(notSucceeded).toEqual([]);

    // every job's webhook arrived; all deliveries of a job share its webhook-id and carry its one result
    const byJob = new Map<string, Delivery[]>();
    const t0 = Date.now();
    while (tracked.some((id) => !hooks.got.some((d) => d.body.data?.id === id))) {
      if (Date.now() - t0 > 120_000) throw new Error('webhooks missing');
      await sleep(100);
    }
    await sleep(1500); // late duplicates, if any
    for (const d of hooks.got) byJob.set(d.body.data.id, [...(byJob.get(d.body.data.id) ?? []), d]);
    let duplicateDeliveries = 0;
    for (const id of tracked) {
      const ds = byJob.get(id)!;
      duplicateDeliveries += ds.length - 1;
      expect(ds.every((d) => d.verified && d.id === `msg_${id}` && d.body.type === 'job.succeeded')).toBe(true);
      // one result: every delivery and the job resource (read again now) name the same finish
      const again = (await t.app.inject({ method: 'GET', url: `/v1/lr-range-tests/${id}` })).json();
      expect(
        new Set([...ds.map((d) => d.body.data.finished_at), finals.get(id)!.finished_at, again.finished_at]).size,
      ).toBe(1);
      expect(again.result).toEqual(finals.get(id)!.result);
    }
    // no job ran that the client was told was not queued
    expect([...byJob.keys()].filter((id) => !tracked.includes(id))).toEqual([]);

    // executions per job (BullMQ's attemptsStarted): more than one when a run's completion was lost in the failover
    const started = await Promise.all(accepted.map((id) => t.redis.hget(`${prefix}:lr-range-tests:${id}`, 'ats')));
    const rerun = started.filter((n) => Number(n) > 1).length;

    // ready again on the promoted primary: noeviction + AOF checked there, its replica back
    let ready: Json = {};
    for (let i = 0; i < 200; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      ready = res.json();
      if (res.statusCode === 200 && ready.checks.replicas >= 1) break;
      await sleep(100);
    }
    expect(ready).toMatchObject({ status: 'ready', checks: { redis: 'ok', persistence: 'ok', replicas: 1 } });

    const figures = {
      failover_ms: firstAcceptedAfterKill - killedAt,
      sentinels_switched_ms: switchedAt - killedAt,
      old_primary_restarted_ms: restartedAt - killedAt,
      unavailable_503: unavailable,
      uncertain_503: uncertain.length,
      queued_despite_503: queuedDespite503.length,
      accepted: accepted.length,
      lost: accepted.filter((id) => !finals.has(id)).length,
      not_succeeded: notSucceeded.length,
      duplicate_results: 0,
      duplicate_webhook_deliveries: duplicateDeliveries,
      jobs_run_again: rerun,
    };
    console.log(`sentinel-failover figures: ${JSON.stringify(figures)}`);
  }, 400_000);
});
