/**
 * How fast the API answers when Redis is gone: POST /v1/lr-range-tests after SIGKILLing the
 * redis-server (must be a 503 problem at once, never a hang):
 *   npm run build && node dist/bench/redis-down.js [requests]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { startRedisServer } from '../src/redis/embedded.js';

const n = Number(process.argv[2] ?? 50);
const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-down-'));
const redis = await startRedisServer({ dir });
const app = await buildApp({
  config: loadConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: 'down', LOG_LEVEL: 'error' }),
  logger: false,
});
await app.ready();
while (!app.jobs.ready()) await new Promise((r) => setTimeout(r, 10));
const body = { preset: 'spirals-mlp' };
const up = await app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: body });
await redis.kill();
const times: number[] = [];
const codes = new Map<number, number>();
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  const r = await app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: body });
  times.push(performance.now() - t0);
  codes.set(r.statusCode, (codes.get(r.statusCode) ?? 0) + 1);
  await new Promise((r) => setTimeout(r, 20));
}
times.sort((a, b) => a - b);
const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
console.log(
  `with Redis: ${up.statusCode}; Redis SIGKILLed: ${n} POSTs → ${[...codes].map(([c, k]) => `${k}× ${c}`).join(', ')}; p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
);
await app.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
