/** One log line when Redis goes away and one when it is back, whatever the number of connections and retries. */
import { describe, expect, it } from 'vitest';
import { connectionTrouble, isUnreachable, redactRedisUrl } from '../../src/queue/connection-trouble.js';

function recorder() {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  return {
    lines,
    warn: (obj: object, msg: string) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    info: (obj: object, msg: string) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
  };
}

describe('connection trouble', () => {
  it('says once that Redis is unreachable, however many errors follow, and once that it is back', () => {
    const log = recorder();
    let t = 1000;
    const trouble = connectionTrouble(log, 'redis://:hunter2@127.0.0.1:6399/0', 'worker', () => t);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6399'), { code: 'ECONNREFUSED' });
    for (let i = 0; i < 44; i++) trouble.error(refused, { kind: 'lr-range-tests' });
    expect(trouble.down).toBe(true);
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0].level).toBe('warn');
    expect(log.lines[0].msg).toContain('cannot reach Redis at redis://127.0.0.1:6399/0');
    expect(log.lines[0].msg).toContain('REDIS_URL');
    expect(JSON.stringify(log.lines)).not.toContain('hunter2');
    t = 16_000;
    trouble.ready();
    trouble.ready();
    expect(log.lines).toHaveLength(2);
    expect(log.lines[1]).toMatchObject({ level: 'info', obj: { down_ms: 15_000, errors_suppressed: 43 } });
    expect(trouble.down).toBe(false);
    // a new outage is reported again
    trouble.error(refused);
    expect(log.lines).toHaveLength(3);
  });

  it('logs other Redis errors as they come', () => {
    const log = recorder();
    const trouble = connectionTrouble(log, 'redis://127.0.0.1:6399', 'api');
    trouble.error(new Error('NOSCRIPT No matching script'));
    trouble.error(new Error('NOSCRIPT No matching script'));
    expect(log.lines.map((l) => l.msg)).toEqual(['api: redis error', 'api: redis error']);
    expect(trouble.down).toBe(false);
  });

  it('tells unreachability from other errors and strips credentials', () => {
    expect(isUnreachable(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe(true);
    expect(isUnreachable(new Error('Connection is closed.'))).toBe(true);
    expect(isUnreachable(new Error('ERR wrong number of arguments'))).toBe(false);
    expect(redactRedisUrl('rediss://bob:pw@cache.internal:6380')).toBe('rediss://cache.internal:6380');
  });
});
