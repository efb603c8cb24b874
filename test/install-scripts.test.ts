/**
 * npm 11 runs a dependency's install script only when package.json `allowScripts` covers it, and
 * `npm ci` warns about every package it does not cover. Every locked package with an install
 * script has a decision in `allowScripts` (true: reviewed and allowed; false: reviewed and
 * blocked), so a clean install prints no `install-scripts` warning.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
const pkg = read('package.json') as { allowScripts?: Record<string, boolean> };
const lock = read('package-lock.json') as {
  packages: Record<string, { hasInstallScript?: boolean; version?: string }>;
};

describe('dependency install scripts', () => {
  it('every locked package with an install script has an allowScripts decision', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && p.hasInstallScript)
      .map(([path, p]) => ({
        name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length),
        version: p.version,
      }));
    expect(withScripts.length).toBeGreaterThan(0);
    const allow = pkg.allowScripts ?? {};
    const decided = (name: string, version?: string) => name in allow || `${name}@${version}` in allow;
    expect(withScripts.filter((p) => !decided(p.name, p.version)).map((p) => `${p.name}@${p.version}`)).toEqual([]);
  });

  it('every allowScripts entry names a locked package that has an install script (no stale entries)', () => {
    const names = new Set(
      Object.entries(lock.packages)
        .filter(([, p]) => p.hasInstallScript)
        .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 13)),
    );
    const stale = Object.keys(pkg.allowScripts ?? {})
      .map((k) => k.replace(/(?!^)@[^@/]*$/, ''))
      .filter((n) => !names.has(n));
    expect(stale).toEqual([]);
  });
});
