/** A private redis-server per test file, on a free loopback port and a temporary directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRedisServer, type RedisServer } from '../../src/redis/embedded.js';

export interface TestRedis extends RedisServer {
  dir: string;
  /** restart on the same port and directory (after stop() or kill()) */
  restart(): Promise<TestRedis>;
  cleanup(): Promise<void>;
}

/** `extraArgs`: more redis-server arguments (e.g. `--replicaof`), given again on restart. */
export async function startTestRedis(
  dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-redis-')),
  port?: number,
  extraArgs?: string[],
): Promise<TestRedis> {
  const server = await startRedisServer({ dir, port, appendfsync: 'always', extraArgs });
  const self: TestRedis = {
    ...server,
    dir,
    restart: () => startTestRedis(dir, server.port, extraArgs),
    cleanup: async () => {
      await server.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}
