/**
 * Python for the client's tests: which interpreter has the modules a test needs (Debian's
 * python3-torch installs into /usr/bin/python3's dist-packages, not pyenv's python3), and the
 * unittest files of clients/python/tests run through tests/runner.py, one outcome per test.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CLIENT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../clients/python');

/** The first of `candidates` that imports every module, or null (then the caller skips, saying why). */
export async function pythonWith(
  modules: string[],
  candidates = ['/usr/bin/python3', 'python3'],
): Promise<string | null> {
  for (const py of candidates) {
    try {
      await run(py, ['-c', modules.map((m) => `import ${m}`).join('; ')], { timeout: 60_000 });
      return py;
    } catch {
      // not there, or without the modules: try the next one
    }
  }
  return null;
}

export interface PythonOutcome {
  outcome: 'passed' | 'failed' | 'error' | 'skipped';
  detail: string;
}

/** Runs clients/python/tests/<files> with `python`; every test's outcome by its method name. */
export async function runPythonTests(
  python: string,
  files: string[],
  env: Record<string, string> = {},
): Promise<Record<string, PythonOutcome>> {
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(python, ['tests/runner.py', ...files.map((f) => `tests/${f}`)], {
      cwd: CLIENT_DIR,
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', ...env },
      timeout: 300_000,
      maxBuffer: 16 << 20,
    }));
  } catch (err) {
    // exit code 1 when a test failed: the outcomes are still on stdout
    ({ stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string });
  }
  const line = stdout.split('\n').find((l) => l.startsWith('LRF-RESULTS '));
  if (!line) throw new Error(`no results from ${files.join(', ')}:\n${stdout}\n${stderr}`);
  return JSON.parse(line.slice('LRF-RESULTS '.length));
}
