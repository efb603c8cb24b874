/**
 * The job kind registry: every kind is complete and self-contained. Its schemas are registered
 * components, its presets resolve, it says where its dataset ids sit wherever its request schema
 * puts a `Data`, and no file outside its folder and the registry names it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS, PRESETS } from '../../src/kinds/registry.js';
import { checkResult } from '../../workers/run-job.js';
import { resolveContext } from '../helpers/resolve.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

type Schema = { $id?: string; $ref?: string; properties?: Record<string, Schema>; anyOf?: Schema[] };

/** JSON pointers (as key lists) of the properties of `schema` that are a `$ref` to Data. */
function dataPaths(schema: Schema, at: string[] = []): string[][] {
  if (schema.$ref === 'Data') return [at];
  const out: string[][] = [];
  for (const [key, sub] of Object.entries(schema.properties ?? {})) out.push(...dataPaths(sub, [...at, key]));
  for (const sub of schema.anyOf ?? []) out.push(...dataPaths(sub, at));
  return out;
}

function place(at: string[], value: unknown): Record<string, unknown> {
  return at.reduceRight<unknown>((v, key) => ({ [key]: v }), value) as Record<string, unknown>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('the registry', () => {
  it('has unique names, each with its request, result and job schemas among its components', () => {
    expect(new Set(KINDS.map((k) => k.name)).size).toBe(KINDS.length);
    for (const k of KINDS) {
      const ids = k.schemas.components.map((s) => (s as Schema).$id);
      expect(
        ids.every((id) => typeof id === 'string'),
        k.name,
      ).toBe(true);
      for (const s of [k.schemas.request, k.schemas.result, k.schemas.job]) expect(ids).toContain((s as Schema).$id);
    }
  });

  it('every preset resolves under the default limits, and names its kind in GET /v1/presets', () => {
    for (const k of KINDS) {
      expect(k.presets.length, k.name).toBeGreaterThan(0);
      for (const p of k.presets) {
        expect(() => k.resolve({ preset: p.name }, resolveContext()), `${k.name} ${p.name}`).not.toThrow();
        expect(PRESETS.find((q) => q.name === p.name)?.kinds).toEqual([k.name]);
      }
    }
  });

  it('each kind finds an uploaded dataset id wherever its request schema takes a dataset', () => {
    for (const k of KINDS) {
      const paths = dataPaths(k.schemas.request as Schema);
      expect(paths.length, k.name).toBeGreaterThan(0);
      for (const at of paths)
        expect(k.datasetIds(place(at, { dataset_id: 'd-1' })), `${k.name} /${at.join('/')}`).toEqual(['d-1']);
      expect(k.datasetIds({}), k.name).toEqual([]);
    }
  });

  it("the worker refuses a result that does not match the kind's result schema", () => {
    for (const k of KINDS)
      expect(() => checkResult(k, { unexpected: true }), k.name).toThrow(/does not match its schema/);
  });

  it("no source file outside a kind's folder and the registry names the kind", () => {
    const files = [...filesUnder(path.join(ROOT, 'src')), ...filesUnder(path.join(ROOT, 'workers'))];
    for (const k of KINDS) {
      // a hyphenated name anywhere; a one-word name as a string or path segment
      const pattern = k.name.includes('-') ? new RegExp(k.name) : new RegExp(`['"\`/]${k.name}['"\`/]`);
      const own = [path.join(ROOT, 'src/kinds', k.name) + path.sep, path.join(ROOT, 'src/kinds/registry.ts')];
      const outside = files.filter((f) => !own.some((o) => f.startsWith(o)) && pattern.test(readFileSync(f, 'utf8')));
      expect(
        outside.map((f) => path.relative(ROOT, f)),
        k.name,
      ).toEqual([]);
    }
  });
});
