/**
 * The Redis connection factory and its configuration: REDIS_SENTINELS parsing, the options each
 * kind of client gets in sentinel mode (no connection is made: lazyConnect), and log lines that
 * never show a password. The failover itself: test/integration/sentinel-failover.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig, parseSentinels } from '../../src/config.js';
import { describeRedis, producerConnection, workerConnection } from '../../src/queue/connection.js';

describe('REDIS_SENTINELS', () => {
  it('parses host:port lists (IPv6 in brackets, 26379 by default)', () => {
    expect(parseSentinels('10.0.0.5:26380, sentinel-b ,[fd00::7]:26381')).toEqual([
      { host: '10.0.0.5', port: 26380 },
      { host: 'sentinel-b', port: 26379 },
      { host: 'fd00::7', port: 26381 },
    ]);
    expect(parseSentinels('')).toEqual([]);
    expect(() => parseSentinels('a:b')).toThrow(/REDIS_SENTINELS entry "a:b"/);
    expect(() => parseSentinels('a:0')).toThrow(/host:port/);
  });

  it('configures the sentinel name, passwords and a WAIT for one replica; REDIS_URL beside it is an error', () => {
    const c = loadConfig({
      REDIS_SENTINELS: '127.0.0.1:26379,127.0.0.1:26380',
      REDIS_SENTINEL_NAME: 'lrf',
      REDIS_PASSWORD: 'p1',
      REDIS_SENTINEL_PASSWORD: 'p2',
    });
    expect(c.redisSentinel).toEqual({
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: '127.0.0.1', port: 26380 },
      ],
      name: 'lrf',
      password: 'p1',
      sentinelPassword: 'p2',
    });
    expect(c.redisWaitReplicas).toBe(1);
    expect(c.redisWaitTimeoutMs).toBe(1000);
    expect(loadConfig({ REDIS_SENTINELS: 'h:1', REDIS_WAIT_REPLICAS: '0' }).redisWaitReplicas).toBe(0);
    expect(loadConfig({ REDIS_SENTINELS: 'h:1' }).redisSentinel?.name).toBe('mymaster');
    expect(loadConfig({}).redisSentinel).toBeNull();
    expect(loadConfig({}).redisWaitReplicas).toBe(0);
    expect(() => loadConfig({ REDIS_SENTINELS: 'h:1', REDIS_URL: 'redis://h:6379' })).toThrow(/not both/);
  });
});

describe('connection factory', () => {
  const config = loadConfig({
    REDIS_SENTINELS: '127.0.0.1:1,127.0.0.1:2',
    REDIS_SENTINEL_NAME: 'lrf',
    REDIS_PASSWORD: 'secret',
  });

  it('sentinel mode: the primary through the sentinels, role-checked, READONLY reconnects; producer fail-fast, worker blocking', () => {
    const p = producerConnection(config, { lazyConnect: true });
    const w = workerConnection(config, { lazyConnect: true });
    try {
      for (const c of [p, w]) {
        expect(c.options).toMatchObject({
          sentinels: [
            { host: '127.0.0.1', port: 1 },
            { host: '127.0.0.1', port: 2 },
          ],
          name: 'lrf',
          role: 'master',
          failoverDetector: false,
          password: 'secret',
        });
        expect(
          c.options.reconnectOnError!(new Error("READONLY You can't write against a read only replica.")),
        ).toBeTruthy();
        expect(c.options.reconnectOnError!(new Error('WRONGTYPE'))).toBe(false);
      }
      // a worker's write that a just-promoted primary refused (no replica in sync yet) is sent again, not failed
      expect(w.options.reconnectOnError!(new Error('NOREPLICAS Not enough good replicas to write.'))).toBe(2);
      expect(p.options.reconnectOnError!(new Error('NOREPLICAS Not enough good replicas to write.'))).toBe(false);
      expect(p.options).toMatchObject({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      expect(w.options).toMatchObject({ enableOfflineQueue: true, maxRetriesPerRequest: null });
      // a duplicate (BullMQ's blocking client, QueueEvents) keeps the sentinel options
      expect(w.duplicate({ lazyConnect: true }).options).toMatchObject({ name: 'lrf', role: 'master' });
    } finally {
      p.disconnect();
      w.disconnect();
    }
  });

  it('REDIS_URL mode is unchanged; log lines name the target without passwords', () => {
    const c = producerConnection(loadConfig({ REDIS_URL: 'redis://:pw@127.0.0.1:1' }), { lazyConnect: true });
    expect(c.options).toMatchObject({ port: 1, enableOfflineQueue: false });
    expect(c.options.sentinels).toBeFalsy();
    c.disconnect();
    expect(describeRedis('redis://user:pw@h:6379/0')).toBe('redis://***@h:6379/0');
    expect(describeRedis(config)).toBe('sentinel primary "lrf" via 127.0.0.1:1,127.0.0.1:2');
  });
});
