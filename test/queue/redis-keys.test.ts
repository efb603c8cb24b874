/**
 * Every Redis key is built by src/queue/keys.ts, under the same names as before it existed (data in
 * Redis stays readable after an upgrade), BullMQ's keys as BullMQ builds them, all of them in one
 * Cluster slot under a hash-tagged prefix; and no other .ts file of src/, workers/ or bench/
 * builds a key or holds a Lua script.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueKeys } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { JOB_KINDS } from '../../src/kinds/registry.js';
import { RedisKeys, redisKeys } from '../../src/queue/keys.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Owner with every character that must not reach a key raw (`:` would let an owner forge another key). */
const OWNER = 'team a:b/ü';
const ENC = 'team%20a%3Ab%2F%C3%BC';
const ID = '0b9f3c1e-7d2a-4c55-9e0f-1a2b3c4d5e6f';

/**
 * The key names as the code before keys.ts wrote them (names.ts, admission.ts, ledger.ts,
 * session-store.ts, datasets/store.ts, webhooks/queue.ts, finish-stats.ts, the idempotency plugin,
 * jobs.ts), for the prefix `p`, written out by hand.
 */
function before(p: string): [string, (k: RedisKeys) => string][] {
  return [
    [`${p}:lr-range-tests:${ID}`, (k) => k.job('lr-range-tests', ID)],
    [`${p}:lr-range-tests:prioritized`, (k) => k.bullmq('lr-range-tests', 'prioritized')],
    [`${p}:lr-range-tests:completed`, (k) => k.bullmq('lr-range-tests', 'completed')],
    [`${p}:lr-range-tests:`, (k) => k.jobPrefix('lr-range-tests')],
    [`${p}:lrf:cancel:${ID}`, (k) => k.cancel(ID)],
    [`${p}:lrf:cancel`, (k) => k.cancelChannel()],
    [`${p}:lrf:summary:${ID}`, (k) => k.summary(ID)],
    [`${p}:lrf:carry:${ID}:t3`, (k) => k.carry(ID, 't3')],
    [`${p}:lrf:fair:schedule-simulations`, (k) => k.fairClock('schedule-simulations')],
    [`${p}:lrf:fair-finish:schedule-simulations`, (k) => k.fairFinish('schedule-simulations')],
    [`${p}:lrf:owner-inflight:${ENC}`, (k) => k.ownerInflight(OWNER)],
    [`${p}:lrf:inflight`, (k) => k.inflight()],
    [`${p}:lrf:owner-jobs:diagnostics:${ENC}`, (k) => k.ownerJobs('diagnostics', OWNER)],
    [`${p}:lrf:unused-placeholder`, (k) => k.admitPlaceholder()],
    [`${p}:lrf:storage:${ENC}`, (k) => k.storage(OWNER)],
    [`${p}:lrf:storage-exp:${ENC}`, (k) => k.storageExpiry(OWNER)],
    [`${p}:lrf:sweep-session:${ID}`, (k) => k.session('sweep-session', ID)],
    [`${p}:lrf:lr-search-session:${ID}`, (k) => k.session('lr-search-session', ID)],
    [`${p}:lrf:dataset:${ID}`, (k) => k.dataset(ID)],
    [`${p}:lrf:owner-datasets:${ENC}`, (k) => k.ownerDatasets(OWNER)],
    [`${p}:lrf:webhook-pending`, (k) => k.webhookPending()],
    [`${p}:lrf:metrics:finished`, (k) => k.metricsFinished()],
    [`${p}:lrf:metrics:duration`, (k) => k.metricsDuration()],
    [`${p}:lrf:idem:${ENC}:${'ab'.repeat(32)}`, (k) => k.idempotency(OWNER, 'ab'.repeat(32))],
  ];
}

