/**
 * The per-owner storage ledger (LIMIT_STORAGE_BYTES_PER_KEY): what each API key stores in Redis —
 * uploaded datasets, jobs (request, result, summary, failure), sweep / LR search sessions and
 * idempotency records — counted in bytes, checked and reserved in one Lua script so concurrent
 * writers cannot overshoot the quota (Redis runs one script at a time).
 *
 * Per owner, two keys:
 *   `<prefix>:lrf:storage:<owner>`      hash: item → bytes, and `#total` → the sum
 *   `<prefix>:lrf:storage-exp:<owner>`  sorted set: item → expiry (ms since the epoch)
 * An item is one stored thing (`dataset:<id>`, `job:<kind>/<id>`, `sweep-session:<id>`,
 * `idem:<hash>`, see itemOf*). Writing an item again resizes it (a session that grew, a job whose
 * result arrived): only the growth is checked against the quota; shrinking always succeeds.
 *
 * Expiry: Redis gives no reliable callback when a key expires, so the ledger keeps each item's
 * expiry beside its size and every script first subtracts the items whose expiry has passed
 * (lazy pruning: each entry is pruned once, so the cost is amortised O(1) per write). The ledger's
 * own keys expire a minute after its last item, so an owner who stores nothing leaves nothing.
 * Deletes (DELETE /v1/datasets/{id}, DELETE /v1/{kind}/{id}) release their item at once.
 *
 * What is counted is the stored payload (the UTF-8 bytes of the JSON values written) plus a fixed
 * ITEM_OVERHEAD for keys, indexes and Redis's own bookkeeping: an estimate of the memory an item
 * holds, the same on every Redis build. The reservation is made before the data is written and
 * released if the write fails; a process killed in between leaves the reservation counted until
 * the item's expiry — the ledger can over-count for a while, never under-count.
 */
import type { Redis } from 'ioredis';

/** Bytes added to every item for its keys, index entries and Redis's per-key bookkeeping. */
export const ITEM_OVERHEAD = 256;

export function storageKey(prefix: string, owner: string): string {
  return `${prefix}:lrf:storage:${encodeURIComponent(owner)}`;
}

export function storageExpiryKey(prefix: string, owner: string): string {
  return `${prefix}:lrf:storage-exp:${encodeURIComponent(owner)}`;
}

export const itemOfDataset = (id: string) => `dataset:${id}`;
export const itemOfJob = (kind: string, id: string) => `job:${kind}/${id}`;
export const itemOfSession = (kind: string, id: string) => `${kind}:${id}`;
export const itemOfIdempotency = (hash: string) => `idem:${hash}`;
/** a fanned-out job's carry between two of its tasks (workers/fanout-task.ts) */
export const itemOfCarry = (kind: string, parentId: string, taskId: string) => `carry:${kind}/${parentId}/${taskId}`;

/** UTF-8 bytes of the values an item stores, plus ITEM_OVERHEAD. */
export function bytesOf(...values: (string | Buffer | null | undefined)[]): number {
  let n = ITEM_OVERHEAD;
  for (const v of values) if (v) n += typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
  return n;
}

// The pruning every script starts with: expired items leave the total. KEYS[1] hash, KEYS[2] zset, `now` in ms.
const PRUNE = `
local function prune(now)
  local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
  if #expired == 0 then return end
  local freed = 0
  for _, item in ipairs(expired) do
    freed = freed + (tonumber(redis.call('HGET', KEYS[1], item)) or 0)
    redis.call('HDEL', KEYS[1], item)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  local total = (tonumber(redis.call('HGET', KEYS[1], '#total')) or 0) - freed
  if total < 0 then total = 0 end
  redis.call('HSET', KEYS[1], '#total', total)
end
local function oldest()
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return tonumber(first[2]) or 0
end
`;

/**
 * RESERVE: check and record an item's size in one step.
 * KEYS[1] storage hash, KEYS[2] expiry zset, KEYS[3] (optional) a key that must exist for the
 * item to be recorded (the settle of a job whose owner may have deleted it meanwhile)
 * ARGV[1] item, ARGV[2] bytes, ARGV[3] expiry (ms), ARGV[4] now (ms),
 * ARGV[5] quota in bytes (0 = record without checking: the settle of something already written)
 * Returns {1, total after} when recorded, {0, total now, earliest expiry ms} when refused.
 */
const RESERVE = `${PRUNE}
local now = tonumber(ARGV[4])
prune(now)
if KEYS[3] and redis.call('EXISTS', KEYS[3]) == 0 then
  return {1, tonumber(redis.call('HGET', KEYS[1], '#total')) or 0}
end
local bytes = tonumber(ARGV[2])
local limit = tonumber(ARGV[5])
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
local total = tonumber(redis.call('HGET', KEYS[1], '#total')) or 0
local after = total - old + bytes
if limit > 0 and bytes > old and after > limit then
  return {0, total, oldest()}
end
redis.call('HSET', KEYS[1], ARGV[1], bytes, '#total', after)
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
local keep = math.max(tonumber(last[2]) or 0, now) + 60000
redis.call('PEXPIREAT', KEYS[1], keep)
redis.call('PEXPIREAT', KEYS[2], keep)
return {1, after}
`;

