/** Writes openapi/openapi.json from the route schemas (`npm run openapi`); a test fails when it drifts. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateOpenApi } from '../src/api/openapi.js';

const doc = await generateOpenApi();
mkdirSync('openapi', { recursive: true });
writeFileSync('openapi/openapi.json', JSON.stringify(doc, null, 2) + '\n');
console.log(
  `openapi/openapi.json: ${Object.keys((doc.paths ?? {}) as object).length} paths, ${Object.keys((doc.components as { schemas?: object })?.schemas ?? {}).length} schemas`,
);
