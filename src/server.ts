/**
 * `npm start`: the whole service on one machine — an embedded redis-server when REDIS_URL is
 * unset (AOF on, noeviction, data under DATA_DIR/redis), WORKERS worker processes (restarted if
 * they die), and the API on HOST:PORT. SIGINT/SIGTERM stop them in reverse order.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from './api/app.js';
import { loadConfig } from './config.js';
import { describeRedis } from './queue/connection.js';
import { RedisMissingError, startRedisServer, type RedisServer } from './redis/embedded.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKER_ENTRY = path.resolve(here, '../workers/main.js');

async function main(): Promise<void> {
  let config = loadConfig();
  let redis: RedisServer | undefined;
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
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`lr-finder on http://${config.host}:${config.port} (Swagger UI: /docs); ${config.workers} worker(s); redis ${redis ? `embedded at ${redis.url}` : describeRedis(config)}`);

  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await app.close().catch(() => undefined);
    await Promise.all([...workers].map((w) => new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.kill('SIGTERM');
      setTimeout(() => { w.kill('SIGKILL'); resolve(); }, 15_000).unref();
    })));
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
