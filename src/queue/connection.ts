/**
 * Redis connections: every ioredis client of the service is made here (the API's, the workers',
 * and their duplicates: BullMQ's blocking clients, QueueEvents, subscribers), to REDIS_URL or,
 * when REDIS_SENTINELS is set, to the primary that the sentinels name.
 *
 * The API's producer fails fast (no offline queue, one retry, short command timeout) so a Redis
 * outage — a failover included — answers 503 at once instead of hanging and inserting a late
 * duplicate; workers use BullMQ's blocking defaults (maxRetriesPerRequest: null) and reconnect
 * forever.
 *
 * Sentinel mode (ioredis): each (re)connection asks the sentinels for the primary's address and
 * checks that the node it reached reports `role:master` (a node that was demoted is refused and
 * the sentinels asked again). A READONLY reply (a write that reached a demoted primary, e.g. after
 * a healed partition) reconnects; workers also retry writes that a primary refused with NOREPLICAS
 * (onReplyError). ioredis's `failoverDetector` is off: its `+switch-master` handler disconnects
 * the connector even while a reconnect is resolving the primary, which ends the client for good
 * (status `end`, no more retries: seen in test/integration/sentinel-failover.test.ts).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.js';

/** A Redis URL, or the service's configuration (REDIS_URL or REDIS_SENTINELS). */
export type RedisTarget = string | Pick<Config, 'redisUrl' | 'redisSentinel'>;

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** How a target reads in a log line (never with a password). */
export function describeRedis(target: RedisTarget): string {
  if (typeof target === 'string') return target.replace(/\/\/[^@/]*@/, '//***@');
  const s = target.redisSentinel;
  if (!s) return describeRedis(target.redisUrl ?? DEFAULT_URL);
  return `sentinel primary "${s.name}" via ${s.sentinels.map((x) => (x.host.includes(':') ? `[${x.host}]:${x.port}` : `${x.host}:${x.port}`)).join(',')}`;
}

/** The node is no (usable) primary: a demoted one (READONLY), or one refusing writes until a replica is in sync
 * (NOREPLICAS). */
const readonlyReply = (err: Error) => err.message.startsWith('READONLY');
const noReplicasReply = (err: Error) => err.message.startsWith('NOREPLICAS');

/**
 * Worker clients (`resend`): a write refused with READONLY or NOREPLICAS was not executed (a
 * script fails at its first write), so it is sent again after reconnecting — BullMQ would
 * otherwise take the error for the job's own and fail a job that succeeded (its moveToFinished
 * refused by a just-promoted primary). The API's producer only reconnects on READONLY (its
 * request answers 503).
 */
function onReplyError(resend: boolean): (err: Error) => boolean | 1 | 2 {
  return (err) => {
    if (resend && (readonlyReply(err) || noReplicasReply(err))) return 2;
    return readonlyReply(err) ? 1 : false;
  };
}

function connect(target: RedisTarget, opts: RedisOptions, resendOnReadonly: boolean): Redis {
  const s = typeof target === 'string' ? null : target.redisSentinel;
  if (!s) return new Redis(typeof target === 'string' ? target : (target.redisUrl ?? DEFAULT_URL), opts);
  return new Redis({
    sentinels: s.sentinels.map((x) => ({ host: x.host, port: x.port })),
    name: s.name,
    role: 'master',
    sentinelPassword: s.sentinelPassword,
    password: s.password,
    failoverDetector: false,
    sentinelCommandTimeout: 2000,
    // all sentinels unreachable: ask them again soon (the default waits up to 10 s)
    sentinelRetryStrategy: (times) => Math.min(times * 100, 1000),
    // 1: reconnect (to the primary the sentinels name now); 2: and send the command again
    reconnectOnError: onReplyError(resendOnReadonly),
    ...opts,
  });
}

/**
 * Reconnect delays: 200 ms more per attempt, at most 2 s — 1 s with sentinels, where each
 * attempt asks them for the primary again and the promoted replica appears within seconds.
 */
function reconnectDelay(target: RedisTarget): (times: number) => number {
  const cap = typeof target !== 'string' && target.redisSentinel ? 1000 : 2000;
  return (times) => Math.min(times * 200, cap);
}

export function producerConnection(target: RedisTarget, extra: RedisOptions = {}): Redis {
  return connect(
    target,
    {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 2000,
      connectTimeout: 2000,
      lazyConnect: false,
      // keep trying in the background; requests meanwhile get 503
      retryStrategy: reconnectDelay(target),
      ...extra,
    },
    false,
  );
}

export function workerConnection(target: RedisTarget, extra: RedisOptions = {}): Redis {
  return connect(
    target,
    {
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      retryStrategy: reconnectDelay(target),
      ...extra,
    },
    true,
  );
}
