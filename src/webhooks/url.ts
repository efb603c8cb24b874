/**
 * A callback URL's checks that need no DNS, made at admission (400 at /callback_url) and again at
 * delivery: http or https, no user name or password, a host, and — when the host is an IP literal
 * — a public address, unless the host is in WEBHOOK_ALLOW_HOSTS. Names are resolved and their
 * addresses checked at delivery (./deliver.ts), where the connection is pinned to the checked address.
 */
import { isForbiddenAddress } from './address.js';

/** The URL's host as compared with WEBHOOK_ALLOW_HOSTS: lower case, IPv6 without brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** Why the URL may not be called back, or null when it may (as far as can be told without DNS). */
export function callbackUrlProblem(raw: string, allowHosts: ReadonlySet<string>): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be http or https, not ${url.protocol.replace(/:$/, '')}`;
  if (url.username || url.password) return 'must not carry credentials (user:password@); authenticate the delivery by its webhook-signature';
  const host = hostOf(url);
  if (!host) return 'has no host';
  if (allowHosts.has(host)) return null;
  if (/^[\d.]+$/.test(host) || host.includes(':')) {
    if (isForbiddenAddress(host)) return `points at a loopback, private, link-local or otherwise non-public address (${host}); the operator may allow it with WEBHOOK_ALLOW_HOSTS`;
  } else if (host === 'localhost' || host.endsWith('.localhost')) {
    return `points at ${host}, a loopback name; the operator may allow it with WEBHOOK_ALLOW_HOSTS`;
  }
  return null;
}
