/**
 * The per-owner storage ledger (LIMIT_STORAGE_BYTES_PER_KEY): what each API key stores in Redis —
 * uploaded datasets, jobs (request, result, summary, failure), sweep / LR search sessions and
 * idempotency records — counted in bytes, checked and reserved in one Lua script so concurrent
 * writers cannot overshoot the quota (Redis runs one script at a time).
 *
 * Per owner, two keys (src/queue/keys.ts: `storage`, `storageExpiry`):
 *   a hash: item → bytes, and `#total` → the sum
 *   a sorted set: item → expiry (ms since the epoch)
 * An item is one stored thing (`dataset:<id>`, `job:<kind>/<id>`, `sweep-session:<id>`,
 * `idem:<hash>`, see itemOf*). Writing an item again resizes it (a session that grew, a job whose
 * result arrived): only the growth is checked against the quota; shrinking always succeeds.
 *
 * Expiry: Redis gives no reliable callback when a key expires, so the ledger keeps each item's
 * expiry beside its size and every script first subtracts the items whose expiry has passed
 * (lazy pruning: each entry is pruned once, so the cost is amortised O(1) per write; the scripts
 * are src/queue/lua/storage-*.lua, sharing lua/includes/prune.lua). The ledger's
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
import { redisKeys, type RedisKey, type RedisKeys } from '../queue/keys.js';
import { withScripts, type ScriptRedis } from '../queue/scripts.js';

/** Bytes added to every item for its keys, index entries and Redis's per-key bookkeeping. */
export const ITEM_OVERHEAD = 256;

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

export type ReserveOutcome =
  { ok: true; total: number } | { ok: false; total: number; bytes: number; limit: number; retryAfterS: number };

export interface Usage {
  bytes: number;
  items: number;
}

/** The ledger on one connection. `limit` 0 = no quota (items are still counted). */
export class StorageLedger {
  private readonly redis: ScriptRedis;
  private readonly k: RedisKeys;

  constructor(
    redis: Redis,
    prefix: string,
    readonly limit: number,
  ) {
    this.redis = withScripts(redis);
    this.k = redisKeys(prefix);
  }

  private keys(owner: string): [RedisKey, RedisKey] {
    return [this.k.storage(owner), this.k.storageExpiry(owner)];
  }

  /** Checks `bytes` for `item` against the quota and records it, expiring at `expiresAt` (ms). */
  async reserve(
    owner: string,
    item: string,
    bytes: number,
    expiresAt: number,
    now = Date.now(),
  ): Promise<ReserveOutcome> {
    const [hash, exp] = this.keys(owner);
    const [ok, total, earliest] = await this.redis.lrfStorageReserve(
      hash,
      exp,
      hash,
      item,
      bytes,
      Math.round(expiresAt),
      now,
      this.limit,
      0,
    );
    if (ok === 1) return { ok: true, total };
    const retryAfterS = earliest ? Math.max(1, Math.ceil((earliest - now) / 1000)) : 60;
    return { ok: false, total, bytes, limit: this.limit, retryAfterS };
  }

  /** Records the size of something already written (never refused); with `whileExists`, only while that key exists. */
  async settle(
    owner: string,
    item: string,
    bytes: number,
    expiresAt: number,
    now = Date.now(),
    whileExists?: RedisKey,
  ): Promise<number> {
    const [hash, exp] = this.keys(owner);
    const [, total] = await this.redis.lrfStorageReserve(
      hash,
      exp,
      whileExists ?? hash,
      item,
      bytes,
      Math.round(expiresAt),
      now,
      0,
      whileExists ? 1 : 0,
    );
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
