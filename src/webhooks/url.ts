/**
 * A callback URL's checks that need no DNS, made at admission (400 at /callback_url) and again at
 * delivery: http or https, no user name or password, a host, and — when the host is an IP literal
 * (in any form the URL parser reads as one) or a loopback name — a public address, unless the host
 * is in WEBHOOK_ALLOW_HOSTS. Names are resolved and their addresses checked at delivery
 * (./deliver.ts), where the connection is pinned to the checked address. Hosts are classified by
 * ./address.ts, the same classifier for both.
 */
import { classifyHost, normalizeHost } from './address.js';

/** The URL's host as compared with WEBHOOK_ALLOW_HOSTS: lower case, IPv6 without brackets, no trailing dot. */
export function hostOf(url: URL): string {
  return normalizeHost(url.hostname);
}

/** Why the URL may not be called back, or null when it may (as far as can be told without DNS). */
export function callbackUrlProblem(raw: string, allowHosts: ReadonlySet<string>): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `must be http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password)
    return 'must not carry credentials (user:password@); authenticate the delivery by its webhook-signature';
  const host = hostOf(url);
  if (!host) return 'has no host';
  if (allowHosts.has(host)) return null;
  const c = classifyHost(host);
  if (c.kind === 'invalid') return `has a host that is neither a valid name nor an IP address (${host})`;
  if (c.kind === 'ip' && c.forbidden) {
    return `points at a loopback, private, link-local or otherwise non-public address (${host}${c.address !== host ? `, that is ${c.address}` : ''}); the operator may allow it with WEBHOOK_ALLOW_HOSTS`;
  }
  if (c.kind === 'name' && c.loopback)
    return `points at ${host}, a loopback name; the operator may allow it with WEBHOOK_ALLOW_HOSTS`;
  return null;
}
