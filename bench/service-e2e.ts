/**
 * End-to-end time of an LR range test through the whole service (POST → succeeded), against the
 * bare sweep (the same job runner called in-process, no queue, no thread), in the same run:
 *   npm run build && node dist/bench/service-e2e.js [preset] [runs]
 * Starts a private redis-server, one worker process and the API on a free loopback port.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../src/api/app.js';
import { loadConfig } from '../src/config.js';
import { countLayerParams } from '../src/contracts/params.js';
import { resolveRangeTest } from '../src/kinds/lr-range-tests/resolve.js';
import { freePort, startRedisServer } from '../src/redis/embedded.js';
import { chooseBackend } from '../workers/backend.js';
import { loadIoDataset } from '../workers/datasets.js';
import { runLrRangeTest } from '../src/kinds/lr-range-tests/run.js';

const preset = process.argv[2] ?? 'spirals-mlp';
const runs = Number(process.argv[3] ?? 7);
const here = path.dirname(fileURLToPath(import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-bench-'));
  const redis = await startRedisServer({ dir, appendfsync: 'always' });
  const port = await freePort();
  const env = { ...process.env, REDIS_URL: redis.url, QUEUE_PREFIX: 'bench', LOG_LEVEL: 'warn', PORT: String(port) };
  const worker = fork(path.resolve(here, '../workers/main.js'), [], { env, stdio: 'ignore' });
  const config = loadConfig(env);
  const app = await buildApp({ config, logger: false });
  await app.listen({ port, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 1000));

  const body = { preset };
  const e2e: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/lr-range-tests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const job = (await res.json()) as { id: string };
    for (;;) {
      const j = (await (await fetch(`${base}/v1/lr-range-tests/${job.id}`)).json()) as { status: string };
      if (j.status === 'succeeded') break;
      if (j.status === 'failed' || j.status === 'canceled') throw new Error(JSON.stringify(j));
      await new Promise((r) => setTimeout(r, 5));
    }
    if (i > 0) e2e.push(performance.now() - t0); // the first run warms the worker up
  }

  const req = resolveRangeTest(body, { limits: config.limits, countParams: countLayerParams });
  const bare: number[] = [];
  let points = 0;
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const g = runLrRangeTest(req, { backend: chooseBackend, dataset: (data, seed) => loadIoDataset(data, seed, {}) });
    let n = g.next();
    points = 0;
    while (!n.done) {
      n = g.next();
      points++;
    }
    if (i > 0) bare.push(performance.now() - t0);
  }

  const e = median(e2e),
    b = median(bare);
  console.log(
    `preset ${preset}: ${points} iterations; backend ${process.env.LRF_BACKEND === 'scalar' ? 'scalar' : 'simd'}`,
  );
  console.log(
    `  POST → succeeded (poll every 5 ms), median of ${runs}: ${e.toFixed(0)} ms  [${Math.min(...e2e).toFixed(0)}..${Math.max(...e2e).toFixed(0)}]`,
  );
  console.log(
    `  bare sweep in-process,             median of ${runs}: ${b.toFixed(0)} ms  [${Math.min(...bare).toFixed(0)}..${Math.max(...bare).toFixed(0)}]`,
  );
  console.log(`  service overhead (queue, thread start, Redis writes, polling): ${(e - b).toFixed(0)} ms`);

  await app.close();
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
