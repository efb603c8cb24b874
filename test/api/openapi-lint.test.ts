/**
 * The OpenAPI document is linted (Redocly's `recommended` ruleset: structure, $refs, examples
 * against their schemas, operationIds, security, servers) and tells the truth about the wire:
 * every error response is application/problem+json with the Problem schema, as served; every
 * request body has examples, and a job kind's are its presets, each of which resolves; the
 * problem example is what the server answers for that request.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateOpenApi } from '../../src/api/openapi.js';
import { countLayerParams } from '../../src/contracts/params.js';
import { loadConfig } from '../../src/config.js';
import { KINDS } from '../../src/kinds/registry.js';
import { appWithoutRedis } from '../helpers/app.js';

type Doc = Record<string, any>;

/**
 * Rules off or narrowed, and why: the service is private and has no license to name (info-license);
 * /healthz and /readyz are public and take no input, so they have no 4xx answer (operation-4xx-response).
 */
const ALLOWED = (p: { ruleId: string; location: { pointer?: string }[] }) =>
  p.ruleId === 'info-license' ||
  (p.ruleId === 'operation-4xx-response' && /^#\/paths\/~1(healthz|readyz)\//.test(p.location[0]?.pointer ?? ''));

async function lintDoc(doc: Doc) {
  const config = await createConfig({ extends: ['recommended'] });
  const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: '/openapi.json', config });
  return problems.map((p) => ({
    ruleId: p.ruleId,
    severity: p.severity,
    message: p.message,
    location: p.location.map((l) => ({ pointer: l.pointer })),
  }));
}

const committed = (): Doc => JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));

describe('OpenAPI lint (Redocly recommended)', () => {
  it('the committed document has no errors and no warnings but the two allowed', async () => {
    const problems = (await lintDoc(committed())).filter((p) => !ALLOWED(p));
    expect(problems).toEqual([]);
  });

  it('fails on an invalid document: a dangling $ref, an example that breaks its schema, a missing response description', async () => {
    const doc = committed();
    doc.paths['/v1/lr-range-tests'].post.requestBody.content['application/json'].schema.$ref =
      '#/components/schemas/NoSuchSchema';
    doc.paths['/v1/curve-analyses'].post.requestBody.content['application/json'].examples = {
      bad: { value: { lrs: 'not an array' } },
    };
    delete doc.paths['/v1/presets'].get.responses['200'].description;
    const rules = new Set((await lintDoc(doc)).map((p) => p.ruleId));
    expect(rules).toContain('no-unresolved-refs');
    expect(rules).toContain('no-invalid-media-type-examples');
    expect(rules).toContain('struct');
  });
});

describe('the document tells the truth about the wire', () => {
  let doc: Doc;
  let t: Awaited<ReturnType<typeof appWithoutRedis>>;
  beforeAll(async () => {
    doc = await generateOpenApi();
    t = await appWithoutRedis();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("every 4xx/5xx answer is application/problem+json with the Problem schema (and nothing else), except /readyz's 503", () => {
    let n = 0;
    for (const [path, ops] of Object.entries<Doc>(doc.paths)) {
      for (const [method, op] of Object.entries<Doc>(ops)) {
        for (const [status, res] of Object.entries<Doc>(op.responses)) {
          if (Number(status) < 400 || path === '/readyz') continue;
          n++;
          expect(Object.keys(res.content), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
          expect(res.content['application/problem+json'].schema.$ref).toBe('#/components/schemas/Problem');
          expect(res.description).not.toBe('Default Response');
        }
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  it('a documented problem is served as documented: content type, and the Problem example is the real answer', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/lr-range-tests', payload: { num_iter: 100000 } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const { instance: _i, ...served } = res.json();
    const { instance: _e, ...example } = doc.components.schemas.Problem.examples[0];
    expect(served).toEqual(example);
  });

  it("every request body has examples; a job kind's are its presets, the default first, each resolving to the preset itself", () => {
    const config = loadConfig({});
    const ctx = { limits: config.limits, countParams: countLayerParams, datasets: new Map() };
    for (const [path, ops] of Object.entries<Doc>(doc.paths)) {
      for (const [method, op] of Object.entries<Doc>(ops)) {
        for (const [type, media] of Object.entries<Doc>(op.requestBody?.content ?? {})) {
          const component = media.schema.$ref
            ? doc.components.schemas[media.schema.$ref.split('/').pop()]
            : media.schema;
          expect(
            media.examples ?? media.example ?? component.example ?? component.examples,
            `${method} ${path} ${type}`,
          ).toBeDefined();
        }
      }
    }
    for (const k of KINDS) {
      const examples = doc.paths[`/v1/${k.name}`].post.requestBody.content['application/json'].examples;
      expect(Object.keys(examples)).toEqual(k.presets.map((p) => p.name));
      expect(k.resolve(Object.values<Doc>(examples)[0].value, ctx)).toEqual(k.resolve({}, ctx));
      for (const p of k.presets)
        expect(k.resolve(examples[p.name].value, ctx), p.name).toEqual(k.resolve({ preset: p.name }, ctx));
      // the 202 example is a queued job of the default preset, as the route answers it
      const job = doc.paths[`/v1/${k.name}`].post.responses['202'].content['application/json'].examples.queued.value;
      expect(job.request).toEqual(JSON.parse(JSON.stringify(k.resolve({}, ctx))));
      expect(job.status).toBe('queued');
    }
  });

  it('the upload examples are the first rows of examples/houses.csv, as CSV and as JSON', () => {
    const content = doc.paths['/v1/datasets'].post.requestBody.content;
    const csv = content['text/csv'].examples.houses.value as string;
    expect(readFileSync(new URL('../../examples/houses.csv', import.meta.url), 'utf8').startsWith(csv)).toBe(true);
    const json = content['application/json'].examples.houses.value;
    expect(json.x[0]).toEqual([92, 2, 75, 5]);
    expect(json.y[0]).toBe(2.88);
    expect(json.x).toHaveLength(csv.trim().split('\n').length - 1);
  });

  it('a service configured with limits smaller than the presets still builds (examples use the default limits) and serves the document', async () => {
    const small = await appWithoutRedis({
      LIMIT_DATASET_VALUES: '10',
      LIMIT_NUM_ITER: '5',
      LIMIT_MODEL_PARAMS: '10',
      LIMIT_SCHEDULE_STEPS: '5',
    });
    try {
      const res = await small.app.inject({ method: 'GET', url: '/openapi.json' });
      expect(res.statusCode).toBe(200);
      expect(res.json().components.schemas.Problem.examples[0].detail).toBe(
        "/num_iter: num_iter is 100000, above this service's limit of 5 (LIMIT_NUM_ITER)",
      );
    } finally {
      await small.close();
    }
  });

  it('tags and operations: datasets covers uploads, health is documented, every operation has an id', () => {
    expect(doc.tags.find((t: Doc) => t.name === 'datasets').description).toMatch(/upload/);
    expect(doc.paths['/healthz'].get.description).toMatch(/process/);
    expect(doc.paths['/readyz'].get.description).toMatch(/noeviction/);
    const ids = Object.values<Doc>(doc.paths).flatMap((ops) => Object.values<Doc>(ops).map((op) => op.operationId));
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/v1/lr-range-tests'].post.operationId).toBe('post_v1_lr_range_tests');
  });
});
