/**
 * Redis connections. The API's producer fails fast (no offline queue, one retry, short command
 * timeout) so a Redis outage answers 503 at once instead of hanging and inserting a late duplicate;
 * workers use BullMQ's blocking defaults (maxRetriesPerRequest: null) and reconnect forever.
 */
import { Redis, type RedisOptions } from 'ioredis';

export function producerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    lazyConnect: false,
    // keep trying in the background; requests meanwhile get 503
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}

export function workerConnection(url: string, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...extra,
  });
}
