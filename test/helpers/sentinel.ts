/**
 * A Redis Sentinel set for integration tests, all on free loopback ports in one temporary
 * directory: one primary and one replica (test/helpers/redis.ts: AOF with `appendfsync always`,
 * noeviction; both with `min-replicas-to-write 1`, so a write the primary accepts reached a
 * replica; `repl-diskless-sync-delay 0`), and three sentinels (`redis-server <conf> --sentinel`: the same binary, no
 * redis-sentinel package) with a quorum of 2 and a short `down-after-milliseconds`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/redis/embedded.js';
import { startTestRedis, type TestRedis } from './redis.js';

export interface SentinelOptions {
  /** the monitored primary's name (REDIS_SENTINEL_NAME) */
  name?: string;
  /** sentinel `down-after-milliseconds`: how long the primary may not answer before it is down */
  downAfterMs?: number;
  /** sentinel `failover-timeout` */
  failoverTimeoutMs?: number;
  /** `min-replicas-max-lag` of the data nodes, seconds */
  maxLagS?: number;
}

export interface TestSentinel {
  port: number;
  process: ChildProcess;
  kill(): Promise<void>;
}

export interface SentinelSet {
  name: string;
  dir: string;
  /** the data nodes by port (the primary and the replica as started; roles change on failover) */
  nodes: Map<number, TestRedis>;
  sentinels: TestSentinel[];
  /** REDIS_SENTINELS and REDIS_SENTINEL_NAME for the app and the workers */
  env: Record<string, string>;
  /** the primary's port as the first answering sentinel says */
  primaryPort(): Promise<number>;
  /** waits until every sentinel names a primary other than `port`; returns it */
  waitForSwitch(port: number, timeoutMs?: number): Promise<number>;
  /** kill -9 of a data node (stays down until restart) */
  kill(port: number): Promise<void>;
  /**
   * starts a killed data node again, on its port and directory (its AOF); with `replicaOf`, as a
   * replica of that port from the start (as a supervisor that asks the sentinels for the primary
   * does), else as a primary, which the sentinels turn into a replica at their next INFO (≤ 10 s)
   */
  restart(port: number, replicaOf?: number): Promise<TestRedis>;
  /** each data node's role and replication state, for failure messages */
  describe(): Promise<string>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function sentinelCall(port: number, ...args: (string | number)[]): Promise<unknown> {
  const c = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return await c.call('SENTINEL', ...args);
  } finally {
    c.disconnect();
  }
}

/** `SENTINEL master <name>` as a field map. */
async function masterState(port: number, name: string): Promise<Record<string, string>> {
  const flat = (await sentinelCall(port, 'master', name)) as string[] | Record<string, string>;
  if (!Array.isArray(flat)) return flat;
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = String(flat[i + 1]);
  return out;
}

async function startSentinel(
  dir: string,
  name: string,
  primaryPort: number,
  opts: Required<SentinelOptions>,
): Promise<TestSentinel> {
  const port = await freePort();
  const conf = path.join(dir, `sentinel-${port}.conf`);
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'logfile ""',
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${name} ${opts.downAfterMs}`,
      `sentinel failover-timeout ${name} ${opts.failoverTimeoutMs}`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await sentinelCall(port, 'masters');
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server --sentinel did not start on port ${port}:\n${log}`);
      }
      await sleep(50);
    }
  }
  return {
    port,
    process: child,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function startSentinelSet(options: SentinelOptions = {}): Promise<SentinelSet> {
  const opts: Required<SentinelOptions> = {
    name: 'lrf-primary',
    downAfterMs: 1000,
    failoverTimeoutMs: 5000,
    maxLagS: 2,
    ...options,
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lrf-sentinel-'));
  // a replica that (re)joins syncs at once (Redis 7 waits 5 s for more replicas to share a diskless sync)
  const safety = [
    '--min-replicas-to-write',
    '1',
    '--min-replicas-max-lag',
    String(opts.maxLagS),
    '--repl-diskless-sync-delay',
    '0',
  ];
  const nodeDir = (n: string) => {
    const d = path.join(dir, n);
    mkdirSync(d);
    return d;
  };
  const primary = await startTestRedis(nodeDir('a'), undefined, safety);
  const replica = await startTestRedis(nodeDir('b'), undefined, [
    ...safety,
    '--replicaof',
    '127.0.0.1',
    String(primary.port),
  ]);
  const nodes = new Map<number, TestRedis>([
    [primary.port, primary],
    [replica.port, replica],
  ]);
  const sentinels: TestSentinel[] = [];
  const set: SentinelSet = {
    name: opts.name,
    dir,
    nodes,
    sentinels,
    env: { REDIS_SENTINELS: '', REDIS_SENTINEL_NAME: opts.name },
    async primaryPort() {
      for (const s of sentinels) {
        try {
          const addr = (await sentinelCall(s.port, 'get-master-addr-by-name', opts.name)) as [string, string];
          return Number(addr[1]);
        } catch {
          /* the next sentinel */
        }
      }
      throw new Error('no sentinel answered');
    },
    async waitForSwitch(port, timeoutMs = 60_000) {
      const t0 = Date.now();
      for (;;) {
        const ports = await Promise.all(
          sentinels.map((s) =>
            sentinelCall(s.port, 'get-master-addr-by-name', opts.name).then(
              (a) => Number((a as [string, string])[1]),
              () => port,
            ),
          ),
        );
        if (ports.every((p) => p !== port && p === ports[0])) return ports[0];
        if (Date.now() - t0 > timeoutMs) throw new Error(`the sentinels still name ${ports.join(',')} as primary`);
        await sleep(50);
      }
    },
    async kill(port) {
      await nodes.get(port)!.kill();
    },
    async restart(port, replicaOf) {
      const again =
        replicaOf === undefined
          ? await nodes.get(port)!.restart()
          : await startTestRedis(nodes.get(port)!.dir, port, [
              ...safety,
              '--replicaof',
              '127.0.0.1',
              String(replicaOf),
            ]);
      nodes.set(port, again);
      return again;
    },
    async describe() {
      const lines = await Promise.all(
        [...nodes.keys()].map(async (p) => {
          const info = await infoOf(p, 'replication').catch(() => 'down');
          const pick = info
            .split(/\r?\n/)
            .filter((l) => /^(role|master_port|master_link_status|connected_slaves|min_slaves_good_slaves):/.test(l));
          return `${p}: ${pick.join(' ') || info}`;
        }),
      );
      return lines.join('; ');
    },
    async cleanup() {
      await Promise.all(sentinels.map((s) => s.kill()));
      await Promise.all([...nodes.values()].map((n) => n.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // the replica has synced (a write now needs it: min-replicas-to-write)
    await waitFor('the replica to sync', async () =>
      /master_link_status:up/.test(await infoOf(replica.port, 'replication')),
    );
    for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(dir, opts.name, primary.port, opts));
    set.env.REDIS_SENTINELS = sentinels.map((s) => `127.0.0.1:${s.port}`).join(',');
    // every sentinel knows the replica and the two other sentinels (hello messages every 2 s)
    await waitFor('the sentinels to find each other and the replica', async () => {
      const states = await Promise.all(sentinels.map((s) => masterState(s.port, opts.name)));
      return states.every((m) => m['num-other-sentinels'] === '2' && m['num-slaves'] === '1');
    });
  } catch (err) {
    await set.cleanup();
    throw err;
  }
  return set;
}

async function infoOf(port: number, section: string): Promise<string> {
  const c = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  c.on('error', () => undefined);
  try {
    await c.connect();
    return String(await c.call('INFO', section));
  } finally {
    c.disconnect();
  }
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
