/**
 * The Lua scripts of src/queue/lua/: each opens with a header declaring its KEYS and ARGV (index,
 * name, meaning) and its Output, as BullMQ's src/commands/*.lua do; the body uses exactly what the
 * header declares; the command's TypeScript signature (ScriptCommands, which every caller is
 * compiled against) names the same KEYS then the same ARGV, in order, so what a caller passes is
 * what the header says; ioredis is given the header's KEYS count; every script compiles in Redis.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandOf, LUA_DIR, parseHeader, scripts, withScripts, type Script } from '../../src/queue/scripts.js';
import { redisKeys } from '../../src/queue/keys.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';

const SCRIPTS_TS = fileURLToPath(new URL('../../src/queue/scripts.ts', import.meta.url));

const camel = (name: string) => name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** the body after the header, its includes inlined */
const body = (s: Script) => s.lua.slice(s.lua.indexOf('\n]]\n') + 4);

/** `lrfX(a: T, b: U)` of the ScriptCommands interface → command → [name, type][] */
function signatures(): Map<string, [string, string][]> {
  const text = readFileSync(SCRIPTS_TS, 'utf8');
  const block = /export interface ScriptCommands \{([\s\S]*?)\n\}/.exec(text)![1];
  const out = new Map<string, [string, string][]>();
  for (const m of block.matchAll(/(lrf\w+)\(([^)]*)\)/g)) {
    out.set(
      m[1],
      m[2]
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((p) => {
          const [name, type] = p.split(':').map((x) => x.trim());
          return [name, type];
        }),
    );
  }
  return out;
}

describe('Lua scripts', () => {
  const all = scripts();

  it('finds every script, one command per file', () => {
    expect(all.map((s) => s.command).sort()).toEqual([
      'lrfAdmit',
      'lrfCancel',
      'lrfPlace',
      'lrfRelease',
      'lrfSessionCas',
      'lrfStorageRelease',
      'lrfStorageReserve',
      'lrfStorageUsage',
    ]);
    expect(commandOf('storage-reserve.lua')).toBe('lrfStorageReserve');
  });

  for (const s of scripts()) {
    it(`${s.file}: its body uses exactly the KEYS and ARGV its header declares`, () => {
      expect(s.keys.length).toBeGreaterThan(0);
      for (const [list, declared] of [
        ['KEYS', s.keys],
        ['ARGV', s.argv],
      ] as const) {
        const uses = body(s).matchAll(new RegExp(`\\b${list}\\[(\\d+)\\]`, 'g'));
        const used = new Set([...uses].map((m) => Number(m[1])));
        expect(
          [...used].sort((a, b) => a - b),
          `${s.file}: ${list} used`,
        ).toEqual(declared.map((e) => e.index));
        for (const e of declared) {
          expect(e.meaning.length, `${s.file}: ${list}[${e.index}] has a meaning`).toBeGreaterThan(3);
        }
      }
      expect(body(s)).not.toMatch(/@include/);
    });

    it(`${s.file}: its command's signature takes its KEYS (as RedisKey) then its ARGV, as named in the header`, () => {
      const sig = signatures().get(s.command);
      expect(sig, `${s.command} in ScriptCommands`).toBeDefined();
      const expected = [...s.keys.map((e) => [camel(e.name), 'RedisKey']), ...s.argv.map((e) => [camel(e.name), '*'])];
      expect(sig!.map(([n]) => n)).toEqual(expected.map(([n]) => n));
      expect(sig!.map(([, t]) => t === 'RedisKey')).toEqual(expected.map(([, t]) => t === 'RedisKey'));
    });
  }

  it('declares no command in ScriptCommands without its .lua file', () => {
    expect([...signatures().keys()].sort()).toEqual(all.map((s) => s.command).sort());
  });

  it('refuses a script without a header, with a skipped index, or without its Output', () => {
    expect(() => parseHeader("return redis.call('PING')\n", 'a.lua')).toThrow(/header/);
    const head = (lines: string) => `--[[\n  x\n    Input:\n${lines}\n    Output:\n      1\n]]\nreturn 1\n`;
    expect(parseHeader(head('      KEYS[1]  a  the a\n      ARGV[1]  b  the b'), 'b.lua').keys).toEqual([
      { index: 1, name: 'a', meaning: 'the a' },
    ]);
    expect(() => parseHeader(head('      KEYS[1]  a  the a\n      KEYS[3]  c  the c'), 'c.lua')).toThrow(
      /KEYS\[3\] is out of order/,
    );
    expect(() => parseHeader('--[[\n  KEYS[1]  a  the a\n]]\nreturn 1\n', 'd.lua')).toThrow(/Output/);
  });

  it("inlines the storage scripts' shared prune from lua/includes/ once", () => {
    const reserve = all.find((s) => s.file === 'storage-reserve.lua')!;
    expect(reserve.lua.match(/local function prune\(now\)/g)).toHaveLength(1);
    expect(readFileSync(join(LUA_DIR, 'storage-reserve.lua'), 'utf8')).toContain('--- @include "includes/prune"');
  });
});

describe('Lua scripts in Redis', () => {
  let server: TestRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.port, '127.0.0.1', { lazyConnect: false });
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.cleanup();
  });

  it('every script compiles (SCRIPT LOAD)', async () => {
    for (const s of scripts()) expect(await redis.script('LOAD', s.lua), s.file).toMatch(/^[0-9a-f]{40}$/);
  });

  it("a command takes the header's KEYS count: the first ARGV is not read as a key", async () => {
    const r = withScripts(redis);
    const k = redisKeys('s1');
    const session = k.session('sweep-session', 'x');
    await redis.hset(session, 'v', '3', 'doc', '{}');
    expect(await r.lrfSessionCas(session, '3', '{"a":1}', 60)).toBe(1);
    expect(await redis.hmget(session, 'v', 'doc')).toEqual(['4', '{"a":1}']);
    expect(await r.lrfSessionCas(session, '3', '{"a":2}', 60)).toBe(0);
    expect(await r.lrfSessionCas(k.session('sweep-session', 'gone'), '0', '{}', 60)).toBe(-1);
    await redis.zadd(k.ownerInflight('o'), 1, 'm');
    await redis.zadd(k.inflight(), 1, 'm');
    expect(await r.lrfRelease(k.ownerInflight('o'), k.inflight(), 'm')).toBe(1);
    expect(await redis.exists(k.ownerInflight('o'), k.inflight())).toBe(0);
  });
});
