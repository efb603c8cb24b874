/**
 * One event hub per API process for every followed job (Server-Sent Events): BullMQ's event
 * stream is read once per queue on its own blocking connection (QueueEvents) and fanned out to
 * the listeners of each job id, however many streams follow it. A shared backstop poll reads the
 * state fields of every followed job in one pipelined round trip every `backstopMs` and reports
 * the jobs whose state changed without an event (a missed event during a reconnect, a cancel made
 * through another API process). Streams never poll Redis themselves.
 */
import { QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobKind } from '../kinds/registry.js';
import { redisKeys, type RedisKeys } from './keys.js';
import { queueName } from './names.js';

/** What a job-event listener hears: a progress point, or a hint that the job's state changed (re-read it). */
export type JobEvent =
  | { type: 'progress'; data: unknown }
  | { type: 'state'; event: 'active' | 'completed' | 'failed' | 'waiting' | 'removed' | 'canceled' | 'changed' };

export type JobEventListener = (event: JobEvent) => void;

interface Followed {
  kind: JobKind;
  listeners: Set<JobEventListener>;
  /** processedOn|finishedOn|cancel as last seen by the backstop poll */
  seen: string | null;
}

export class JobEventHub {
  private readonly followed = new Map<string, Followed>();
  private readonly streams = new Map<JobKind, { events: QueueEvents; connection: Redis }>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private readonly keys: RedisKeys;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly backstopMs = 5000,
  ) {
    this.keys = redisKeys(prefix);
  }

  /** jobs followed right now */
  get size(): number {
    return this.followed.size;
  }

  subscribe(kind: JobKind, id: string, listener: JobEventListener): () => void {
    this.stream(kind);
    let f = this.followed.get(id);
    if (!f) this.followed.set(id, (f = { kind, listeners: new Set(), seen: null }));
    f.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.backstop(), this.backstopMs);
      this.timer.unref();
    }
    return () => {
      const g = this.followed.get(id);
      if (!g) return;
      g.listeners.delete(listener);
      if (g.listeners.size === 0) this.followed.delete(id);
      if (this.followed.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** Delivers an event to the job's listeners in this process (e.g. a cancel made here). */
  notify(id: string, ev: JobEvent): void {
    const f = this.followed.get(id);
    if (f) for (const l of [...f.listeners]) l(ev);
  }

  private stream(kind: JobKind): void {
    if (this.streams.has(kind)) return;
    // XREAD BLOCK needs a connection without a command timeout that waits across reconnects
    const connection = this.redis.duplicate({
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      commandTimeout: undefined,
      lazyConnect: false,
    });
    connection.on('error', () => {
      /* reconnects by itself; the backstop poll covers the gap */
    });
    const events = new QueueEvents(queueName(kind), { connection, prefix: this.prefix, skipVersionCheck: true });
    events.on('error', () => undefined);
    events.on('progress', ({ jobId, data }) => this.notify(jobId, { type: 'progress', data }));
    for (const name of ['active', 'completed', 'failed', 'waiting', 'removed'] as const) {
      events.on(name, (args: { jobId: string }) => this.notify(args.jobId, { type: 'state', event: name }));
    }
    this.streams.set(kind, { events, connection });
  }

  /** One pipelined read of every followed job's state fields; listeners of changed jobs hear `changed`. */
  private async backstop(): Promise<void> {
    if (this.polling || this.followed.size === 0 || this.redis.status !== 'ready') return;
    this.polling = true;
    try {
      const ids = [...this.followed.keys()];
      const p = this.redis.pipeline();
      for (const id of ids) {
        const f = this.followed.get(id)!;
        p.hmget(this.keys.job(f.kind, id), 'processedOn', 'finishedOn');
        p.exists(this.keys.cancel(id));
      }
      const rows = (await p.exec()) ?? [];
      ids.forEach((id, i) => {
        const f = this.followed.get(id);
        const [e1, fields] = rows[2 * i] ?? [];
        const [e2, cancel] = rows[2 * i + 1] ?? [];
        if (!f || e1 || e2) return;
        const snap = `${(fields as (string | null)[]).join('|')}|${String(cancel)}`;
        const settled = (fields as (string | null)[])[1] !== null || cancel === 1;
        if (f.seen === null ? settled : f.seen !== snap) this.notify(id, { type: 'state', event: 'changed' });
        f.seen = snap;
      });
    } catch {
      // Redis unreachable for a moment: the next round retries
    } finally {
      this.polling = false;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.followed.clear();
    const streams = [...this.streams.values()];
    this.streams.clear();
    await Promise.allSettled(
      streams.map(async (s) => {
        await s.events.close();
        s.connection.disconnect();
      }),
    );
  }
}
