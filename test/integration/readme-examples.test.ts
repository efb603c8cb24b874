/**
 * The documentation's runnable examples run: every ```sh block of README.md and docs/*.md marked
 * "this block runs in test/integration/readme-examples.test.ts" is executed by bash (curl and jq, as a reader would)
 * against the whole service — a private redis-server, the API listening on a free port in place of
 * localhost:3000, a real worker — from a directory where `examples/` is the repository's, and its
 * output must be exactly the `# ` lines the page shows. Also: examples/houses.csv is what
 * examples/make-houses.mjs writes.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MARK = '<!-- this block runs in test/integration/readme-examples.test.ts';

/** The marked blocks: the script (every line but the `# ` output lines) and the output shown. */
export function runnableBlocks(readme: string): { script: string; expected: string; first: string }[] {
  const out: { script: string; expected: string; first: string }[] = [];
  const re = /<!-- this block runs in test\/integration\/readme-examples\.test\.ts[^\n]*-->\n```sh\n([\s\S]*?)```/g;
  for (const m of readme.matchAll(re)) {
    const lines = m[1].trimEnd().split('\n');
    out.push({
      script: lines.filter((l) => !l.startsWith('# ')).join('\n'),
      expected: lines
        .filter((l) => l.startsWith('# '))
        .map((l) => l.slice(2))
        .join('\n'),
      first: lines[0],
    });
  }
  return out;
}

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const tools = has('curl') && has('jq');

let s: Stack;
let dir: string;
beforeAll(async () => {
  if (!tools) return;
  s = await startStack({ tag: 'readme', listen: true });
  dir = mkdtempSync(join(tmpdir(), 'readme-'));
  symlinkSync(join(root, 'examples'), join(dir, 'examples'));
}, 60_000);
afterAll(async () => {
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** README.md, then the docs pages (the range tests' first, as the README linked them), as one text */
function documentation(): string {
  const pages = [
    'README.md',
    'docs/range-tests.md',
    'docs/data.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  return [...new Set(pages)].map((p) => readFileSync(join(root, p), 'utf8')).join('\n');
}

describe('README examples', () => {
  const readme = documentation();
  const blocks = runnableBlocks(readme);

  it('the marked blocks are found (health, curve analyses, CSV upload → range test, JSON upload)', () => {
    expect(readme.split(MARK).length - 1).toBe(blocks.length);
    expect(blocks.map((b) => b.first)).toEqual([
      'curl -s localhost:3000/healthz | jq -c .',
      expect.stringMatching(/^curl -s -X POST localhost:3000\/v1\/curve-analyses /),
      expect.stringMatching(
        /^ds=\$\(curl -s -X POST 'localhost:3000\/v1\/datasets\?task=regression&target=price&name=houses'/,
      ),
      expect.stringMatching(/^curl -s -X POST localhost:3000\/v1\/datasets -H 'content-type: application\/json'/),
    ]);
    for (const b of blocks) expect(b.expected.length).toBeGreaterThan(0);
  });

  it.skipIf(!tools).each(runnableBlocks(documentation()).map((b) => [b.first.slice(0, 60), b]))(
    'runs as shown: %s',
    async (_name, b) => {
      const script = `set -euo pipefail\n${b.script.replaceAll('localhost:3000', s.base.replace('http://', ''))}`;
      // asynchronously: the API answering curl runs in this process
      const { stdout } = await promisify(execFile)('bash', ['-c', script], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(stdout.trimEnd()).toBe(b.expected);
      // a reader runs these in their checkout: they leave no file behind
      expect(readdirSync(dir)).toEqual(['examples']);
    },
    90_000,
  );

  it('examples/houses.csv is what examples/make-houses.mjs writes', async () => {
    const { houses } = await import(join(root, 'examples/make-houses.mjs'));
    expect(readFileSync(join(root, 'examples/houses.csv'), 'utf8')).toBe(houses());
  });
});
