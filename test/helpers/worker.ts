/**
 * Worker processes for integration tests: the real entry point (`dist/workers/main.js`, built by
 * `npm test`), as a child process that a test can SIGKILL or SIGTERM.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/workers/main.js');

export interface TestWorker {
  child: ChildProcess;
  output(): string;
  /** resolves when the worker logged that it is ready */
  ready: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startWorker(env: Record<string, string>): TestWorker {
  const child = fork(ENTRY, [], {
    env: { ...process.env, LOG_LEVEL: 'info', LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '500', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  let onReady: () => void;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${out}`)));
  });
  const collect = (d: Buffer) => {
    out += d.toString();
    if (out.includes('worker ready')) onReady();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    ready,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