/**
 * RELEASE: forget an item (deleted, or its write failed).
 * KEYS[1] storage hash, KEYS[2] expiry zset; ARGV[1] item, ARGV[2] now (ms). Returns the total after.
 */
const RELEASE = `${PRUNE}
prune(tonumber(ARGV[2]))
local old = tonumber(redis.call('HGET', KEYS[1], ARGV[1])) or 0
local total = tonumber(redis.call('HGET', KEYS[1], '#total')) or 0
if old > 0 then
  total = total - old
  if total < 0 then total = 0 end
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('HSET', KEYS[1], '#total', total)
end
redis.call('ZREM', KEYS[2], ARGV[1])
return total
`;

/**
 * USAGE: the owner's total after pruning.
 * KEYS[1] storage hash, KEYS[2] expiry zset; ARGV[1] now (ms). Returns {total, items}.
 */
const USAGE = `${PRUNE}
prune(tonumber(ARGV[1]))
return {tonumber(redis.call('HGET', KEYS[1], '#total')) or 0, redis.call('ZCARD', KEYS[2])}
`;

interface LedgerCommands {
  lrfStorageReserve(hash: string, exp: string, item: string, bytes: number, expiresAt: number, now: number, limit: number): Promise<[number, number, number?]>;
  lrfStorageReserveIf(hash: string, exp: string, mustExist: string, item: string, bytes: number, expiresAt: number, now: number, limit: number): Promise<[number, number, number?]>;
  lrfStorageRelease(hash: string, exp: string, item: string, now: number): Promise<number>;
  lrfStorageUsage(hash: string, exp: string, now: number): Promise<[number, number]>;
}

type LedgerRedis = Redis & LedgerCommands;

function withLedger(redis: Redis): LedgerRedis {
  const r = redis as LedgerRedis;
  if (typeof r.lrfStorageReserve !== 'function') {
    redis.defineCommand('lrfStorageReserve', { numberOfKeys: 2, lua: RESERVE });
    redis.defineCommand('lrfStorageReserveIf', { numberOfKeys: 3, lua: RESERVE });
    redis.defineCommand('lrfStorageRelease', { numberOfKeys: 2, lua: RELEASE });
    redis.defineCommand('lrfStorageUsage', { numberOfKeys: 2, lua: USAGE });
  }
  return r;
}

export type ReserveOutcome = { ok: true; total: number } | { ok: false; total: number; bytes: number; limit: number; retryAfterS: number };

export interface Usage {
  bytes: number;
  items: number;
}

/** The ledger on one connection. `limit` 0 = no quota (items are still counted). */
export class StorageLedger {
  private readonly redis: LedgerRedis;

  constructor(redis: Redis, private readonly prefix: string, readonly limit: number) {
    this.redis = withLedger(redis);
  }

  private keys(owner: string): [string, string] {
    return [storageKey(this.prefix, owner), storageExpiryKey(this.prefix, owner)];
  }

  /** Checks `bytes` for `item` against the quota and records it, expiring at `expiresAt` (ms). */
  async reserve(owner: string, item: string, bytes: number, expiresAt: number, now = Date.now()): Promise<ReserveOutcome> {
    const [ok, total, earliest] = await this.redis.lrfStorageReserve(...this.keys(owner), item, bytes, Math.round(expiresAt), now, this.limit);
    if (ok === 1) return { ok: true, total };
    const retryAfterS = earliest ? Math.max(1, Math.ceil((earliest - now) / 1000)) : 60;
    return { ok: false, total, bytes, limit: this.limit, retryAfterS };
  }

  /** Records the size of something already written (never refused); with `whileExists`, only while that key exists. */
  async settle(owner: string, item: string, bytes: number, expiresAt: number, now = Date.now(), whileExists?: string): Promise<number> {
    const [, total] = whileExists
      ? await this.redis.lrfStorageReserveIf(...this.keys(owner), whileExists, item, bytes, Math.round(expiresAt), now, 0)
      : await this.redis.lrfStorageReserve(...this.keys(owner), item, bytes, Math.round(expiresAt), now, 0);
    return total;
  }

  async release(owner: string, item: string, now = Date.now()): Promise<number> {
    return this.redis.lrfStorageRelease(...this.keys(owner), item, now);
  }

  async usage(owner: string, now = Date.now()): Promise<Usage> {
    const [bytes, items] = await this.redis.lrfStorageUsage(...this.keys(owner), now);
    return { bytes, items };
  }
}
