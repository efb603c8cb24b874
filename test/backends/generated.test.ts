/**
 * The backend contract's generated files (src/core/kernels/contract.generated.ts,
 * assembly/contract.generated.ts, native/src/contract.generated.h) are exactly what
 * src/core/kernels/manifest.ts generates: run `npm run gen:backend` after changing the manifest.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED, GENERATOR, MANIFEST, generateBackendFiles } from '../../scripts/backend-codegen.js';

const root = new URL('../../', import.meta.url);

describe('backend contract: generated files', () => {
  const files = generateBackendFiles();
  it('generates the TypeScript, AssemblyScript and C files, each marked generated', () => {
    expect(Object.keys(files).sort()).toEqual(Object.values(GENERATED).sort());
    for (const text of Object.values(files)) expect(text).toContain(`Generated from ${MANIFEST} by ${GENERATOR}`);
  });
  for (const path of Object.values(GENERATED)) {
    it(`${path} is current (no drift from the manifest; npm run gen:backend)`, () => {
      const committed = readFileSync(new URL(path, root), 'utf8');
      expect(committed, `${path} is stale: run npm run gen:backend and commit it`).toBe(files[path]);
    });
  }
  it('the activation codes are the same in the three languages', () => {
    const ts = files[GENERATED.ts],
      as = files[GENERATED.as],
      c = files[GENERATED.c];
    for (const [name, code] of [
      ['identity', 0],
      ['relu', 1],
      ['tanh', 2],
      ['sigmoid', 3],
    ] as const) {
      expect(ts).toContain(`  ${name}: ${code},`);
      expect(as).toContain(`export const ACT_${name.toUpperCase()}: i32 = ${code};`);
      expect(c).toContain(`ACT_${name.toUpperCase()} = ${code}`);
    }
  });
});
