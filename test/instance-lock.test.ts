/**
 * src/instance-lock.ts in process: a live Node holder refuses (naming its pid), a lock being written
 * by a concurrent start is waited for rather than taken over, an old unreadable one is stale, and
 * a busy port is refused with what to do. The server-level behaviour: test/integration/server-lifecycle.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPortFree, LOCK_FILE, lockDataDir, StartRefused } from '../src/instance-lock.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-lock-'));
const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
afterAll(() => {
  holder.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});
const quiet = () => undefined;

describe('the data directory lock', () => {
  it('a live lr-finder holding it: refused, naming its pid and port and what to do', async () => {
    const d = path.join(dir, 'live');
    await lockDataDir(d, 1, quiet).then((l) => l.release());
    writeFileSync(path.join(d, LOCK_FILE), JSON.stringify({ pid: holder.pid, port: 4321, started: 'now' }));
    const err = await lockDataDir(d, 1, quiet).catch((e) => e);
    expect(err).toBeInstanceOf(StartRefused);
    expect(err.message).toContain(`in use by another lr-finder (pid ${holder.pid}, port 4321)`);
    expect(err.message).toContain(`kill ${holder.pid}`);
    expect(JSON.parse(readFileSync(path.join(d, LOCK_FILE), 'utf8')).pid).toBe(holder.pid); // untouched
  });

  it('a lock file another start is still writing (empty, young) is waited for, not taken over', async () => {
    const d = path.join(dir, 'young');
    await lockDataDir(d, 1, quiet).then((l) => l.release());
    const file = path.join(d, LOCK_FILE);
    writeFileSync(file, '');
    setTimeout(() => writeFileSync(file, JSON.stringify({ pid: holder.pid, port: 5, started: 'now' })), 300);
    await expect(lockDataDir(d, 1, quiet)).rejects.toThrow(`pid ${holder.pid}`);
  });

  it('an old unreadable lock is stale: taken over, and released only by its owner', async () => {
    const d = path.join(dir, 'old');
    await lockDataDir(d, 1, quiet).then((l) => l.release());
    const file = path.join(d, LOCK_FILE);
    writeFileSync(file, 'garbage');
    utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    const lines: string[] = [];
    const lock = await lockDataDir(d, 7, (m) => lines.push(m));
    expect(lines.join('\n')).toContain('taking over the stale lock');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, port: 7 });
    lock.setRedisPid(12345);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, port: 7, redis_pid: 12345 });
    lock.release();
    expect(existsSync(file)).toBe(false);
  });
});

describe('the port check', () => {
  it('any listener on the port: refused, saying PORT=', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      await expect(checkPortFree('127.0.0.1', port)).rejects.toThrow(
        new RegExp(`port ${port} on 127.0.0.1 is already in use[\\s\\S]*PORT=\\d+ npm start`),
      );
    } finally {
      srv.close();
    }
    await expect(checkPortFree('127.0.0.1', port)).resolves.toBeUndefined();
  });
});
