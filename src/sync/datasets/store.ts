/**
 * Uploaded datasets in Redis, under the queue prefix: one hash per dataset (`meta`: the public
 * metadata as JSON, `owner`, `rows`: `{x, y}` as JSON), and a sorted set per owner (score =
 * creation ms) for listing. Both expire RESULT_TTL_S (RESULT_TTL_S_DATASETS) after the upload; a
 * dataset is immutable; its owner may delete it. Each dataset is counted in its owner's storage
 * quota (src/storage/): reserved before it is written, released when deleted or expired.
 * The API uses the fail-fast producer connection (Redis unreachable → 503 problem at once); the
 * worker reads rows with `readRows` on its own connection.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { UploadShape } from '../../contracts/resolve.js';
import { ProblemError } from '../../contracts/problems.js';
import { redisUnavailable } from '../../queue/jobs.js';
import { redisKeys, type RedisKeys } from '../../queue/keys.js';
import { bytesOf, itemOfDataset, type StorageQuota } from '../../storage/quota.js';

export interface DatasetMeta extends UploadShape {
  id: string;
  name: string | null;
  created_at: string;
  expires_at: string;
}

export interface DatasetRows {
  x: number[][];
  y: number[];
}

/** The rows of an uploaded dataset, or null when it expired (or never existed). Worker side. */
export async function readRows(
  redis: Redis,
  prefix: string,
  id: string,
): Promise<{ owner: string; meta: DatasetMeta; rows: DatasetRows } | null> {
  const [owner, meta, rows] = await redis.hmget(redisKeys(prefix).dataset(id), 'owner', 'meta', 'rows');
  if (owner === null || meta === null || rows === null) return null;
  return { owner, meta: JSON.parse(meta) as DatasetMeta, rows: JSON.parse(rows) as DatasetRows };
}

export interface DatasetStoreOptions {
  prefix: string;
  ttlSeconds: number;
  /** the per-owner storage quota; unset = not counted */
  quota?: StorageQuota;
}

/** How many uploads GET /v1/datasets lists (newest first). */
export const LIST_LIMIT = 100;

export class DatasetStore {
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    private readonly opts: DatasetStoreOptions,
  ) {
    this.keys = redisKeys(opts.prefix);
  }

  ready(): boolean {
    return this.redis.status === 'ready';
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.ready()) throw redisUnavailable();
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      throw redisUnavailable(err);
    }
  }

  /** `rows`: the `{x, y}` object, or its JSON text already serialised (as bytes) off the event loop. */
  async create(
    name: string | null,
    shape: UploadShape,
    rows: DatasetRows | Buffer,
    owner: string,
    now = new Date(),
  ): Promise<DatasetMeta> {
    const id = randomUUID();
    const ttl = this.opts.ttlSeconds;
    const meta: DatasetMeta = {
      id,
      name,
      ...shape,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + ttl * 1000).toISOString(),
    };
    const key = this.keys.dataset(id);
    const index = this.keys.ownerDatasets(owner);
    const metaText = JSON.stringify(meta);
    // the rows' JSON as the offload thread wrote it (src/api/offload/), or written here
    const rowsText = Buffer.isBuffer(rows) ? rows : JSON.stringify(rows);
    const quota = this.opts.quota;
    const item = itemOfDataset(id);
    if (quota)
      await this.guard(() =>
        quota.reserve(owner, item, bytesOf(owner, metaText, rowsText, id), now.getTime() + ttl * 1000),
      );
    await this.guard(() =>
      this.redis
        .multi()
        .hset(key, 'owner', owner, 'meta', metaText, 'rows', rowsText)
        .expire(key, ttl)
        .zadd(index, String(now.getTime()), id)
        .zremrangebyscore(index, '-inf', now.getTime() - ttl * 1000)
        .expire(index, ttl)
        .exec()
        .then((res) => {
          if (!res || res.some(([e]) => e)) throw new Error('dataset write failed');
        }),
    ).catch(async (err) => {
      if (quota) await quota.release(owner, item).catch(() => undefined);
      throw err;
    });
    return meta;
  }

  /** Deletes one of the owner's datasets and releases its storage; false when it is not the owner's (or gone). */
  async delete(id: string, owner: string): Promise<boolean> {
    const key = this.keys.dataset(id);
    return this.guard(async () => {
      if ((await this.redis.hget(key, 'owner')) !== owner) return false;
      await this.redis.multi().del(key).zrem(this.keys.ownerDatasets(owner), id).exec();
      await this.opts.quota?.release(owner, itemOfDataset(id));
      return true;
    });
  }

  /** The metadata of one of the owner's datasets; another owner's is null (no existence oracle). */
  async get(id: string, owner: string): Promise<DatasetMeta | null> {
    const [o, meta] = await this.guard(() => this.redis.hmget(this.keys.dataset(id), 'owner', 'meta'));
    if (o === null || meta === null || o !== owner) return null;
    return JSON.parse(meta) as DatasetMeta;
  }

  /** The owner's datasets, newest first (at most LIST_LIMIT); expired entries are dropped from the index. */
  async list(owner: string): Promise<DatasetMeta[]> {
    const index = this.keys.ownerDatasets(owner);
    return this.guard(async () => {
      const ids = await this.redis.zrevrange(index, 0, LIST_LIMIT - 1);
      if (ids.length === 0) return [];
      const metas = await Promise.all(ids.map((id) => this.redis.hget(this.keys.dataset(id), 'meta')));
      const gone = ids.filter((_, i) => metas[i] === null);
      if (gone.length) await this.redis.zrem(index, ...gone);
      return metas.filter((m): m is string => m !== null).map((m) => JSON.parse(m) as DatasetMeta);
    });
  }
}

/** Shapes of the owner's datasets among `ids` (missing ones are left out: the resolver names them). */
export async function uploadShapes(
  store: DatasetStore,
  ids: string[],
  owner: string,
): Promise<Map<string, UploadShape>> {
  const out = new Map<string, UploadShape>();
  for (const id of ids) {
    const meta = await store.get(id, owner);
    if (meta) {
      const { task, rows, features, classes, outputs, shape } = meta;
      out.set(id, {
        task,
        rows,
        features,
        ...(classes !== undefined ? { classes } : {}),
        ...(outputs !== undefined ? { outputs } : {}),
        ...(shape !== undefined ? { shape } : {}),
      });
    }
  }
  return out;
}
