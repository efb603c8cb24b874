/**
 * `npm start` (the real dist/src/server.js) as a process: its workers die with it even when it is
 * SIGKILLed; a second start with the port in use or the data directory taken by a live instance
 * starts nothing (no redis-server, no worker) and says what is in the way; a stale lock of a dead
 * instance is taken over, stopping the redis-server that instance left behind.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/redis/embedded.js';
import { LOCK_FILE, pidAlive } from '../../src/instance-lock.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/src/server.js');

interface Server {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const started: Server[] = [];
const dirs: string[] = [];
/** redis-servers a SIGKILLed server left behind, stopped here if a test failed before its takeover */
const orphans: number[] = [];
const tmpDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lrf-start-'));
  dirs.push(d);
  return d;
};

function startServer(env: Record<string, string>): Server {
  const clean = { ...process.env };
  delete clean.REDIS_URL;
  const child = spawn(process.execPath, [SERVER], {
    env: { ...clean, HOST: '127.0.0.1', LOG_LEVEL: 'info', WORKERS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const s = { child, output: () => out, exited };
  started.push(s);
  return s;
}

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 60_000, s?: Server): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${s ? `; server output:\n${s.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const listening = (s: Server) =>
  until('the server to listen', () => s.output().includes('lr-finder on http://'), 60_000, s);
const workerPids = (s: Server) =>
  [...s.output().matchAll(/"pid":(\d+)[^\n]*"msg":"worker ready"/g)].map((m) => Number(m[1]));
/** pids of the redis-servers working in DATA_DIR/redis (redis-server chdirs to its --dir; it rewrites its command line)
 * */
function redisServers(dir: string): number[] {
  const want = path.join(dir, 'redis');
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return (
          readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'redis-server' &&
          readlinkSync(`/proc/${p}/cwd`) === want &&
          pidAlive(Number(p))
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

afterEach(async () => {
  for (const s of started.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGTERM');
    await Promise.race([s.exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  }
});
afterAll(() => {
  for (const pid of orphans) if (pidAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('processes die together', () => {
  let redis: TestRedis;
  afterAll(async () => {
    await redis?.cleanup();
  });

  it('SIGKILL of npm start: its workers exit within seconds (IPC channel closed)', async () => {
    redis = await startTestRedis();
    const s = startServer({
      REDIS_URL: redis.url,
      PORT: String(await freePort()),
      WORKERS: '2',
      QUEUE_PREFIX: 'lifecycle',
      DATA_DIR: tmpDir(),
    });
    const pids = await until('two workers ready', () => workerPids(s).length === 2 && workerPids(s), 90_000, s);
    await listening(s);
    expect(pids.every(pidAlive)).toBe(true);
    s.child.kill('SIGKILL');
    await s.exited;
    await until(
      `worker pids ${pids.join(', ')} to exit after their parent was SIGKILLed`,
      () => pids.every((p) => !pidAlive(p)),
      60_000,
      s,
    );
  }, 180_000);
});

describe('a second npm start fails cleanly', () => {
  it('port in use by any listener: exit 1 naming the port and PORT=; no redis-server, no worker, no lock left', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const dir = tmpDir();
      const s = startServer({ PORT: String(port), WORKERS: '2', DATA_DIR: dir });
      expect(await s.exited).toBe(1);
      expect(s.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(s.output()).toMatch(/PORT=\d+ npm start/);
      expect(s.output()).not.toMatch(/EADDRINUSE| {4}at /); // a message, not a stack
      expect(s.output()).not.toContain('worker ready');
      expect(existsSync(path.join(dir, 'redis'))).toBe(false);
      expect(redisServers(dir)).toEqual([]);
      expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('data directory locked by a live instance (another port, or the same): exit 1 naming its pid; the first keeps running', async () => {
    const dir = tmpDir();
    const port = await freePort();
    const first = startServer({ PORT: String(port), DATA_DIR: dir });
    await listening(first);
    const lock = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
    expect(lock, first.output()).toMatchObject({ pid: first.child.pid, port });
    expect(pidAlive(lock.redis_pid), first.output()).toBe(true);
    for (const p of [await freePort(), port]) {
      const second = startServer({ PORT: String(p), WORKERS: '1', DATA_DIR: dir });
      expect(await second.exited, second.output()).toBe(1);
      expect(second.output()).toContain(`in use by another lr-finder (pid ${first.child.pid}, port ${port})`);
      expect(second.output()).toContain(`kill ${first.child.pid}`);
      expect(second.output()).not.toContain('worker ready');
    }
    expect(redisServers(dir), first.output()).toEqual([lock.redis_pid]); // still one redis-server on this AOF
    expect(first.child.exitCode, first.output()).toBe(null);
    first.child.kill('SIGTERM');
    expect(await first.exited, first.output()).toBe(0);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false); // released on a clean stop
  }, 120_000);

  it('a stale lock (its pid is dead) is taken over; the redis-server a SIGKILLed instance left is stopped first', async () => {
    const dir = tmpDir();
    // a lock from a pid that no longer runs
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout), port: 1, started: 'then' }));
    const a = startServer({ PORT: String(await freePort()), DATA_DIR: dir });
    await listening(a);
    expect(a.output()).toContain(`taking over the stale lock`);
    const orphan = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).redis_pid as number;
    orphans.push(orphan);
    // SIGKILL: its redis-server stays behind on the data directory
    a.child.kill('SIGKILL');
    await a.exited;
    expect(redisServers(dir)).toEqual([orphan]);
    const b = startServer({ PORT: String(await freePort()), DATA_DIR: dir });
    await listening(b);
    expect(b.output()).toContain(`stopping redis-server pid ${orphan}`);
    expect(pidAlive(orphan)).toBe(false);
    const now = redisServers(dir);
    expect(now).toHaveLength(1);
    expect(now).toEqual([JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).redis_pid]);
    expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(b.child.pid);
  }, 120_000);

  it('a lock whose pid now runs another program (a reused pid) is stale too', async () => {
    const dir = tmpDir();
    const other = spawn('sleep', ['120'], { stdio: 'ignore' });
    try {
      writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, port: 1, started: 'then' }));
      const s = startServer({ PORT: String(await freePort()), DATA_DIR: dir });
      await listening(s);
      expect(s.output()).toContain(`taking over the stale lock`);
      expect(JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')).pid).toBe(s.child.pid);
    } finally {
      other.kill('SIGKILL');
    }
  }, 120_000);
});
