/**
 * Says once that Redis cannot be reached, and once that it is back, instead of one log line per
 * reconnect attempt of every connection and every BullMQ worker (an unreachable REDIS_URL used to
 * print 44 ECONNREFUSED lines in 15 s). The connections keep retrying with their backoff
 * (src/queue/connection.ts); errors that are not about reaching Redis are logged as they come.
 */

interface Log {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** Errors that mean "the server cannot be reached (yet)", as ioredis and BullMQ report them. */
const UNREACHABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|Connection is closed|connect ETIMEDOUT|Stream isn't writeable|LOADING/;

export function isUnreachable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return UNREACHABLE.test(`${e?.code ?? ''} ${e?.message ?? String(err)}`);
}

/** `redis://user:secret@host:6379/0` → `redis://host:6379/0` (no credentials in logs). */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

export interface ConnectionTrouble {
  /** an 'error' listener for ioredis connections and BullMQ workers/queues */
  error(err: unknown, context?: object): void;
  /** a 'ready' listener: Redis answers again */
  ready(): void;
  /** whether Redis is currently believed unreachable */
  readonly down: boolean;
}

export function connectionTrouble(
  log: Log,
  url: string,
  what: string,
  now: () => number = Date.now,
): ConnectionTrouble {
  let downSince: number | null = null;
  let suppressed = 0;
  const where = redactRedisUrl(url);
  return {
    get down() {
      return downSince !== null;
    },
    error(err, context = {}) {
      const message = (err as Error)?.message ?? String(err);
      if (!isUnreachable(err)) {
        log.warn({ ...context, err: message }, `${what}: redis error`);
        return;
      }
      if (downSince !== null) {
        suppressed++;
        return;
      }
      downSince = now();
      log.warn(
        { ...context, redis: where, err: message },
        `${what}: cannot reach Redis at ${where} (${message}); retrying with backoff (at most every 2 s) and ` +
          'saying so once it answers. Is redis-server running there? Check REDIS_URL.',
      );
    },
    ready() {
      if (downSince === null) return;
      log.info(
        { redis: where, down_ms: now() - downSince, errors_suppressed: suppressed },
        `${what}: Redis at ${where} answers again`,
      );
      downSince = null;
      suppressed = 0;
    },
  };
}
