/**
 * Writes the backend contract's generated files from src/core/kernels/manifest.ts (`npm run gen:backend`):
 * the TypeScript constants and raw kernel types, the AssemblyScript constants and the C header. Commit
 * them; test/backends/generated.test.ts fails when one is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { generateBackendFiles } from './backend-codegen.js';

for (const [path, text] of Object.entries(generateBackendFiles())) {
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    /* new file */
  }
  if (old === text) {
    console.log(`${path}: up to date`);
  } else {
    writeFileSync(path, text);
    console.log(`${path}: written`);
  }
}
