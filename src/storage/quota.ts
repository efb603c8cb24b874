/**
 * Storage accounting as the API and the workers use it: the per-owner ledger (ledger.ts) plus
 * the global memory guard (memory-guard.ts), and the problems a client sees:
 *
 * - 429 `storage_quota_exceeded`: the write would take the API key past LIMIT_STORAGE_BYTES_PER_KEY.
 *   429, not 507: the condition is the caller's own (its usage), the caller can clear it (DELETE
 *   datasets or finished jobs, or wait for them to expire: Retry-After says when the first does),
 *   and a 5xx would count a tenant's behaviour as a service fault in everyone's monitoring.
 * - 503 `storage_full`: Redis as a whole is near its maxmemory (memory-guard.ts).
 *
 * `reserve` is for new writes (checked, guarded); `settle` records what was already written
 * (never refused); `release` forgets an item.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { ProblemError } from '../contracts/problems.js';
import { StorageLedger, type ReserveOutcome, type Usage } from './ledger.js';
import { MemoryGuard } from './memory-guard.js';

export { bytesOf, itemOfDataset, itemOfIdempotency, itemOfJob, itemOfSession } from './ledger.js';

export function storageQuotaExceeded(o: Extract<ReserveOutcome, { ok: false }>): ProblemError {
  return new ProblemError(
    429,
    'storage_quota_exceeded',
    'Storage quota exceeded',
    `your API key stores ${o.total} bytes; this would add ${o.bytes} bytes, above its quota of ${o.limit} bytes (LIMIT_STORAGE_BYTES_PER_KEY); ` +
      'nothing was stored. Free space with DELETE /v1/datasets/{id} or DELETE /v1/{kind}/{id} of a finished job, or wait for stored things to expire (GET /v1/usage)',
    [],
    { 'retry-after': String(o.retryAfterS) },
  );
}

export class StorageQuota {
  readonly ledger: StorageLedger;
  private readonly guard: MemoryGuard | null;

  constructor(
    redis: Redis,
    prefix: string,
    limits: Pick<Config['limits'], 'storageBytesPerKey' | 'redisMemoryFraction' | 'redisMemoryBytes'>,
    opts: { guard?: boolean } = {},
  ) {
    this.ledger = new StorageLedger(redis, prefix, limits.storageBytesPerKey);
    this.guard =
      opts.guard === false
        ? null
        : new MemoryGuard(redis, { fraction: limits.redisMemoryFraction, fallbackBytes: limits.redisMemoryBytes });
  }

  get limit(): number {
    return this.ledger.limit;
  }

  /** A new write of `bytes` as `item`: 503 storage_full, 429 storage_quota_exceeded, or recorded. */
  async reserve(owner: string, item: string, bytes: number, expiresAt: number): Promise<void> {
    await this.guard?.check();
    const o = await this.ledger.reserve(owner, item, bytes, expiresAt);
    if (!o.ok) throw storageQuotaExceeded(o);
  }

  /** `item` was written with `bytes`: recorded whatever the quota (the write cannot be undone). */
  settle(owner: string, item: string, bytes: number, expiresAt: number): Promise<number> {
    return this.ledger.settle(owner, item, bytes, expiresAt);
  }

  release(owner: string, item: string): Promise<number> {
    return this.ledger.release(owner, item);
  }

  usage(owner: string): Promise<Usage> {
    return this.ledger.usage(owner);
  }
}
