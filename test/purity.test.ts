/**
 * The pure parts of the tree (CONTRIBUTING.md, "Pure code"): no node:* imports, no I/O, no clock, no
 * unseeded randomness, no process or Buffer in src/core, src/lrfinder, src/kinds and src/views.
 * Comments are ignored; everything else is scanned.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const PURE = ['src/core', 'src/lrfinder', 'src/kinds', 'src/views'];

const FORBIDDEN: [string, RegExp][] = [
  ['a node:* import', /from\s+['"]node:|import\(\s*['"]node:|(?<![.\w])require\(\s*['"]/],
  ['Math.random', /\bMath\.random\b/],
  ['the clock', /\bDate\b|\bperformance\.now\b/],
  ['process', /\bprocess\./],
  ['Buffer', /\bBuffer\b/],
  ['I/O', /\bfetch\(|\bsetTimeout\(|\bsetInterval\(/],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The source without comments (block, line) and without string contents that merely mention names. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('pure modules', () => {
  it.each(PURE)('%s uses nothing impure', (dir) => {
    const offences: string[] = [];
    for (const file of filesUnder(path.join(ROOT, dir))) {
      const src = code(readFileSync(file, 'utf8'));
      for (const [what, re] of FORBIDDEN) if (re.test(src)) offences.push(`${path.relative(ROOT, file)}: ${what}`);
    }
    expect(offences).toEqual([]);
  });

  it('the scan sees what it looks for', () => {
    expect(FORBIDDEN.some(([, re]) => re.test(code("import { x } from 'node:fs';")))).toBe(true);
    expect(FORBIDDEN.some(([, re]) => re.test(code('const t = Date.now();')))).toBe(true);
    expect(FORBIDDEN.some(([, re]) => re.test(code('// Date.now() in a comment')))).toBe(false);
  });
});
