/**
 * Which addresses a callback may reach (SSRF). Refused: every address that is not a public
 * unicast one — IPv4 "this network" 0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16 (link-local,
 * cloud metadata), 172.16/12, 192.0.0/24, 192.0.2/24, 192.168/16, 198.18/15, 198.51.100/24,
 * 203.0.113/24, 224/4 (multicast), 240/4 and broadcast (IANA special-purpose registry, RFC 6890);
 * IPv6 ::, ::1, fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10 (site-local),
 * ff00::/8 (multicast), 2001:db8::/32 (documentation), and IPv4 embedded in IPv6 — ::ffff:0:0/96
 * (IPv4-mapped), ::/96 (IPv4-compatible), 64:ff9b::/96 (NAT64) — judged by the IPv4 inside.
 */
import { isIP } from 'node:net';

const V4_BLOCKED: [number, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
].map(([a, bits]) => [v4ToInt(a as string), bits as number]);

function v4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function v4Blocked(a: string): boolean {
  const n = v4ToInt(a);
  return V4_BLOCKED.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

/** An IPv6 address as 8 hextets (a trailing dotted IPv4 becomes the last two); null if malformed. */
export function v6Hextets(a: string): number[] | null {
  let s = a.toLowerCase().replace(/%.*$/, '');
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const n = v4ToInt(v4[1]);
    s = s.slice(0, -v4[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (p: string) => (p === '' ? [] : p.split(':').map((h) => parseInt(h, 16)));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0 || [...head, ...tail].some((h) => !(h >= 0 && h <= 0xffff))) return null;
  return [...head, ...new Array(halves.length === 2 ? fill : 0).fill(0), ...tail];
}

function embeddedV4(h: number[]): string {
  return [h[6] >> 8, h[6] & 255, h[7] >> 8, h[7] & 255].join('.');
}

function v6Blocked(a: string): boolean {
  const h = v6Hextets(a);
  if (!h) return true;
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 8) || (zeros(0, 7) && h[7] === 1)) return true; // :: and ::1
  if (zeros(0, 5) && h[5] === 0xffff) return v4Blocked(embeddedV4(h)); // ::ffff:a.b.c.d
  if (zeros(0, 6)) return v4Blocked(embeddedV4(h)); // ::a.b.c.d (deprecated IPv4-compatible)
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return v4Blocked(embeddedV4(h)); // NAT64
  if ((h[0] & 0xfe00) === 0xfc00) return true; // fc00::/7
  if ((h[0] & 0xffc0) === 0xfe80 || (h[0] & 0xffc0) === 0xfec0) return true; // fe80::/10, fec0::/10
  if ((h[0] & 0xff00) === 0xff00) return true; // multicast
  if (h[0] === 0x2001 && h[1] === 0x0db8) return true; // documentation
  return false;
}

/** True when `ip` (an IPv4 or IPv6 literal) is not a public unicast address; non-addresses are refused too. */
export function isForbiddenAddress(ip: string): boolean {
  const family = isIP(ip.replace(/%.*$/, ''));
  if (family === 4) return v4Blocked(ip);
  if (family === 6) return v6Blocked(ip);
  return true;
}
