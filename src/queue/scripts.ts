/**
 * Our Lua scripts: one file each in src/queue/lua/ (`admit.lua` → the ioredis command `lrfAdmit`),
 * opening with a comment block that lists its KEYS and ARGV (index, name, meaning) and its Output,
 * as BullMQ's src/commands/*.lua do. The header is the truth: the number of KEYS given to ioredis's
 * `defineCommand` is read from it, and test/queue/redis-scripts.test.ts checks that the body uses
 * only declared KEYS and ARGV and that each command's signature below names them in order.
 * `--- @include "includes/<name>"` (BullMQ's syntax) inlines a shared file of lua/includes/.
 * Commands run as EVALSHA (ioredis loads the script on NOSCRIPT); transactions and pipelines made
 * from a connection inherit its commands. `npm run build` copies the .lua files beside dist/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { RedisKey } from './keys.js';

/**
 * Every command, its KEYS first (typed RedisKey: made by keys.ts) then its ARGV, named as in the
 * script's header (camelCase of the header's names).
 */
export interface ScriptCommands {
  lrfAdmit(
    ownerInflight: RedisKey,
    inflight: RedisKey,
    ownerJobs: RedisKey,
    job: RedisKey,
    ownerLimit: number,
    depthLimit: number,
    member: string,
    id: string,
    now: number,
    ttl: number,
  ): Promise<[number, number]>;
  lrfRelease(ownerInflight: RedisKey, inflight: RedisKey, member: string): Promise<number>;
  lrfCancel(
    job: RedisKey,
    cancel: RedisKey,
    ownerInflight: RedisKey,
    inflight: RedisKey,
    completed: RedisKey,
    ttl: number,
    member: string,
    id: string,
  ): Promise<string>;
  lrfPlace(
    job: RedisKey,
    prioritized: RedisKey,
    fairClock: RedisKey,
    fairFinish: RedisKey,
    id: string,
    owner: string,
    maxPriority: number,
    ttl: number,
    jobPrefix: string,
  ): Promise<number>;
  lrfStorageReserve(
    storage: RedisKey,
    storageExp: RedisKey,
    mustExist: RedisKey,
    item: string,
    bytes: number,
    expiresAt: number,
    now: number,
    quota: number,
    checkExists: 0 | 1,
  ): Promise<[number, number, number?]>;
  lrfStorageRelease(storage: RedisKey, storageExp: RedisKey, item: string, now: number): Promise<number>;
  lrfStorageUsage(storage: RedisKey, storageExp: RedisKey, now: number): Promise<[number, number]>;
  lrfSessionCas(session: RedisKey, version: string, doc: string, ttl: number): Promise<number>;
}

export type ScriptRedis = Redis & ScriptCommands;

/** One declared KEYS or ARGV entry of a script's header. */
export interface HeaderEntry {
  index: number;
  name: string;
  meaning: string;
}

export interface Script {
  file: string;
  command: string;
  keys: HeaderEntry[];
  argv: HeaderEntry[];
  /** the script with its includes inlined, as sent to Redis */
  lua: string;
}

export const LUA_DIR = fileURLToPath(new URL('./lua/', import.meta.url));

/** `storage-reserve.lua` → `lrfStorageReserve`. */
export function commandOf(file: string): string {
  return (
    'lrf' +
    basename(file, '.lua')
      .split('-')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join('')
  );
}

/** The KEYS and ARGV a script's opening `--[[ ... ]]` block declares; throws when it has none or they skip an index. */
export function parseHeader(text: string, file: string): { keys: HeaderEntry[]; argv: HeaderEntry[] } {
  const m = /^--\[\[\n([\s\S]*?)\n\]\]\n/.exec(text);
  if (!m) throw new Error(`${file}: does not open with a --[[ ... ]] header`);
  if (!/^\s*Output:\s*$/m.test(m[1])) throw new Error(`${file}: the header has no Output: section`);
  const keys: HeaderEntry[] = [];
  const argv: HeaderEntry[] = [];
  for (const line of m[1].split('\n')) {
    const e = /^\s*(KEYS|ARGV)\[(\d+)\]\s+(\S+)\s+(\S.*)$/.exec(line);
    if (!e) continue;
    const list = e[1] === 'KEYS' ? keys : argv;
    const index = Number(e[2]);
    const want = list.length + 1;
    if (index !== want) throw new Error(`${file}: ${e[1]}[${index}] is out of order (expected ${e[1]}[${want}])`);
    list.push({ index, name: e[3], meaning: e[4].trim() });
  }
  return { keys, argv };
}

/** Inlines `--- @include "includes/<name>"` lines (BullMQ's syntax), each file once. */
export function expandIncludes(text: string, dir: string, seen = new Set<string>()): string {
  return text.replace(/^--- @include "([\w/-]+)"\s*$/gm, (_, name: string) => {
    if (seen.has(name)) return '';
    seen.add(name);
    return expandIncludes(readFileSync(join(dir, `${name}.lua`), 'utf8'), dir, seen).trimEnd();
  });
}

export function loadScript(dir: string, file: string): Script {
  const text = readFileSync(join(dir, file), 'utf8');
  return { file, command: commandOf(file), ...parseHeader(text, file), lua: expandIncludes(text, dir) };
}

let loaded: Script[] | null = null;

/** Every script of LUA_DIR (read once, on first use). */
export function scripts(): Script[] {
  loaded ??= readdirSync(LUA_DIR)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((f) => loadScript(LUA_DIR, f));
  return loaded;
}

/** Defines every script as a command on a connection (idempotent). */
export function withScripts(redis: Redis): ScriptRedis {
  const r = redis as unknown as Record<string, unknown>;
  for (const s of scripts()) {
    if (typeof r[s.command] !== 'function') redis.defineCommand(s.command, { numberOfKeys: s.keys.length, lua: s.lua });
  }
  return redis as ScriptRedis;
}
