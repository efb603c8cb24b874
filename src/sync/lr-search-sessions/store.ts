/**
 * LR search sessions in Redis, kept as every session is (../session-store.ts): versioned JSON
 * doc, compare-and-set updates, owner-scoped, expiring RESULT_TTL_S after the last update.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SessionStore, type SessionStoreOptions } from '../session-store.js';
import type { ResolvedSearchSession, SearchSessionDoc } from './session.js';

export class SearchSessionStore extends SessionStore<SearchSessionDoc> {
  constructor(redis: Redis, opts: SessionStoreOptions) {
    super(redis, opts, 'lr-search-session');
  }

  async create(
    request: ResolvedSearchSession,
    start: Pick<SearchSessionDoc, 'sweep' | 'search' | 'reported' | 'result'>,
    owner: string,
    now = new Date(),
  ): Promise<SearchSessionDoc> {
    const at = now.toISOString();
    return this.insert({ id: randomUUID(), owner, created_at: at, updated_at: at, request, ...start });
  }
}
