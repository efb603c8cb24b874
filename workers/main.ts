/**
 * Worker process entry (`npm run worker`): one BullMQ Worker per job kind on REDIS_URL, each job
 * trained in its own thread. Cancel requests arrive over Redis pub/sub (and a per-job flag that
 * is polled as a backstop). SIGTERM/SIGINT: stop taking jobs, let running ones finish within
 * WORKER_STOP_GRACE_MS; a job that cannot is handed back to the queue at once (handback.ts), for
 * another worker to start without waiting for the stalled-job check.
 */
import { Queue, Worker } from 'bullmq';
import pino from 'pino';
import { checkRetentionNames, loadConfig } from '../src/config.js';
import { loggerOptions } from '../src/logger.js';
import { describeRedis, workerConnection } from '../src/queue/connection.js';
import { connectionTrouble } from '../src/queue/connection-trouble.js';
import { redisKeys } from '../src/queue/keys.js';
import { queueName, taskQueueName } from '../src/queue/names.js';
import { JOB_KINDS, KINDS } from '../src/kinds/registry.js';
import { reconcileInflight } from '../src/queue/admission.js';
import { onJobFinished, type FinishContext } from './finish.js';
import { WebhookQueue } from '../src/webhooks/queue.js';
import { startWebhookWorker } from './webhooks.js';
import { startHeartbeat } from './health.js';
import { createProcessor } from './processor.js';
import { createTaskProcessor } from './fanout-task.js';
import { Handback } from './handback.js';
import { ThreadPool } from './run-in-thread.js';
import { backendInfo, type BackendInfo } from './backend.js';
import { StorageLedger } from '../src/storage/ledger.js';
import { watchParent } from './parent-watch.js';

/** after the stop grace, how long the handed-back jobs' moves may take before a force-close */
const CLOSE_MARGIN_MS = 5_000;
/** an admitted job may take this long to appear in its queue (the add follows the admission) */
const RECONCILE_GRACE_MS = 60_000;

