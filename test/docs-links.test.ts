/**
 * The documentation's links lead somewhere: every relative link in README.md, CONTRIBUTING.md,
 * docs/*.md, bench/README.md and clients/python/README.md names a file or folder of the repository,
 * and a `#fragment` into a Markdown page names one of its headings (GitHub's anchors) — so moving a
 * section between pages cannot leave a reader at a dead link.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  'bench/README.md',
  'clients/python/README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's heading anchor: lower case, punctuation dropped (hyphens and underscores kept), spaces → hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

/** Text outside fenced code blocks and inline code. */
function prose(md: string): string {
  return md.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

function anchorsOf(md: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of prose(md).matchAll(/^#{1,6} (.+)$/gm)) {
    const s = slug(m[1].replace(/`/g, ''));
    const n = seen.get(s) ?? 0;
    out.add(n ? `${s}-${n}` : s);
    seen.set(s, n + 1);
  }
  for (const m of md.matchAll(/<a id="([^"]+)"/g)) out.add(m[1]);
  return out;
}

function linksOf(md: string): string[] {
  // inline code is dropped before, so headings like `## `POST /v1/...`` keep their anchors right above
  return [...prose(md).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((t) => !/^(https?:|mailto:)/.test(t));
}

describe('documentation links', () => {
  it('finds the pages and their links (the check reads something)', () => {
    expect(PAGES.length).toBeGreaterThan(8);
    expect(PAGES.reduce((n, p) => n + linksOf(readFileSync(join(root, p), 'utf8')).length, 0)).toBeGreaterThan(30);
    expect(slug("Your library's number")).toBe('your-librarys-number');
    expect(slug('Notebooks (Python)')).toBe('notebooks-python');
  });

  it.each(PAGES)('%s: every relative link and anchor resolves', (page) => {
    const md = readFileSync(join(root, page), 'utf8');
    const broken: string[] = [];
    for (const target of linksOf(md)) {
      const [path, fragment] = target.split('#');
      const file = path ? join(dirname(join(root, page)), decodeURIComponent(path)) : join(root, page);
      if (!existsSync(file)) {
        broken.push(`${target}: no ${relative(root, file)}`);
        continue;
      }
      if (fragment && file.endsWith('.md') && !anchorsOf(readFileSync(file, 'utf8')).has(fragment)) {
        broken.push(`${target}: ${relative(root, file)} has no heading #${fragment}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
