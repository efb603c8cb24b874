/**
 * `npm start` checks what is in its way BEFORE it starts anything (redis-server, workers, the API):
 *  - the data directory of the embedded redis is taken with a lock file, DATA_DIR/lr-finder.lock,
 *    created with O_EXCL and holding {pid, port, redis_pid}. A lock whose pid is dead is stale: it
 *    is taken over, and the redis-server that instance left running (it outlives a SIGKILLed
 *    parent) is stopped first, so two redis-servers never share one AOF.
 *  - the HTTP port must be free (any listener on it, lr-finder or not).
 * Each refusal is one message saying what is in the way and what to do.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const LOCK_FILE = 'lr-finder.lock';

export interface LockInfo {
  pid: number;
  port: number;
  started: string;
  redis_pid?: number;
}

export interface DataLock {
  file: string;
  /** records the embedded redis-server's pid (stopped by the next start if this process dies) */
  setRedisPid(pid: number | undefined): void;
  /** removes the lock file if it is still ours */
  release(): void;
}

export class StartRefused extends Error {}

/** alive: signal 0 reaches it (EPERM: it exists under another user); a zombie counts as dead */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): trust kill(0)
  }
}

function mtimeMs(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function readLock(file: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
    return Number.isInteger(info?.pid) ? info : null;
  } catch {
    return null;
  }
}

function isRedisServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}

/** a live holder that is not a Node process is a reused pid (a container restarted on a kept volume) */
function isNode(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc: trust the pid
  }
}

/** Stops the redis-server a dead instance left on this data directory (SIGTERM: it flushes its AOF). */
async function stopOrphanRedis(pid: number, log: (msg: string) => void): Promise<void> {
  if (!pidAlive(pid) || !isRedisServer(pid)) return;
  log(`lr-finder: stopping redis-server pid ${pid}, left running by the previous instance on this data directory`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  while (pidAlive(pid)) await new Promise((r) => setTimeout(r, 50));
}

/** Takes DATA_DIR/lr-finder.lock for this process, or throws StartRefused naming the live instance holding it. */
export async function lockDataDir(
  dataDir: string,
  port: number,
  log: (msg: string) => void = console.error,
): Promise<DataLock> {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  const mine: LockInfo = { pid: process.pid, port, started: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 50) throw err;
    }
    const held = readLock(file);
    // gone (just released), or unreadable and young (another start is writing it): look again
    const mtime = mtimeMs(file);
    if (!held && (mtime === 0 || Date.now() - mtime < 5_000)) {
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (held && held.pid !== process.pid && pidAlive(held.pid) && isNode(held.pid)) {
      throw new StartRefused(
        `lr-finder: the data directory ${dir} is in use by another lr-finder (pid ${held.pid}, port ${held.port}); nothing was started.\n` +
          `  Use that instance, or stop it (kill ${held.pid}), or give this one its own data directory and port: DATA_DIR=<dir> PORT=<port> npm start.\n` +
          `  If pid ${held.pid} is not lr-finder, remove ${file}.`,
      );
    }
    // stale: its owner is gone (or the file is unreadable); stop what it left behind, then take it over
    log(
      `lr-finder: taking over the stale lock ${file}${held ? ` of pid ${held.pid}, which no longer runs lr-finder` : ''}`,
    );
    if (held?.redis_pid) await stopOrphanRedis(held.redis_pid, log);
    rmSync(file, { force: true });
  }
  return {
    file,
    setRedisPid(pid) {
      if (readLock(file)?.pid !== process.pid) return;
      const tmp = `${file}.${process.pid}.tmp`; // rename: a reader never sees a half-written lock
      writeFileSync(tmp, JSON.stringify({ ...mine, redis_pid: pid }));
      renameSync(tmp, file);
    },
    release() {
      if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}

/** Throws StartRefused when something already listens on host:port. */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const srv = net.createServer();
    srv.once('error', (e) => resolve(e as NodeJS.ErrnoException));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(null)));
  });
  if (!err) return;
  if (err.code === 'EADDRINUSE') {
    throw new StartRefused(
      `lr-finder: port ${port} on ${host} is already in use (another lr-finder, or another program); nothing was started.\n` +
        `  Stop what listens there, or start on another port: PORT=${port === 65535 ? 3001 : port + 1} npm start.`,
    );
  }
  throw new StartRefused(
    `lr-finder: cannot listen on ${host}:${port} (${err.code ?? err.message}); nothing was started. Set HOST and PORT.`,
  );
}
