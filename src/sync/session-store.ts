/**
 * Sessions in Redis (sweep sessions, LR search sessions): one hash per session, `v` (a version
 * number) and `doc` (the session as JSON), expiring RESULT_TTL_S after its last update. Updates
 * are read → compute → compare-and-set on `v` in a Lua script (src/queue/lua/session-cas.lua),
 * retried on a lost race, so two concurrent reports can never both advance the same step (the
 * loser re-reads and sees it already recorded). Owner-scoped: another API key's session does not
 * exist for you (no existence oracle).
 * Runs on the API's fail-fast producer connection: Redis unreachable → 503 problem at once.
 * Each session counts in its owner's storage quota (src/storage/) at its current size: reserved
 * before it is written, resized (checked when it grows: a report past the quota is a 429) at each
 * update, and released when it expires.
 */
import type { Redis } from 'ioredis';
import { ProblemError } from '../contracts/problems.js';
import { redisUnavailable } from '../queue/jobs.js';
import { redisKeys, type RedisKey } from '../queue/keys.js';
import { withScripts } from '../queue/scripts.js';
import { bytesOf, itemOfSession, type StorageQuota } from '../storage/quota.js';

export interface SessionDoc {
  id: string;
  owner: string;
}

export interface SessionStoreOptions {
  prefix: string;
  ttlSeconds: number;
  /** the per-owner storage quota; unset = not counted */
  quota?: StorageQuota | null;
}

const MAX_ATTEMPTS = 8;

export class SessionStore<D extends SessionDoc> {
  constructor(
    protected readonly redis: Redis,
    protected readonly opts: SessionStoreOptions,
    private readonly kind: string,
  ) {}

  private key(id: string): RedisKey {
    return redisKeys(this.opts.prefix).session(this.kind, id);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') throw redisUnavailable();
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      throw redisUnavailable(err);
    }
  }

  /** Reserves a session's size in its owner's quota (429 storage_quota_exceeded past it; 503 storage_full). */
  private async reserve(doc: D, text: string): Promise<void> {
    const quota = this.opts.quota;
    if (quota)
      await this.guard(() =>
        quota.reserve(
          doc.owner,
          itemOfSession(this.kind, doc.id),
          bytesOf(text, '0'),
          Date.now() + this.opts.ttlSeconds * 1000,
        ),
      );
  }

  /** Stores a new session (version 0). */
  protected async insert(doc: D): Promise<D> {
    const key = this.key(doc.id);
    const text = JSON.stringify(doc);
    await this.reserve(doc, text);
    await this.guard(() =>
      this.redis
        .multi()
        .hset(key, 'v', '0', 'doc', text)
        .expire(key, this.opts.ttlSeconds)
        .exec()
        .then((res) => {
          if (!res || res.some(([e]) => e)) throw new Error('session write failed');
        }),
    ).catch(async (err) => {
      await this.opts.quota?.release(doc.owner, itemOfSession(this.kind, doc.id)).catch(() => undefined);
      throw err;
    });
    return doc;
  }

  private async read(id: string, owner: string): Promise<{ doc: D; v: string } | null> {
    const [v, raw] = await this.guard(() => this.redis.hmget(this.key(id), 'v', 'doc'));
    if (v === null || raw === null) return null;
    const doc = JSON.parse(raw) as D;
    return doc.owner === owner ? { doc, v } : null;
  }

  async get(id: string, owner: string): Promise<D | null> {
    return (await this.read(id, owner))?.doc ?? null;
  }

  /**
   * Applies `change` atomically: it gets the current doc and returns the new one, or the same
   * object for "nothing to write" (an idempotent repeat); it may throw a ProblemError (409).
   * Returns null when the session does not exist (or is another owner's).
   */
  async update(id: string, owner: string, change: (doc: D) => D): Promise<D | null> {
    const key = this.key(id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cur = await this.read(id, owner);
      if (!cur) return null;
      const next = change(cur.doc);
      if (next === cur.doc) return cur.doc;
      const text = JSON.stringify(next);
      // the ledger follows the size just written (a lost race re-reserves the next attempt's size)
      await this.reserve(next, text);
      const ttl = this.opts.ttlSeconds;
      const written = await this.guard(() => withScripts(this.redis).lrfSessionCas(key, cur.v, text, ttl));
      if (written === 1) return next;
      if (written === -1) {
        await this.opts.quota?.release(owner, itemOfSession(this.kind, id)).catch(() => undefined);
        return null;
      }
    }
    throw new ProblemError(
      409,
      'concurrent_update',
      'Conflict',
      `session ${id} is being updated by other requests at the same time; retry`,
      [],
      { 'retry-after': '1' },
    );
  }
}
