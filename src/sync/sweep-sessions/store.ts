/**
 * Sweep sessions in Redis, kept as every session is (../session-store.ts): versioned JSON doc,
 * compare-and-set updates (two concurrent reports never both advance the same iteration),
 * owner-scoped, expiring RESULT_TTL_S after the last update.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SweepState } from '../../lrfinder/session.js';
import { SessionStore, type SessionStoreOptions } from '../session-store.js';
import type { SweepSessionResultWire } from './contract.js';
import type { ResolvedSweepSession } from './request.js';

export interface SweepDoc {
  id: string;
  owner: string;
  created_at: string;
  updated_at: string;
  request: ResolvedSweepSession;
  state: SweepState;
  /** set once stopped (wire form: no NaN) */
  result: SweepSessionResultWire | null;
}

export class SweepSessionStore extends SessionStore<SweepDoc> {
  constructor(redis: Redis, opts: SessionStoreOptions) {
    super(redis, opts, 'sweep-session');
  }

  async create(request: ResolvedSweepSession, state: SweepState, owner: string, now = new Date()): Promise<SweepDoc> {
    const at = now.toISOString();
    return this.insert({ id: randomUUID(), owner, created_at: at, updated_at: at, request, state, result: null });
  }
}
