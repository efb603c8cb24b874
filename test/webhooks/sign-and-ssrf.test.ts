/**
 * Webhook signing against the Standard Webhooks specification's published test vector (the one its
 * reference libraries test with), the secret format, and the SSRF rules: which addresses and URLs
 * a callback may reach, as literals and through DNS.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseAllowHosts, parseWebhookSecret } from '../../src/config.js';
import { classifyHost, isForbiddenAddress } from '../../src/webhooks/address.js';
import { checkedLookup, RefusedCallbackError } from '../../src/webhooks/deliver.js';
import { sign, webhookHeaders } from '../../src/webhooks/sign.js';
import { callbackUrlProblem } from '../../src/webhooks/url.js';

// standard-webhooks/standard-webhooks: the libraries' shared test vector
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signature', () => {
  it("reproduces the specification's test vector", () => {
    const key = parseWebhookSecret(VECTOR.secret)!;
    expect(key.length).toBe(24);
    expect(sign(key, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    expect(webhookHeaders(key, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
  });

  it('changes with any of id, timestamp, body or key', () => {
    const key = parseWebhookSecret(VECTOR.secret)!;
    const other = parseWebhookSecret(`whsec_${Buffer.alloc(32, 7).toString('base64')}`)!;
    for (const s of [
      sign(key, 'msg_x', VECTOR.timestamp, VECTOR.body),
      sign(key, VECTOR.id, VECTOR.timestamp + 1, VECTOR.body),
      sign(key, VECTOR.id, VECTOR.timestamp, '{"test": 2432232315}'),
      sign(other, VECTOR.id, VECTOR.timestamp, VECTOR.body),
    ]) {
      expect(s).not.toBe(VECTOR.signature);
    }
    // the key is the decoded secret, not its text
    const wrong = `v1,${createHmac('sha256', VECTOR.secret).update(`${VECTOR.id}.${VECTOR.timestamp}.${VECTOR.body}`).digest('base64')}`;
    expect(wrong).not.toBe(VECTOR.signature);
  });

  it('WEBHOOK_SECRET must be whsec_ + base64 of 24 to 64 bytes', () => {
    expect(parseWebhookSecret(undefined)).toBeNull();
    expect(() => parseWebhookSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(/whsec_/);
    expect(() => parseWebhookSecret(`whsec_${Buffer.alloc(16).toString('base64')}`)).toThrow(/24 to 64/);
    expect(() => parseWebhookSecret(`whsec_${Buffer.alloc(65).toString('base64')}`)).toThrow(/24 to 64/);
    expect(() => parseWebhookSecret('whsec_not base64!')).toThrow();
    expect(parseWebhookSecret(`whsec_${Buffer.alloc(64, 1).toString('base64')}`)!.length).toBe(64);
  });
});

describe('SSRF: addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['100.128.0.1', false],
    ['0.0.0.0', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['198.18.0.1', true],
    ['192.0.2.1', true],
    ['8.8.8.8', false],
    ['1.1.1.1', false],
    ['93.184.216.34', false],
    ['::', true],
    ['::1', true],
    ['fd00::1', true],
    ['fc12:3456::1', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['ff02::1', true],
    ['2001:db8::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['::127.0.0.1', true],
    ['64:ff9b::10.0.0.1', true],
    ['64:ff9b::808:808', false],
    ['2606:4700:4700::1111', false],
    ['2a00:1450:4001::200e', false],
    ['not-an-ip', true],
  ])('%s forbidden: %s', (ip, forbidden) => {
    expect(isForbiddenAddress(ip)).toBe(forbidden);
  });
});

describe('SSRF: callback URLs', () => {
  const none = new Set<string>();
  it.each([
    ['https://example.com/hooks', null],
    ['http://example.com:8080/x?y=1', null],
    ['ftp://example.com/x', /http or https/],
    ['javascript:alert(1)', /http or https/],
    ['/relative/path', /absolute URL/],
    ['https://user:secret@example.com/', /credentials/],
    ['https://user@example.com/', /credentials/],
    ['http://127.0.0.1:8080/', /non-public/],
    ['http://2130706433/', /non-public/], // WHATWG URL reads it as 127.0.0.1
    ['http://0x7f.1/', /non-public/],
    ['http://[::1]/', /non-public/],
    ['http://[::ffff:127.0.0.1]/', /non-public/],
    ['http://169.254.169.254/latest/meta-data/', /non-public/],
    ['http://10.0.0.5/', /non-public/],
    ['http://localhost:3000/', /loopback name/],
    ['http://api.localhost/', /loopback name/],
  ])('%s', (url, expected) => {
    const p = callbackUrlProblem(url, none);
    if (expected === null) expect(p).toBeNull();
    else expect(p).toMatch(expected);
  });

  it('WEBHOOK_ALLOW_HOSTS lets the listed hosts through, and only those', () => {
    const allow = parseAllowHosts('127.0.0.1, Receiver.Internal ,[::1]');
    expect([...allow]).toEqual(['127.0.0.1', 'receiver.internal', '::1']);
    expect(callbackUrlProblem('http://127.0.0.1:9/x', allow)).toBeNull();
    expect(callbackUrlProblem('http://[::1]:9/x', allow)).toBeNull();
    expect(callbackUrlProblem('http://127.0.0.2:9/x', allow)).toMatch(/non-public/);
    expect(callbackUrlProblem('http://user:pw@127.0.0.1/', allow)).toMatch(/credentials/);
  });

  it('a name is checked by what it resolves to: localhost resolves to loopback and is refused, unless allowed', async () => {
    const resolve = (allowed: boolean) =>
      new Promise<{ err: Error | null; address: unknown }>((r) => {
        checkedLookup(allowed)('localhost', {}, (err, address) => r({ err, address }));
      });
    const refused = await resolve(false);
    expect(refused.err).toBeInstanceOf(RefusedCallbackError);
    expect(refused.err!.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1)/);
    const allowed = await resolve(true);
    expect(allowed.err).toBeNull();
    expect(isForbiddenAddress(allowed.address as string)).toBe(true);
  });
});

describe('SSRF: one host classifier for admission and delivery (issue 17 §8)', () => {
  const none = new Set<string>();
  // [host as written in a URL, refused at admission?]
  it.each([
    // names: case, one trailing dot
    ['localhost.', true],
    ['LOCALHOST', true],
    ['Api.LocalHost.', true],
    ['example.com.', false],
    ['EXAMPLE.com', false],
    // IPv4 in every form the URL parser reads as one
    ['2130706433', true],
    ['0x7f000001', true],
    ['017700000001', true],
    ['0x7f.1', true],
    ['127.1', true],
    ['127.0.1', true],
    ['0177.0.0.1', true],
    ['0', true],
    ['10.0.0.1.', true],
    ['3232235777', true],
    ['134744072', false],
    ['0x08.0x08.0x08.0x08', false],
    // IPv6: mapped, SIIT, compatible, NAT64 (well-known and local-use), 6to4, Teredo, discard, ULA, link-local,
    // multicast, unspecified
    ['[::ffff:127.0.0.1]', true],
    ['[::ffff:0:127.0.0.1]', true],
    ['[::ffff:0:7f00:1]', true],
    ['[::ffff:0:8.8.8.8]', false],
    ['[::10.0.0.1]', true],
    ['[64:ff9b::127.0.0.1]', true],
    ['[64:ff9b::8.8.8.8]', false],
    ['[64:ff9b:1::8.8.8.8]', true],
    ['[2002:7f00:1::1]', true],
    ['[2002:c0a8:101::1]', true],
    ['[2002:808:808::1]', false],
    ['[2001:0:4136:e378::1]', true],
    ['[2001:db8::1]', true],
    ['[3fff::1]', true],
    ['[100::1]', true],
    ['[100::ffff:1]', true],
    ['[fd12::1]', true],
    ['[fc00::1]', true],
    ['[fe80::1]', true],
    ['[febf::1]', true],
    ['[ff05::2]', true],
    ['[::]', true],
    ['[::1]', true],
    ['[0:0:0:0:0:0:0:1]', true],
    ['[2606:4700:4700::1111]', false],
    ['[2a00:1450:4001::200e]', false],
    ['[2001:4860:4860::8888]', false],
  ])('http://%s/ refused: %s', (host, refused) => {
    const p = callbackUrlProblem(`http://${host}/hook`, none);
    if (refused) expect(p).toMatch(/non-public|loopback name/);
    else expect(p).toBeNull();
  });

  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['0177.1', '127.0.0.1'],
    ['127.1.', '127.0.0.1'],
  ])('IPv4 %s is %s', (text, dotted) => {
    const c = classifyHost(text);
    expect(c.kind).toBe('ip');
    expect(c.kind === 'ip' && c.address).toBe(dotted);
  });

  it('refuses what is neither a name nor an address; resolved addresses use the same rules', () => {
    for (const bad of ['256.1.1.1', '1.2.3.4.5', '[::1::2]', '[1:2:3:4:5:6:7:8:9]', '[::ffff:999.0.0.1]', 'a..b']) {
      expect(classifyHost(bad).kind, bad).toBe('invalid');
      expect(isForbiddenAddress(bad), bad).toBe(true);
    }
    // what DNS answers is judged by the same function
    for (const ip of ['::ffff:0:127.0.0.1', '100::1', '2002:a00:1::', '64:ff9b:1::1'])
      expect(isForbiddenAddress(ip), ip).toBe(true);
  });

  it('WEBHOOK_ALLOW_HOSTS matches the normalised host (case, trailing dot)', () => {
    const allow = parseAllowHosts('Localhost.');
    expect(callbackUrlProblem('http://localhost./x', allow)).toBeNull();
    expect(callbackUrlProblem('http://LOCALHOST/x', allow)).toBeNull();
  });
});
