/**
 * One delivery attempt: POST the signed body to the callback URL.
 *
 * - The host name is resolved here, every address it resolves to is checked (./address.ts), and the
 *   connection goes to a checked address (the request's `lookup` answers with it), so a name cannot
 *   pass the check and then resolve elsewhere (DNS rebinding). Hosts in WEBHOOK_ALLOW_HOSTS skip
 *   the address check.
 * - Redirects are not followed (a 3xx is a failed attempt); the whole attempt has one time limit;
 *   at most `maxResponseBytes` of the answer are read, then the connection is dropped.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isForbiddenAddress } from './address.js';
import { callbackUrlProblem, hostOf } from './url.js';

/** The callback is refused for good (a retry cannot help): the delivery job fails without retrying. */
export class RefusedCallbackError extends Error {}

export interface DeliveryOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  allowHosts: ReadonlySet<string>;
  maxResponseBytes?: number;
}

export interface DeliveryOutcome {
  status: number;
  /** the first bytes of the answer (at most maxResponseBytes), for the log */
  excerpt: string;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses names resolving to any forbidden address. */
export function checkedLookup(allowed: boolean) {
  return (hostname: string, options: { all?: boolean }, cb: LookupCallback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return cb(err, []);
      const bad = allowed ? undefined : addresses.find((a) => isForbiddenAddress(a.address));
      if (bad)
        return cb(
          new RefusedCallbackError(
            `${hostname} resolves to ${bad.address}, a loopback, private or otherwise non-public address (allow it with WEBHOOK_ALLOW_HOSTS)`,
          ),
          [],
        );
      if (addresses.length === 0)
        return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (options.all) return cb(null, addresses);
      cb(null, addresses[0].address, addresses[0].family);
    });
  };
}

export function deliver(o: DeliveryOptions): Promise<DeliveryOutcome> {
  const problem = callbackUrlProblem(o.url, o.allowHosts);
  if (problem) return Promise.reject(new RefusedCallbackError(`callback_url ${problem}`));
  const url = new URL(o.url);
  const allowed = o.allowHosts.has(hostOf(url));
  const cap = o.maxResponseBytes ?? 65_536;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<DeliveryOutcome>((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'lr-finder-webhooks/1',
        'content-length': Buffer.byteLength(o.body),
        ...o.headers,
      },
      lookup: checkedLookup(allowed) as never,
      agent: false,
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms (WEBHOOK_TIMEOUT_MS)`)),
      o.timeoutMs,
    );
    const finish = (err: Error | null, outcome?: DeliveryOutcome) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(outcome!);
    };
    req.on('error', (err) => finish(err));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        finish(null, {
          status: res.statusCode ?? 0,
          excerpt: Buffer.concat(chunks).toString('utf8', 0, Math.min(size, 512)),
        });
        res.destroy();
      };
      res.on('data', (c: Buffer) => {
        if (size < cap) chunks.push(c.subarray(0, cap - size));
        size += c.length;
        if (size >= cap) done();
      });
      res.on('end', done);
      res.on('error', (err) => finish(err));
    });
    req.end(o.body);
  });
}
