/**
 * clients/python is a package: `pip install --no-build-isolation` into a fresh venv works offline
 * (no index, no build isolation, no pip configuration of this machine), and `import lrfinder` then
 * gives the installed copy with its `torch` subpackage and its `plot` / `torch` extras declared.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_DIR, pythonWith } from '../helpers/python.js';

const run = promisify(execFile);

// a setuptools older than 70.1 builds wheels with the `wheel` package (Debian: python3-wheel)
const PYTHON = await pythonWith(['setuptools', 'wheel', 'venv', 'pip']);
const SKIP = 'SKIPPED: no python with setuptools, wheel, venv and pip (apt-get install -y python3-venv python3-pip python3-wheel)';
if (!PYTHON) console.warn(`python-package.test.ts ${SKIP}`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lrf-pip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!PYTHON)(PYTHON ? `pip install ./clients/python with ${PYTHON}` : `pip install ${SKIP}`, () => {
  it('installs offline into a venv; import lrfinder is the installed one, extras declared', async () => {
    // a copy of the sources, so the build's egg-info and build/ do not land in the repository
    const src = path.join(tmp, 'src');
    cpSync(CLIENT_DIR, src, {
      recursive: true,
      filter: (p) => !/(^|\/)(build|dist|__pycache__|[^/]*\.egg-info)(\/|$)/.test(path.relative(CLIENT_DIR, p)),
    });
    const venv = path.join(tmp, 'venv');
    const env = { ...process.env, PIP_CONFIG_FILE: os.devNull, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONDONTWRITEBYTECODE: '1' };
    await run(PYTHON as string, ['-m', 'venv', '--system-site-packages', venv], { timeout: 120_000 });
    const py = path.join(venv, 'bin', 'python');
    const pip = await run(py, ['-m', 'pip', 'install', '--no-build-isolation', '--no-index', src], { env, timeout: 300_000 });
    expect(pip.stdout).toMatch(/Successfully installed lrfinder-/);

    // from another directory, so the source tree is not on sys.path
    const { stdout } = await run(py, ['-c', `
import importlib.metadata as md, importlib.util, json, sys, lrfinder
meta = md.metadata("lrfinder")
print(json.dumps({"torch_imported": "torch" in sys.modules, "file": lrfinder.__file__, "version": lrfinder.__version__, "dist": md.version("lrfinder"),
                  "torch_sub": importlib.util.find_spec("lrfinder.torch").origin,
                  "extras": sorted(meta.get_all("Provides-Extra")), "requires": sorted(meta.get_all("Requires-Dist"))}))
`], { cwd: tmp, env, timeout: 60_000 });
    const out = JSON.parse(stdout);
    const version = /__version__ = "([^"]+)"/.exec(readFileSync(path.join(CLIENT_DIR, 'lrfinder/__init__.py'), 'utf8'))![1];
    expect(out.torch_imported).toBe(false); // the core is stdlib only: torch is imported by lrfinder.torch alone
    expect(out.file.startsWith(venv + path.sep)).toBe(true);
    expect(out.torch_sub.startsWith(venv + path.sep)).toBe(true);
    expect(out.version).toBe(version);
    expect(out.dist).toBe(version);
    expect(out.extras).toEqual(['plot', 'torch']);
    // setuptools versions spell markers differently: "torch (>=1.10) ; extra == 'torch'" or 'torch>=1.10; extra == "torch"'
    expect(out.requires.map((r: string) => r.replace(/[\s()'"]/g, ''))).toEqual(['matplotlib>=3.3;extra==plot', 'torch>=1.10;extra==torch']);
  }, 300_000);
});
