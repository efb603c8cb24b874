/** The per-address token bucket for failed authentications, on a hand-driven clock. */
import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../src/api/plugins/auth-throttle.js';

describe('AuthThrottle', () => {
  it('allows `burst` failures, then blocks until one token has refilled (perMinute / 60 per second)', () => {
    let now = 0;
    const t = new AuthThrottle(3, 6, () => now); // 1 token per 10 s
    for (let i = 0; i < 3; i++) {
      expect(t.blockedFor('a')).toBe(0);
      t.fail('a');
    }
    expect(t.blockedFor('a')).toBe(10);
    now = 4_000;
    expect(t.blockedFor('a')).toBe(6);
    now = 10_000;
    expect(t.blockedFor('a')).toBe(0);
    t.fail('a');
    expect(t.blockedFor('a')).toBe(10);
    expect(t.blockedFor('b')).toBe(0);
  });

  it('keeps at most maxAddresses buckets, dropping the oldest', () => {
    const t = new AuthThrottle(1, 1, () => 0, 2);
    t.fail('a');
    t.fail('b');
    t.fail('c');
    expect(t.blockedFor('a')).toBe(0);
    expect(t.blockedFor('b')).toBeGreaterThan(0);
    expect(t.blockedFor('c')).toBeGreaterThan(0);
  });
});
