/**
 * Starts a private redis-server child process: the default for `npm start` when REDIS_URL is
 * unset (AOF on, noeviction, data under .data/redis) and for every integration test (a free
 * loopback port, a temporary directory, killable at will).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface RedisServerOptions {
  /** data directory (AOF and RDB files); created if missing */
  dir: string;
  port?: number;
  /** fsync policy of the append-only file: `always` makes "accepted" mean "on disk" */
  appendfsync?: 'always' | 'everysec' | 'no';
  maxmemory?: string;
  /** more redis-server arguments, after the defaults (later ones win: e.g. --appendonly no) */
  extraArgs?: string[];
}

export interface RedisServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** SHUTDOWN-like graceful stop (SIGTERM: Redis flushes the AOF and exits) */
  stop(): Promise<void>;
  /** SIGKILL: a crash, for fault tests */
  kill(): Promise<void>;
}

export class RedisMissingError extends Error {}

export function redisServerAvailable(): boolean {
  const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1' });
    sock.setTimeout(500);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

export async function startRedisServer(opts: RedisServerOptions): Promise<RedisServer> {
  if (!redisServerAvailable()) {
    throw new RedisMissingError(
      'redis-server was not found on PATH: install it (Debian/Ubuntu: `sudo apt-get install redis-server`, macOS: `brew install redis`) or set REDIS_URL to an existing Redis',
    );
  }
  const dir = path.resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    opts.appendfsync ?? 'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  if (opts.maxmemory) args.push('--maxmemory', opts.maxmemory);
  if (opts.extraArgs) args.push(...opts.extraArgs);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d) => {
    log = (log + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d) => {
    log = (log + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    process: child,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
  };
}
