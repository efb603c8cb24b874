/** Fastify apps for tests: a JobStore on a real Redis, or on a Redis that is not there. */
import { buildApp } from '../../src/api/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { producerConnection } from '../../src/queue/connection.js';
import { JobStore, jobStoreOptions } from '../../src/queue/jobs.js';
import { freePort } from '../../src/redis/embedded.js';

/** Load shedding is off unless a test turns it on: the test process is its own busy client. */
export function testConfig(env: Record<string, string> = {}): Readonly<Config> {
  return loadConfig({ LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0', ...env });
}

export async function appOn(redisUrl: string, env: Record<string, string> = {}) {
  return appFor(testConfig({ REDIS_URL: redisUrl, ...env }));
}

/** The app on the Redis that `config` names (REDIS_URL, or REDIS_SENTINELS: test/helpers/sentinel.ts). */
export async function appFor(config: Readonly<Config>) {
  const redis = producerConnection(config);
  redis.on('error', () => undefined);
  const jobs = new JobStore(redis, jobStoreOptions(config));
  const app = await buildApp({ config, jobs, logger: false });
  await app.ready();
  return {
    app,
    jobs,
    redis,
    config,
    /** waits until the producer connection is ready (after a Redis restart, say) */
    async connected(timeoutMs = 5000) {
      const t0 = Date.now();
      while (redis.status !== 'ready') {
        if (Date.now() - t0 > timeoutMs) throw new Error(`redis not ready: ${redis.status}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await app.close();
      await jobs.close();
      redis.disconnect();
    },
  };
}

/** An app whose Redis is a closed loopback port: every queue operation must answer 503. */
export async function appWithoutRedis(env: Record<string, string> = {}) {
  return appOn(`redis://127.0.0.1:${await freePort()}`, env);
}
