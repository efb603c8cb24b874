/**
 * The storage ledger's scripts on a private redis-server: check + reserve in one step, resizing
 * (only growth is checked), settle (never refused, optionally only while a key exists), release,
 * lazy pruning of expired items, and the ledger's own keys expiring after its last item.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { redisKeys } from '../../src/queue/keys.js';
import { StorageLedger } from '../../src/storage/ledger.js';

let server: TestRedis;
let redis: Redis;
beforeAll(async () => {
  server = await startTestRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.cleanup();
});

// the clock the scripts are given (the ledger keys expire relative to it, so it is the real one)
const NOW = Date.now();
const HOUR = 3_600_000;

describe('StorageLedger', () => {
  it('reserves up to the limit exactly; a refusal names the total and the earliest expiry', async () => {
    const l = new StorageLedger(redis, 'l1', 1000);
    expect(await l.reserve('o', 'a', 600, NOW + HOUR, NOW)).toEqual({ ok: true, total: 600 });
    expect(await l.reserve('o', 'b', 400, NOW + 2 * HOUR, NOW)).toEqual({ ok: true, total: 1000 });
    expect(await l.reserve('o', 'c', 1, NOW + HOUR, NOW)).toEqual({
      ok: false,
      total: 1000,
      bytes: 1,
      limit: 1000,
      retryAfterS: 3600,
    });
    expect(await l.usage('o', NOW)).toEqual({ bytes: 1000, items: 2 });
    // another owner is separate
    expect((await l.reserve('p', 'a', 1000, NOW + HOUR, NOW)).ok).toBe(true);
  });

  it('resizing checks only growth; shrinking and settling are never refused', async () => {
    const l = new StorageLedger(redis, 'l2', 1000);
    await l.reserve('o', 'a', 900, NOW + HOUR, NOW);
    expect((await l.reserve('o', 'a', 1000, NOW + HOUR, NOW)).ok).toBe(true);
    expect((await l.reserve('o', 'a', 1001, NOW + HOUR, NOW)).ok).toBe(false);
    expect(await l.reserve('o', 'a', 100, NOW + HOUR, NOW)).toEqual({ ok: true, total: 100 });
    expect(await l.settle('o', 'b', 5000, NOW + HOUR, NOW)).toBe(5100);
    expect(await l.release('o', 'b', NOW)).toBe(100);
    expect(await l.release('o', 'b', NOW)).toBe(100);
    // settle while a key exists: nothing recorded when it is gone
    const job = redisKeys('l2').job('lr-range-tests', 'j1');
    expect(await l.settle('o', 'c', 50, NOW + HOUR, NOW, job)).toBe(100);
    await redis.set(job, '1');
    expect(await l.settle('o', 'c', 50, NOW + HOUR, NOW, job)).toBe(150);
  });

  it('expired items are subtracted before every check (lazy pruning)', async () => {
    const l = new StorageLedger(redis, 'l3', 1000);
    await l.reserve('o', 'old', 800, NOW + 1000, NOW);
    await l.reserve('o', 'new', 100, NOW + HOUR, NOW);
    expect((await l.reserve('o', 'x', 500, NOW + HOUR, NOW + 999)).ok).toBe(false);
    expect(await l.reserve('o', 'x', 500, NOW + HOUR, NOW + 1000)).toEqual({ ok: true, total: 600 });
    expect(await l.usage('o', NOW + HOUR)).toEqual({ bytes: 0, items: 0 });
    expect(await redis.hget(redisKeys('l3').storage('o'), 'old')).toBeNull();
  });

  it("the ledger's keys expire a minute after its last item", async () => {
    const l = new StorageLedger(redis, 'l4', 0);
    const now = Date.now();
    await l.reserve('o', 'a', 10, now + 5000, now);
    await l.reserve('o', 'b', 10, now + 2000, now);
    for (const k of [redisKeys('l4').storage('o'), redisKeys('l4').storageExpiry('o')]) {
      const ttl = await redis.pttl(k);
      expect(ttl).toBeGreaterThan(60_000);
      expect(ttl).toBeLessThanOrEqual(65_000);
    }
    // limit 0: counted, never refused
    expect((await l.reserve('o', 'c', 1e12, now + 1000, now)).ok).toBe(true);
  });
});