/** CRC16-CCITT (XMODEM) as Redis Cluster hashes keys (Redis Cluster specification, "Key distribution model"). */
function crc16(s: string): number {
  let crc = 0;
  for (const byte of Buffer.from(s, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The key's slot: only the part inside the first `{...}` is hashed, when that part is not empty (the spec's rule). */
function slotOf(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return crc16(close > open + 1 ? key.slice(open + 1, close) : key) % 16384;
}

describe('RedisKeys', () => {
  it('hashes slots as the Cluster spec does (its test vector, and the hash-tag rule)', () => {
    expect(crc16('123456789')).toBe(0x31c3);
    expect(slotOf('{user1000}.following')).toBe(slotOf('{user1000}.followers'));
    expect(slotOf('foo{}{bar}')).toBe(crc16('foo{}{bar}') % 16384);
  });

  for (const prefix of ['lrf', 'bull', 'my-app:lrf', '{lrf}']) {
    it(`builds every key under the name it had before keys.ts (prefix ${prefix})`, () => {
      const k = new RedisKeys(prefix);
      for (const [old, made] of before(prefix)) expect(made(k)).toBe(old);
    });
  }

  it("builds BullMQ's keys as BullMQ does (QueueKeys.toKey; a job hash is toKey(queue, id))", () => {
    const bull = new QueueKeys('{lrf}');
    for (const kind of JOB_KINDS) {
      const k = redisKeys('{lrf}');
      expect(k.job(kind, ID)).toBe(bull.toKey(kind, ID));
      for (const type of ['prioritized', 'completed', 'failed', 'meta', 'events'] as const) {
        expect(k.bullmq(kind, type)).toBe(bull.toKey(kind, type));
      }
      expect(k.queue(kind)).toBe(bull.getQueueQualifiedName(kind));
    }
  });

  it('puts every key of a hash-tagged prefix in one slot, and the same key names spread without the tag', () => {
    const tagged = before('{lrf}').map(([old]) => slotOf(old));
    expect(new Set(tagged)).toEqual(new Set([slotOf('{lrf}')]));
    expect(new Set(before('lrf').map(([old]) => slotOf(old))).size).toBeGreaterThan(1);
  });

  it('keeps one instance per prefix', () => {
    expect(redisKeys('x')).toBe(redisKeys('x'));
    expect(redisKeys('x')).not.toBe(redisKeys('y'));
  });
});

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : name.endsWith('.ts') ? [p] : [];
  });
}

/** What only src/queue/keys.ts (key names) and src/queue/scripts.ts (script registration) may hold. */
const FORBIDDEN: [string, RegExp, string[]][] = [
  ['a Lua call in a string', /(^|[^\w.])redis\.call\s*\(/m, []],
  ["a script's KEYS/ARGV", /\b(KEYS|ARGV)\[\d/, []],
  ['an EVAL', /\.eval(sha)?\s*\(/, []],
  ['a script registration', /\bdefineCommand\s*\(/, ['src/queue/scripts.ts']],
  ['one of our keys (`:lrf:`)', /:lrf:/, ['src/queue/keys.ts']],
  ['a key made from the prefix', /\$\{[^}]*\b(prefix|queuePrefix|PREFIX)\b[^}]*\}:/, ['src/queue/keys.ts']],
  ['a key made by concatenation', /\b(prefix|queuePrefix)\s*\+\s*['`]:/, ['src/queue/keys.ts']],
];

describe('no key or script outside keys.ts and lua/', () => {
  const files = ['src', 'workers', 'bench'].flatMap((d) => tsFiles(join(root, d))).map((f) => relative(root, f));

  it('finds the files it checks (and the patterns catch the old code)', () => {
    expect(files.length).toBeGreaterThan(100);
    const old = [
      'return `${prefix}:lrf:cancel:${id}`;',
      "p.hmget(`${this.prefix}:${queueName(m[1] as JobKind)}:${m[2]}`, 'timestamp');",
      "const CAS = `\nlocal v = redis.call('HGET', KEYS[1], 'v')`;",
      'await this.redis.eval(CAS, 1, key);',
      "const k = config.queuePrefix + ':lrf';",
    ];
    for (const text of old)
      expect(
        FORBIDDEN.some(([, re]) => re.test(text)),
        text,
      ).toBe(true);
    // the ioredis client's `call` (a plain command) is not a Lua call
    expect(FORBIDDEN.some(([, re]) => re.test("await this.redis.call('WAIT', 1, 1000)"))).toBe(false);
  });

  for (const [what, re, allowed] of FORBIDDEN) {
    it(`no ${what} in src/, workers/ or bench/ outside ${allowed.join(', ') || 'src/queue/lua/'}`, () => {
      const found = files.filter((f) => !allowed.includes(f) && re.test(readFileSync(join(root, f), 'utf8')));
      expect(found).toEqual([]);
    });
  }
});
