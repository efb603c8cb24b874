/**
 * The worker's container healthcheck (docker-compose): a real worker process on a private
 * redis-server writes its heartbeat file while it reaches Redis, and `node dist/workers/health.js`
 * answers 0 on a fresh file, 1 on a stale or missing one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkHeartbeat, STALE_MS } from '../../workers/health.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { startWorker, type TestWorker } from '../helpers/worker.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-health-'));
let redis: TestRedis | undefined;
let worker: TestWorker | undefined;

afterAll(async () => {
  await worker?.stop();
  await redis?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const healthCli = (file: string) =>
  new Promise<number>((resolve) => {
    execFile(
      process.execPath,
      [path.resolve('dist/workers/health.js')],
      { env: { ...process.env, WORKER_HEALTH_FILE: file } },
      (err) => resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
    );
  });

describe('worker healthcheck', () => {
  it('fresh, stale and missing heartbeat files', () => {
    const file = path.join(dir, 'beat');
    writeFileSync(file, 'x');
    const now = statSync(file).mtimeMs;
    expect(checkHeartbeat(file, now + STALE_MS - 1)).toBe(0);
    expect(checkHeartbeat(file, now + STALE_MS + 1)).toBe(1);
    expect(checkHeartbeat(path.join(dir, 'missing'))).toBe(1);
    expect(checkHeartbeat(undefined)).toBe(1);
  });

  it('a running worker keeps its file fresh; the CLI says healthy, then unhealthy once the file is old', async () => {
    redis = await startTestRedis();
    const file = path.join(dir, 'alive');
    worker = startWorker({ REDIS_URL: redis.url, QUEUE_PREFIX: 'health', WORKER_HEALTH_FILE: file });
    await worker.ready;
    for (let i = 0; i < 100 && checkHeartbeat(file) !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await healthCli(file)).toBe(0);
    await worker.stop();
    const old = (Date.now() - 2 * STALE_MS) / 1000;
    utimesSync(file, old, old);
    expect(await healthCli(file)).toBe(1);
  }, 60_000);
});
