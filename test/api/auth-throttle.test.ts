/** The per-address token bucket for failed authentications, on a hand-driven clock; and in the app: valid keys pass,
 * TRUST_PROXY. */
import { describe, expect, it } from 'vitest';
import { AuthThrottle } from '../../src/api/plugins/auth-throttle.js';
import { loadConfig, parseTrustProxy } from '../../src/config.js';
import { appWithoutRedis } from '../helpers/app.js';

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

describe('the failed-auth throttle in the app (issue 17 §6)', () => {
  const GOOD = 'alice-key-0123456789';
  const env = { API_KEYS: `alice:${GOOD}`, LIMIT_AUTH_FAILURES: '2', LIMIT_AUTH_FAILURES_PER_MIN: '1' };
  const get = (
    t: Awaited<ReturnType<typeof appWithoutRedis>>,
    key: string | null,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method: 'GET',
      url: '/v1/presets',
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    });

  it('never refuses a valid key, however many failures its address made; bad keys from that address get 429', async () => {
    const t = await appWithoutRedis(env);
    try {
      expect((await get(t, 'wrong-key-0000')).statusCode).toBe(401);
      expect((await get(t, null)).statusCode).toBe(401);
      for (let i = 0; i < 10; i++) {
        const bad = await get(t, 'wrong-key-0000');
        expect(bad.statusCode).toBe(429);
        expect(bad.json().code).toBe('too_many_auth_failures');
        expect(Number(bad.headers['retry-after'])).toBeGreaterThan(0);
        expect((await get(t, null)).statusCode).toBe(429);
        expect((await get(t, GOOD)).statusCode).toBe(200);
      }
    } finally {
      await t.close();
    }
  }, 60_000);

  it('counts the socket address unless TRUST_PROXY trusts the proxy; then X-Forwarded-For is the client', async () => {
    const spoof = (xff: string) => ({ 'x-forwarded-for': xff });
    // default: not trusted — another X-Forwarded-For from the same socket shares the socket's bucket
    const plain = await appWithoutRedis(env);
    try {
      for (let i = 0; i < 2; i++) await get(plain, 'wrong-key-0000', spoof('203.0.113.7'));
      expect((await get(plain, 'wrong-key-0000', spoof('198.51.100.9'))).statusCode).toBe(429);
    } finally {
      await plain.close();
    }
    // a proxy that is not the peer (inject's peer is 127.0.0.1) is not believed either
    const other = await appWithoutRedis({ ...env, TRUST_PROXY: '10.0.0.0/8' });
    try {
      for (let i = 0; i < 2; i++) await get(other, 'wrong-key-0000', spoof('203.0.113.7'));
      expect((await get(other, 'wrong-key-0000', spoof('198.51.100.9'))).statusCode).toBe(429);
    } finally {
      await other.close();
    }
    for (const trust of ['127.0.0.0/8,::1', '1', 'true']) {
      const t = await appWithoutRedis({ ...env, TRUST_PROXY: trust });
      try {
        for (let i = 0; i < 2; i++) expect((await get(t, 'wrong-key-0000', spoof('203.0.113.7'))).statusCode).toBe(401);
        expect((await get(t, 'wrong-key-0000', spoof('203.0.113.7'))).statusCode, trust).toBe(429);
        // another client behind the same proxy has its own bucket
        expect((await get(t, 'wrong-key-0000', spoof('198.51.100.9'))).statusCode, trust).toBe(401);
      } finally {
        await t.close();
      }
    }
  }, 240_000);

  it('TRUST_PROXY: false, true, a hop count, or addresses/CIDRs; anything else stops the service at start', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('true')).toBe(true);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.1, 10.1.0.0/16,::1,fd00::/8,loopback')).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['proxy.local', '10.0.0.0/33', '::1/129', '1.2.3.4/8/9', 'yes'])
      expect(() => parseTrustProxy(bad), bad).toThrow(/TRUST_PROXY/);
    expect(loadConfig({}).trustProxy).toBe(false);
  });
});
