/**
 * Every repository path named in the code's comments and in the docs exists: a comment that still
 * names a file after it was renamed or merged into another sends a reader nowhere.
 * A path counts as ours when its first two segments are a folder of this repository (`src/api/…`,
 * `bench/search/…`); paths into other projects cited as sources (`src/transformers/optimization.py`,
 * `test/optim/test_lrscheduler.py`) are not. Placeholders (`<kind>`, `{id}`, `*`) are skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const SCANNED_DIRS = ['src', 'workers', 'test', 'bench', 'scripts', 'native/src', 'clients/python', 'docs'];
const SCANNED_FILES = [
  'README.md',
  'CONTRIBUTING.md',
  'Dockerfile',
  'docker-compose.yml',
  'docker-compose.worker.yml',
  '.ci/run',
];
const TEXT = /\.(ts|mjs|js|md|py|c|h|sh|yml)$/;
const SKIP = /(^|\/)(node_modules|dist|build|golden|fixtures|__pycache__)(\/|$)/;
const PATH =
  /\b(?:src|workers|test|bench|scripts|native|clients|docs|openapi|examples|assembly)\/[A-Za-z0-9_./-]+\.(?:ts|md|json|mjs|c|h|py|lua|gyp|csv|sh|yml)\b/g;

function files(dir: string): string[] {
  const out: string[] = [];
  const abs = join(root, dir);
  if (!existsSync(abs)) return out;
  for (const name of readdirSync(abs)) {
    const rel = `${dir}/${name}`;
    if (SKIP.test(rel)) continue;
    const st = statSync(join(root, rel));
    if (st.isDirectory()) out.push(...files(rel));
    else if (TEXT.test(name)) out.push(rel);
  }
  return out;
}

/** a path into this repository: its first two segments name one of our folders (or a top-level file's folder) */
function ours(path: string): boolean {
  const [a, b] = path.split('/');
  return existsSync(join(root, a, b)) || existsSync(join(root, a, b.replace(/\.[a-z]+$/, '')));
}

describe('repository paths in comments and docs', () => {
  const scanned = [...SCANNED_DIRS.flatMap(files), ...SCANNED_FILES.filter((f) => existsSync(join(root, f)))];

  it('reads the tree (the check sees code and docs)', () => {
    expect(scanned.length).toBeGreaterThan(200);
    expect(ours('src/api/app.ts')).toBe(true);
    expect(ours('src/transformers/optimization.py')).toBe(false);
  });

  it('every path of ours that a file names exists', () => {
    const missing: string[] = [];
    for (const f of scanned) {
      const text = readFileSync(join(root, f), 'utf8');
      for (const m of text.matchAll(PATH)) {
        const p = m[0].replace(/\.$/, '');
        if (!ours(p)) continue;
        if (!existsSync(join(root, p))) missing.push(`${relative(root, join(root, f))}: ${p}`);
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});
