/**
 * `npm start`: the whole service on one machine — an embedded redis-server when REDIS_URL is
 * unset (AOF on, noeviction, data under DATA_DIR/redis), WORKERS worker processes (restarted if
 * they die), and the API on HOST:PORT. SIGINT/SIGTERM stop them in reverse order.
 * Before starting anything it takes DATA_DIR/lr-finder.lock (embedded redis only) and checks that
 * the port is free (src/instance-lock.ts): a second `npm start` says what is in the way and exits 1.
 * Workers are forked with an IPC channel and exit when it closes, so they die with this process
 * even when it is SIGKILLed (workers/parent-watch.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from './api/app.js';
import { loadConfig, unauthenticatedExposure } from './config.js';
import { describeRedis } from './queue/connection.js';
import { checkPortFree, lockDataDir, StartRefused, type DataLock } from './instance-lock.js';
import { RedisMissingError, startRedisServer, type RedisServer } from './redis/embedded.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_ENTRY = path.resolve(here, '../workers/main.js');

async function main(): Promise<void> {
  let config = loadConfig();
  const exposed = unauthenticatedExposure(config);
  if (exposed) {
    console.error(exposed);
    process.exit(2);
  }
  // what is in the way is found before anything starts: the data directory's lock, then the port
  let lock: DataLock | undefined;
  try {
    if (!config.redisUrl && !config.redisSentinel) lock = await lockDataDir(config.dataDir, config.port);
    await checkPortFree(config.host, config.port);
  } catch (err) {
    lock?.release();
    if (err instanceof StartRefused) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  let redis: RedisServer | undefined;
  process.on('exit', () => {
    // an exit past the shutdown (a crash): ask the redis-server to stop; the lock, naming it, stays
    // until it has, so the next start waits for it instead of opening the same AOF beside it
    const r = redis?.process;
    if (r && r.exitCode === null && r.signalCode === null) r.kill('SIGTERM');
    else lock?.release();
  });
  // no REDIS_URL and no REDIS_SENTINELS: a private redis-server
  if (!config.redisUrl && !config.redisSentinel) {
    try {
      redis = await startRedisServer({ dir: path.join(config.dataDir, 'redis'), appendfsync: 'always' });
    } catch (err) {
      if (err instanceof RedisMissingError) {
        console.error(err.message);
        process.exit(1);
      }
      throw err;
    }
    lock?.setRedisPid(redis.process.pid);
    config = loadConfig({ ...process.env, REDIS_URL: redis.url });
  }
  const env = config.redisUrl ? { ...process.env, REDIS_URL: config.redisUrl } : process.env;

  const workers = new Set<ChildProcess>();
  let stopping = false;
  const spawnWorker = (n: number) => {
    const child = fork(WORKER_ENTRY, [], { env });
    workers.add(child);
    child.on('exit', (code, signal) => {
      workers.delete(child);
      if (!stopping) {
        console.error(`worker ${n} exited (${signal ?? code}); restarting in 1 s`);
        setTimeout(() => spawnWorker(n), 1000).unref();
      }
    });
  };
  for (let i = 0; i < config.workers; i++) spawnWorker(i + 1);

  const app = await buildApp({ config });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // taken since the check: stop what was started, and say so
    console.error(
      `lr-finder: cannot listen on ${config.host}:${config.port} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): another program took the port; stopping. Start on another port: PORT=<port> npm start.`,
    );
    stopping = true;
    for (const w of workers) w.kill('SIGTERM');
    await redis?.stop();
    process.exit(1);
  }
  app.log.info(
    `lr-finder on http://${config.host}:${config.port} (Swagger UI: /docs); ${config.workers} worker(s); redis ${redis ? `embedded at ${redis.url}` : describeRedis(config)}`,
  );

  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await app.close().catch(() => undefined);
    await Promise.all(
      [...workers].map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.kill('SIGTERM');
            setTimeout(() => {
              w.kill('SIGKILL');
              resolve();
            }, 15_000).unref();
          }),
      ),
    );
    await redis?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
