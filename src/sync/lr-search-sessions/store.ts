/**
 * LR search sessions in Redis, as sweep sessions are kept (src/sync/sweep-sessions/store.ts): one
 * hash per session, `v` (a version) and `doc` (the session as JSON), expiring RESULT_TTL_S after
 * its last update. A report is read → compute → compare-and-set on `v` (a Lua script), retried on
 * a lost race, so two concurrent reports never both advance the same step or trial. Owner-scoped:
 * another API key's session does not exist. Redis unreachable → 503 problem at once.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ProblemError } from '../../contracts/problems.js';
import { redisUnavailable } from '../../queue/jobs.js';
import type { ResolvedSearchSession, SearchSessionDoc } from './session.js';

export function searchSessionKey(prefix: string, id: string): string {
  return `${prefix}:lrf:lr-search-session:${id}`;
}

// KEYS[1] session hash; ARGV: expected version, new doc, ttl seconds. 1 = written, 0 = lost race, -1 = gone.
const CAS = `
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return -1 end
if v ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'v', tostring(tonumber(v) + 1), 'doc', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`;

const MAX_ATTEMPTS = 8;

export class SearchSessionStore {
  constructor(private readonly redis: Redis, private readonly opts: { prefix: string; ttlSeconds: number }) {}

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (this.redis.status !== 'ready') throw redisUnavailable();
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      throw redisUnavailable(err);
    }
  }

  async create(request: ResolvedSearchSession, start: Pick<SearchSessionDoc, 'sweep' | 'search' | 'reported' | 'result'>, owner: string, now = new Date()): Promise<SearchSessionDoc> {
    const at = now.toISOString();
    const doc: SearchSessionDoc = { id: randomUUID(), owner, created_at: at, updated_at: at, request, ...start };
    const key = searchSessionKey(this.opts.prefix, doc.id);
    await this.guard(() => this.redis.multi().hset(key, 'v', '0', 'doc', JSON.stringify(doc)).expire(key, this.opts.ttlSeconds).exec()
      .then((res) => { if (!res || res.some(([e]) => e)) throw new Error('session write failed'); }));
    return doc;
  }

  private async read(id: string, owner: string): Promise<{ doc: SearchSessionDoc; v: string } | null> {
    const [v, raw] = await this.guard(() => this.redis.hmget(searchSessionKey(this.opts.prefix, id), 'v', 'doc'));
    if (v === null || raw === null) return null;
    const doc = JSON.parse(raw) as SearchSessionDoc;
    return doc.owner === owner ? { doc, v } : null;
  }

  async get(id: string, owner: string): Promise<SearchSessionDoc | null> {
    return (await this.read(id, owner))?.doc ?? null;
  }

  /** Applies `change` atomically (same object back: nothing to write); null when the session does not exist for `owner`. */
  async update(id: string, owner: string, change: (doc: SearchSessionDoc) => SearchSessionDoc): Promise<SearchSessionDoc | null> {
    const key = searchSessionKey(this.opts.prefix, id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const cur = await this.read(id, owner);
      if (!cur) return null;
      const next = change(cur.doc);
      if (next === cur.doc) return cur.doc;
      const written = await this.guard(() => this.redis.eval(CAS, 1, key, cur.v, JSON.stringify(next), String(this.opts.ttlSeconds)));
      if (written === 1) return next;
      if (written === -1) return null;
    }
    throw new ProblemError(409, 'concurrent_update', 'Conflict',
      `session ${id} is being updated by other requests at the same time; retry`, [], { 'retry-after': '1' });
  }
}
