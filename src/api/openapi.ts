/**
 * The OpenAPI document of the app, built without touching Redis (for the committed copy and its drift test).
 * It documents a service that runs with API_KEYS (bearer auth on every route but the public ones);
 * a service without keys serves the same document without the security scheme at /openapi.json.
 */
import { loadConfig } from '../config.js';
import { producerConnection } from '../queue/connection.js';
import { JobStore } from '../queue/jobs.js';
import { buildApp } from './app.js';

export async function generateOpenApi(): Promise<Record<string, unknown>> {
  const config = loadConfig({ API_KEYS: 'docs:documented-key' });
  const redis = producerConnection('redis://127.0.0.1:1', { lazyConnect: true });
  const app = await buildApp({
    config,
    jobs: new JobStore(redis, { prefix: 'openapi', resultTtlSeconds: 1 }),
    logger: false,
  });
  await app.ready();
  const doc = app.swagger() as unknown as Record<string, unknown>;
  await app.close();
  redis.disconnect();
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}
