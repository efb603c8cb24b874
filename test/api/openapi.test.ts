/** The committed openapi/openapi.json is exactly what the routes generate (run `npm run openapi` after changing a schema). */
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
    for (const name of ['Problem', 'LrRangeTestRequest', 'LrRangeTestResult', 'LrRangeTestJob', 'Model', 'Data', 'Optimizer']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    const post = doc.paths['/v1/lr-range-tests'].post;
    expect(post.responses['202']).toBeDefined();
    const body = post.requestBody.content['application/json'];
    expect(body.schema.$ref).toBe('#/components/schemas/LrRangeTestRequest');
    const example = doc.components.schemas.LrRangeTestRequest.example;
    expect(example).toEqual({ preset: 'spirals-mlp' });
  });
});
