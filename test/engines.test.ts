/**
 * The supported Node.js versions are one statement: package.json `engines`, every installed
 * package's own `engines.node` (package-lock.json: none may want more than our floor, or `npm ci`
 * warns EBADENGINE), the Dockerfile's base image, and what README and CONTRIBUTING tell people.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string; major: number } | null;
  satisfies(version: string, range: string): boolean;
};

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
const lock = JSON.parse(read('package-lock.json')) as {
  packages: Record<string, { engines?: { node?: string } | string[] }>;
};
const floor = semver.minVersion(pkg.engines.node)!;

describe('Node.js versions', () => {
  it('every locked package runs on our floor (no EBADENGINE at npm ci)', () => {
    const wanting = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && p.engines && !Array.isArray(p.engines) && p.engines.node)
      .filter(([, p]) => !semver.satisfies(floor.version, (p.engines as { node: string }).node))
      .map(([name, p]) => `${name} wants node ${(p.engines as { node: string }).node}`);
    expect(wanting).toEqual([]);
    // the check reads the lock: it sees packages that declare engines (a lock without them would pass vacuously)
    expect(
      Object.values(lock.packages).filter((p) => p.engines && !Array.isArray(p.engines) && p.engines.node).length,
    ).toBeGreaterThan(50);
    expect(semver.satisfies(floor.version, '>=22')).toBe(false);
  });

  it('the test runs on a supported Node', () => {
    expect(semver.satisfies(process.versions.node, pkg.engines.node)).toBe(true);
  });

  it('the Dockerfile, README and CONTRIBUTING say the same floor', () => {
    // the official base image, named directly or as the default of the NODE_IMAGE build argument
    const images = [...read('Dockerfile').matchAll(/^(?:FROM |ARG NODE_IMAGE=)node:(\d+)/gm)].map((m) => Number(m[1]));
    expect(images.length).toBeGreaterThan(0);
    for (const major of images) expect(major).toBe(floor.major);
    const stated = `Node.js ≥ ${floor.version.replace(/\.0$/, '')}`;
    expect(read('README.md')).toContain(stated);
    expect(read('CONTRIBUTING.md')).toContain(stated);
  });
});
