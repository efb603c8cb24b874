/**
 * No import cycles in src/ and workers/: a module's dependencies are loaded before it, so the layers
 * stay layers (core below lrfinder below kinds below api/queue/workers) and no module sees another
 * half-initialised. Runtime imports only (`import type` is erased); the strongly connected
 * components of the import graph (Tarjan) must all be single modules.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** the relative modules a file imports at run time (`import type` and `export type` left out) */
export function runtimeImports(file: string, text: string): string[] {
  const deps: string[] = [];
  for (const m of text.matchAll(
    /^\s*(?:import|export)\s+(?!type\b)[^'";]*?\bfrom\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm,
  )) {
    const target = resolve(dirname(file), m[1] ?? m[2]).replace(/\.js$/, '.ts');
    if (existsSync(target)) deps.push(target);
  }
  return deps;
}

/** strongly connected components with more than one module (Tarjan's algorithm, iterative enough for this tree) */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('import cycles', () => {
  it('finds a cycle when there is one (the check works)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g).map((c) => c.sort())).toEqual([['a', 'b', 'c']]);
    expect(runtimeImports('/x/a.ts', "import type { T } from './t.js';\nimport { f } from './nope.js';")).toEqual([]);
  });

  it('src/ and workers/ have none', () => {
    const all = [...files(join(root, 'src')), ...files(join(root, 'workers'))];
    const graph = new Map(all.map((f) => [f, runtimeImports(f, readFileSync(f, 'utf8'))]));
    expect([...graph.values()].flat().length).toBeGreaterThan(300);
    expect(cycles(graph).map((c) => c.map((f) => relative(root, f)))).toEqual([]);
  });
});
