/**
 * One delivery attempt against real loopback servers (127.0.0.1 allowed as WEBHOOK_ALLOW_HOSTS
 * would): redirects are not followed, the attempt has a time limit, the answer is read only up to
 * its cap, and a host that is not allowed is refused before any connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver, RefusedCallbackError } from '../../src/webhooks/deliver.js';
import { deliveryFailure } from '../../workers/webhooks.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
});

async function serve(handler: http.RequestListener): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const s = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits: () => hits };
}

const allow = new Set(['127.0.0.1']);
const base = { body: '{"a":1}', headers: { 'webhook-id': 'msg_1' }, timeoutMs: 2000, allowHosts: allow };

describe('deliver', () => {
  it('does not follow a redirect: the 302 is the outcome, the target is never called', async () => {
    const target = await serve((_q, r) => r.end('ok'));
    const redirect = await serve((_q, r) => {
      r.writeHead(302, { location: `${target.url}/x` });
      r.end();
    });
    expect((await deliver({ ...base, url: `${redirect.url}/hook` })).status).toBe(302);
    expect(target.hits()).toBe(0);
  });

  it('sends the body and headers as given, and reads at most the cap of the answer', async () => {
    let got = '';
    let headers: http.IncomingHttpHeaders = {};
    const big = await serve((req, res) => {
      headers = req.headers;
      req.on('data', (c) => {
        got += c;
      });
      req.on('end', () => {
        res.writeHead(200);
        res.write('x'.repeat(100_000));
        setTimeout(() => res.end('y'.repeat(100_000)), 50);
      });
    });
    const out = await deliver({ ...base, url: big.url, maxResponseBytes: 1024 });
    expect(out.status).toBe(200);
    expect(out.excerpt).toBe('x'.repeat(512));
    expect(got).toBe('{"a":1}');
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['content-type']).toBe('application/json');
  });

  it('gives up after the time limit', async () => {
    const slow = await serve(() => {
      /* never answers */
    });
    await expect(deliver({ ...base, url: slow.url, timeoutMs: 300 })).rejects.toThrow(/no answer within 300 ms/);
  });

  it('refuses a host that is not allowed before connecting', async () => {
    const s = await serve((_q, r) => r.end());
    await expect(deliver({ ...base, url: s.url, allowHosts: new Set() })).rejects.toBeInstanceOf(RefusedCallbackError);
    await expect(
      deliver({ ...base, url: s.url.replace('127.0.0.1', 'localhost'), allowHosts: new Set() }),
    ).rejects.toBeInstanceOf(RefusedCallbackError);
    expect(s.hits()).toBe(0);
  });
});

describe('what the delivery worker says after a failed attempt (issue 17 §8)', () => {
  it('a refused host is final and says so (not "retrying with backoff"); other failures retry until the last attempt', () => {
    const refused = deliveryFailure(new RefusedCallbackError('localhost resolves to 127.0.0.1'), 1, 12);
    expect(refused.final).toBe(true);
    expect(refused.message).toMatch(/refused for good/);
    expect(refused.message).not.toMatch(/retrying/);
    const transient = deliveryFailure(new Error('the receiver answered 503'), 1, 12);
    expect(transient).toEqual({
      final: false,
      message: expect.stringMatching(/retrying with backoff \(attempt 1 of 12\)/),
    });
    expect(deliveryFailure(new Error('the receiver answered 503'), 12, 12)).toEqual({
      final: true,
      message: expect.stringMatching(/failed for good after 12/),
    });
  });
});