export async function startWorker(env: Record<string, string | undefined> = process.env) {
  const config = loadConfig(env);
  checkRetentionNames(config, JOB_KINDS);
  const log = pino(loggerOptions(config.logLevel, 'worker', config.logFormat));
  if (!config.redisUrl && !config.redisSentinel) {
    log.error(
      'REDIS_URL (or REDIS_SENTINELS) is not set: a worker needs the Redis that the API queues jobs on (npm start sets it for its own workers)',
    );
    process.exit(2);
  }
  // which numeric backend this worker's jobs train on (LRF_BACKEND; native unless the addon is missing)
  let backend: BackendInfo;
  try {
    backend = backendInfo(env);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'no usable numeric backend');
    process.exit(2);
  }
  if (backend.fallback_reason)
    log.warn({ ...backend }, `native backend unavailable, training on WebAssembly SIMD: ${backend.fallback_reason}`);
  else log.info({ ...backend }, `training backend: ${backend.backend}${backend.isa ? ` (${backend.isa})` : ''}`);
  const redis = workerConnection(config);
  const sub = workerConnection(config);
  // one line when Redis cannot be reached and one when it is back, not one per retry and connection
  const trouble = connectionTrouble(log, describeRedis(config), 'worker');
  for (const c of [redis, sub]) {
    c.on('error', (err) => trouble.error(err));
    c.on('ready', () => trouble.ready());
  }

  const keys = redisKeys(config.queuePrefix);
  const running = new Map<string, AbortController>();
  // running tasks of fanned-out jobs, by their parent's id: the parent's cancel stops them too
  const children = new Map<string, Set<AbortController>>();
  await sub.subscribe(keys.cancelChannel());
  sub.on('message', (_channel, id: string) => {
    running.get(id)?.abort('canceled by request');
    children.get(id)?.forEach((c) => c.abort('canceled by request'));
  });
  // Backstop for cancel messages lost while the subscriber was reconnecting.
  const poll = setInterval(async () => {
    for (const [id, c] of running) {
      try {
        if (await redis.exists(keys.cancel(id))) c.abort('canceled by request');
      } catch {
        /* redis down: the next round retries */
      }
    }
    for (const [parent, cs] of children) {
      try {
        if (await redis.exists(keys.cancel(parent))) {
          cs.forEach((c) => c.abort('canceled by request'));
        }
      } catch {
        /* redis down: the next round retries */
      }
    }
  }, 1000);

  const pool = new ThreadPool(config.limits.workerMemoryMb, config.workerConcurrency);
  const ledger = new StorageLedger(redis, config.queuePrefix, config.limits.storageBytesPerKey);
  const handback = new Handback();
  // kinds that fan out (JOB_FANOUT): their internal task queues, which every worker serves (fanout.ts)
  const fanned = config.jobFanout ? KINDS.filter((k) => k.fanout).map((k) => k.name) : [];
  const taskQueues = new Map(
    fanned.map((kind) => [
      kind as string,
      new Queue(taskQueueName(kind), { connection: redis, prefix: config.queuePrefix, skipVersionCheck: true }),
    ]),
  );
  const pctx = { config, redis, log, running, pool, ledger, handback, children, taskQueues };
  const processor = createProcessor(pctx);
  const webhooks = new WebhookQueue(redis, config.queuePrefix, config.webhooks, config.resultTtlSeconds);
  const finish: FinishContext = { config, redis, log, webhook: (kind, id) => webhooks.enqueue(kind, id), ledger };
  const workerOptions = {
    connection: redis,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: 1,
    skipVersionCheck: true,
  };
  // the tasks: WORKER_CONCURRENCY more at once, as a kind of its own (a parent waiting for its tasks uses no CPU)
  const taskWorkers = fanned.map((kind) => {
    const w = new Worker(taskQueueName(kind), createTaskProcessor(pctx), workerOptions);
    w.on('error', (err) => trouble.error(err, { kind, tasks: true }));
    w.on('lockRenewalFailed', (ids: string[]) => ids.forEach((id) => running.get(id)?.abort('lock lost')));
    return w;
  });
  const workers = JOB_KINDS.map((kind) => {
    const w = new Worker(queueName(kind), processor, workerOptions);
    w.on('error', (err) => trouble.error(err, { kind }));
    // the job's final state frees its admission slot (quota, queue depth; releasing twice is
    // harmless), counts it for /metrics and queues its webhook (finish.ts)
    w.on('completed', (job) => void onJobFinished(finish, kind, job, 'completed'));
    w.on('failed', (job) => void onJobFinished(finish, kind, job, 'failed'));
    // Another worker will own a job whose lock we lost: stop computing it here.
    w.on('lockRenewalFailed', (ids: string[]) => ids.forEach((id) => running.get(id)?.abort('lock lost')));
    return w;
  });
  const webhookWorker = startWebhookWorker(config, redis, log, trouble);
  // Slots of jobs that finished or vanished without a release (a worker killed between the two)
  const reconcile = setInterval(
    () => {
      reconcileInflight(redis, config.queuePrefix, RECONCILE_GRACE_MS)
        .then((n) => {
          if (n) log.info({ released: n }, 'released admission slots of finished jobs');
        })
        .catch(() => undefined);
      // webhooks of jobs that reached a final state without their delivery queued (src/webhooks/queue.ts)
      webhooks
        .reconcile()
        .then((n) => {
          if (n) log.info({ queued: n }, 'queued webhooks of finished jobs');
        })
        .catch(() => undefined);
    },
    Math.max(config.stalledIntervalMs, 1000),
  );
  reconcile.unref();
  const stopHeartbeat = startHeartbeat(env.WORKER_HEALTH_FILE, redis);
  log.info({ kinds: JOB_KINDS, concurrency: config.workerConcurrency, pid: process.pid }, 'worker ready');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'worker shutting down');
    clearInterval(poll);
    clearInterval(reconcile);
    stopHeartbeat();
    const all = [...workers, ...taskWorkers, webhookWorker];
    const graceful = Promise.all(all.map((w) => w.close()));
    handback.stop(config.workerStopGraceMs);
    const timedOut = await Promise.race([
      graceful.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), config.workerStopGraceMs + CLOSE_MARGIN_MS).unref()),
    ]);
    if (timedOut)
      await Promise.race([Promise.all(all.map((w) => w.close(true))), new Promise((r) => setTimeout(r, 2000).unref())]);
    await pool.close();
    await Promise.all([...taskQueues.values()].map((q) => q.close().catch(() => undefined)));
    await webhooks.close().catch(() => undefined);
    sub.disconnect();
    redis.disconnect();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // forked by `npm start`: exit with the parent, even when it was SIGKILLed (the hard exit bounds the shutdown)
  watchParent((why) => {
    log.warn({ why }, 'parent process gone: worker shutting down');
    setTimeout(() => process.exit(1), config.workerStopGraceMs + CLOSE_MARGIN_MS + 5_000).unref();
    void shutdown('parent exited');
  });
  return { workers, shutdown };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startWorker().catch((err) => {
    console.error(`worker failed to start: ${(err as Error).message}`);
    process.exit(1);
  });
}
