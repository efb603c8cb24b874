/**
 * clients/python is a package: `pip install --no-build-isolation ./clients/python` into a fresh venv
 * works offline (no index, no build isolation, no pip configuration of this machine) and leaves the
 * source tree as it was (no build/, no lrfinder.egg-info: clients/python/setup.py builds in a temporary
 * directory); `import lrfinder` then gives the installed copy with its `torch` subpackage and its
 * `plot` / `torch` extras declared.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_DIR, pythonWith } from '../helpers/python.js';

const run = promisify(execFile);

// a setuptools older than 70.1 builds wheels with the `wheel` package (Debian: python3-wheel)
const PYTHON = await pythonWith(['setuptools', 'wheel', 'venv', 'pip']);
const SKIP =
  'SKIPPED: no python with setuptools, wheel, venv and pip (apt-get install -y python3-venv python3-pip python3-wheel)';
if (!PYTHON) console.warn(`python-package.test.ts ${SKIP}`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lrf-pip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every file and folder under clients/python but bytecode caches (other tests import from there). */
const tree = (): string[] =>
  readdirSync(CLIENT_DIR, { recursive: true, encoding: 'utf8' })
    .filter((p) => !p.split(path.sep).includes('__pycache__'))
    .sort();

describe.skipIf(!PYTHON)(PYTHON ? `pip install ./clients/python with ${PYTHON}` : `pip install ${SKIP}`, () => {
  it('installs offline from the checkout, writing nothing there; import lrfinder is the installed one', async () => {
    const before = tree();
    const venv = path.join(tmp, 'venv');
    const env = {
      ...process.env,
      PIP_CONFIG_FILE: os.devNull,
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    };
    await run(PYTHON as string, ['-m', 'venv', '--system-site-packages', venv], { timeout: 120_000 });
    const py = path.join(venv, 'bin', 'python');
    const pip = await run(py, ['-m', 'pip', 'install', '--no-build-isolation', '--no-index', CLIENT_DIR], {
      env,
      timeout: 300_000,
    });
    expect(pip.stdout).toMatch(/Successfully installed lrfinder-/);
    // nothing new in the source tree: no build/, no lrfinder.egg-info (both git-ignored, so `git status` is no check)
    expect(tree().filter((p) => !before.includes(p))).toEqual([]);

    // from another directory, so the source tree is not on sys.path
    const { stdout } = await run(
      py,
      [
        '-c',
        `
import importlib.metadata as md, importlib.util, json, sys, lrfinder
meta = md.metadata("lrfinder")
print(json.dumps({"torch_imported": "torch" in sys.modules, "file": lrfinder.__file__, "version": lrfinder.__version__, "dist": md.version("lrfinder"),
                  "torch_sub": importlib.util.find_spec("lrfinder.torch").origin,
                  "extras": sorted(meta.get_all("Provides-Extra")), "requires": sorted(meta.get_all("Requires-Dist"))}))
`,
      ],
      { cwd: tmp, env, timeout: 60_000 },
    );
    const out = JSON.parse(stdout);
    const version = /__version__ = "([^"]+)"/.exec(
      readFileSync(path.join(CLIENT_DIR, 'lrfinder/__init__.py'), 'utf8'),
    )![1];
    expect(out.torch_imported).toBe(false); // the core is stdlib only: torch is imported by lrfinder.torch alone
    expect(out.file.startsWith(venv + path.sep)).toBe(true);
    expect(out.torch_sub.startsWith(venv + path.sep)).toBe(true);
    expect(out.version).toBe(version);
    expect(out.dist).toBe(version);
    expect(out.extras).toEqual(['plot', 'torch']);
    // setuptools versions spell markers differently: "torch (>=1.10) ; extra == 'torch'" or 'torch>=1.10; extra ==
    // "torch"'
    expect(out.requires.map((r: string) => r.replace(/[\s()'"]/g, ''))).toEqual([
      'matplotlib>=3.3;extra==plot',
      'torch>=1.10;extra==torch',
    ]);
  }, 300_000);
});
