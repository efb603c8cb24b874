/**
 * Worker liveness for container healthchecks (a worker has no HTTP port). With WORKER_HEALTH_FILE
 * set, a worker process writes the time to that file every 5 s while it reaches Redis (PING);
 * `node dist/workers/health.js` (docker-compose's healthcheck) exits 0 when the file is at most
 * 30 s old, 1 otherwise: a worker that lost Redis or hangs turns unhealthy.
 */
import { statSync, writeFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

export const HEARTBEAT_MS = 5000;
export const STALE_MS = 30_000;

/** Starts the heartbeat; returns its stop function (a no-op without a file). */
export function startHeartbeat(file: string | undefined, redis: Redis): () => void {
  if (!file) return () => undefined;
  const beat = () => {
    redis
      .ping()
      .then(() => writeFileSync(file, String(Date.now())))
      .catch(() => undefined);
  };
  beat();
  const t = setInterval(beat, HEARTBEAT_MS);
  t.unref();
  return () => clearInterval(t);
}

/** 0 when the heartbeat file is fresh, 1 otherwise. */
export function checkHeartbeat(file: string | undefined, now = Date.now()): number {
  if (!file) return 1;
  try {
    return now - statSync(file).mtimeMs <= STALE_MS ? 0 : 1;
  } catch {
    return 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exit(checkHeartbeat(process.env.WORKER_HEALTH_FILE));
}
