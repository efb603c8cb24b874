/** The committed openapi/openapi.json is exactly what the routes generate (run `npm run openapi` after changing a
 * schema). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../src/api/openapi.js';

describe('OpenAPI document', () => {
  it('matches the committed openapi/openapi.json (no drift)', async () => {
    const generated = await generateOpenApi();
    const committed = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
    expect(generated).toEqual(committed);
  });

  it('is OpenAPI 3.1 with stable component names and the Swagger UI example', async () => {
    const doc = (await generateOpenApi()) as any;
    expect(doc.openapi).toBe('3.1.0');
    for (const name of [
      'Problem',
      'LrRangeTestRequest',
      'LrRangeTestResult',
      'LrRangeTestJob',
      'Model',
      'Data',
      'Optimizer',
    ]) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    const post = doc.paths['/v1/lr-range-tests'].post;
    expect(post.responses['202']).toBeDefined();
    const body = post.requestBody.content['application/json'];
    expect(body.schema.$ref).toBe('#/components/schemas/LrRangeTestRequest');
    const example = doc.components.schemas.LrRangeTestRequest.example;
    expect(example).toEqual({ preset: 'spirals-mlp' });
  });

  it('names the jobs in English: "Get an LR search", "List your LR range tests", "Cancel a queued or running schedule simulation"', async () => {
    const doc = (await generateOpenApi()) as any;
    expect(doc.paths['/v1/lr-searches/{id}'].get.summary).toBe('Get an LR search: status, progress, result');
    expect(doc.paths['/v1/lr-range-tests'].get.summary).toBe('List your LR range tests, newest first');
    expect(doc.paths['/v1/schedule-simulations/{id}/cancel'].post.summary).toBe(
      'Cancel a queued or running schedule simulation',
    );
    const summaries = Object.values(doc.paths).flatMap((ops: any) =>
      Object.values(ops).map((op: any) => String(op.summary)),
    );
    expect(summaries.filter((s) => /\ba [aeiouAEIOU]|\ba LR|\blr |searche\b/.test(s))).toEqual([]);
    expect(doc.info.description).toMatch(/^Find the learning rate to train with\. Start with an \*\*LR search\*\*/);
  });
});

describe("the served document and Swagger UI's lock icons", () => {
  async function served(env: Record<string, string>) {
    const { loadConfig } = await import('../../src/config.js');
    const { producerConnection } = await import('../../src/queue/connection.js');
    const { JobStore } = await import('../../src/queue/jobs.js');
    const { buildApp } = await import('../../src/api/app.js');
    const redis = producerConnection('redis://127.0.0.1:1', { lazyConnect: true });
    const app = await buildApp({
      config: loadConfig(env),
      jobs: new JobStore(redis, { prefix: 't', resultTtlSeconds: 1 }),
      logger: false,
    });
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    await app.close();
    redis.disconnect();
    return res.json() as any;
  }

  it('without API_KEYS: no security scheme, no requirement, so no lock and no Authorize button', async () => {
    const doc = await served({});
    expect(doc.components.securitySchemes).toBeUndefined();
    expect(doc.security).toBeUndefined();
    const withSecurity = Object.entries(doc.paths).flatMap(([p, ops]: [string, any]) =>
      Object.entries(ops)
        .filter(([, op]: [string, any]) => op.security)
        .map(([m]) => `${m} ${p}`),
    );
    expect(withSecurity).toEqual([]);
  });

  it('with API_KEYS: the bearer scheme required everywhere but on the public routes', async () => {
    const doc = await served({ API_KEYS: 'alice:alice-key-1' });
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/v1/lr-searches'].post.security).toBeUndefined();
  });
});
