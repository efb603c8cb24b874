/**
 * Which hosts and addresses a callback may reach (SSRF): one classifier, used at admission (the
 * callback_url's host), at delivery (the host again, and every address a name resolves to).
 *
 * Hosts are normalised first: lower case, IPv6 brackets and zone ids removed, one trailing dot
 * removed (`localhost.` is `localhost`), and IPv4 written as the WHATWG URL parser and inet_aton
 * read it — decimal, octal (`0177`) or hex (`0x7f`) parts, 1 to 4 of them (`127.1`, `2130706433`).
 *
 * Refused: every address that is not a public unicast one (IANA special-purpose registries,
 * RFC 6890 and successors) —
 * - IPv4: 0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16 (link-local, cloud metadata), 172.16/12,
 *   192.0.0/24, 192.0.2/24, 192.88.99/24 (6to4 relay), 192.168/16, 198.18/15, 198.51.100/24,
 *   203.0.113/24, 224/4 (multicast), 240/4 and broadcast;
 * - IPv6: :: and ::1, 100::/64 (discard), 2001::/23 (IETF protocol assignments: Teredo 2001::/32,
 *   benchmarking, ORCHID), 2001:db8::/32 and 3fff::/20 (documentation), 5f00::/16 (SRv6),
 *   64:ff9b:1::/48 (local-use NAT64), fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10
 *   (site-local), ff00::/8 (multicast);
 * - IPv4 embedded in IPv6, judged by the IPv4 inside: ::ffff:0:0/96 (IPv4-mapped), ::ffff:0:0:0/96
 *   (SIIT, `::ffff:0:a.b.c.d`), ::/96 (IPv4-compatible), 64:ff9b::/96 (NAT64), 2002::/16 (6to4).
 * Names: `localhost` and `*.localhost` (RFC 6761) are loopback names; other names are judged by
 * what they resolve to, at delivery.
 */

const V4_BLOCKED: [number, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
].map(([a, bits]) => [parseIPv4(a as string)!, bits as number]);

/**
 * An IPv4 address as the WHATWG URL parser (and inet_aton) reads a host: 1 to 4 dot-separated
 * parts, each decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes.
 * Returns the 32-bit value, or null when the text is not such a number.
 */
export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop(); // "1.2.3.4." as the URL parser reads it
  if (parts.length === 0 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return null;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return null;
  return nums.reduce((acc, n, i) => acc + n * 256 ** (3 - i), 0) + last;
}

function v4Forbidden(n: number): boolean {
  return V4_BLOCKED.some(([base, bits]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));
}

const v4Text = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

/** An IPv6 address as 8 hextets (a trailing dotted IPv4 becomes the last two); null if malformed. */
export function v6Hextets(a: string): number[] | null {
  let s = a
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '');
  if (!/^[0-9a-f:.]+$/.test(s) || !s.includes(':')) return null;
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    if (!/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(v4[1])) return null;
    const n = parseIPv4(v4[1].split('.').map(Number).join('.'))!;
    s = s.slice(0, -v4[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  } else if (s.includes('.')) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (p: string) =>
    p === '' ? [] : p.split(':').map((h) => (/^[0-9a-f]{1,4}$/.test(h) ? parseInt(h, 16) : NaN));
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  const fill = 8 - head.length - tail.length;
  if (
    (halves.length === 1 && fill !== 0) ||
    (halves.length === 2 && fill < 1) ||
    [...head, ...tail].some((h) => Number.isNaN(h))
  )
    return null;
  return [...head, ...new Array(halves.length === 2 ? fill : 0).fill(0), ...tail];
}

/** The IPv4 address an IPv6 one stands for (mapped, SIIT, compatible, NAT64, 6to4), or null. */
function embeddedV4(h: number[]): number | null {
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  const low = h[6] * 65536 + h[7];
  if (zeros(0, 5) && h[5] === 0xffff) return low; // ::ffff:a.b.c.d
  if (zeros(0, 4) && h[4] === 0xffff && h[5] === 0) return low; // ::ffff:0:a.b.c.d (SIIT)
  if (zeros(0, 6)) return low; // ::a.b.c.d (deprecated IPv4-compatible; :: and ::1 land here too)
  if (h[0] === 0x64 && h[1] === 0xff9b && zeros(2, 6)) return low; // 64:ff9b::/96 NAT64
  if (h[0] === 0x2002) return h[1] * 65536 + h[2]; // 2002:aabb:ccdd::/48 6to4
  return null;
}

function v6Forbidden(h: number[]): boolean {
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  if (zeros(0, 7) && (h[7] === 0 || h[7] === 1)) return true; // :: and ::1
  const v4 = embeddedV4(h);
  if (v4 !== null) return v4Forbidden(v4);
  if (h[0] === 0x0100 && zeros(1, 4)) return true; // 100::/64 discard
  if (h[0] === 0x2001 && h[1] < 0x0200) return true; // 2001::/23 (Teredo 2001::/32 among them)
  if (h[0] === 0x2001 && h[1] === 0x0db8) return true; // documentation
  if ((h[0] & 0xfff0) === 0x3ff0) return true; // 3fff::/20 documentation
  if (h[0] === 0x5f00) return true; // SRv6 SIDs
  if (h[0] === 0x64 && h[1] === 0xff9b && h[2] === 1) return true; // 64:ff9b:1::/48 local-use NAT64
  if ((h[0] & 0xfe00) === 0xfc00) return true; // fc00::/7
  if ((h[0] & 0xffc0) === 0xfe80 || (h[0] & 0xffc0) === 0xfec0) return true; // fe80::/10, fec0::/10
  if ((h[0] & 0xff00) === 0xff00) return true; // multicast
  return false;
}

/** What a host is: an IP literal (with its canonical text), a loopback name, or another name. */
export type HostClass =
  | { kind: 'ip'; host: string; address: string; forbidden: boolean }
  | { kind: 'name'; host: string; loopback: boolean }
  | { kind: 'invalid'; host: string };

/** Lower case, no brackets, no zone id, one trailing dot removed: the form hosts are compared in (WEBHOOK_ALLOW_HOSTS
 * too). */
export function normalizeHost(raw: string): string {
  return raw
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** The one classifier of callback hosts and resolved addresses (admission and delivery). */
export function classifyHost(raw: string): HostClass {
  const host = normalizeHost(raw);
  if (host.includes(':')) {
    const h = v6Hextets(host);
    if (!h) return { kind: 'invalid', host };
    return { kind: 'ip', host, address: h.map((x) => x.toString(16)).join(':'), forbidden: v6Forbidden(h) };
  }
  const labels = host.split('.');
  // a host whose last label is numeric is an IPv4 address to the URL parser: parse it as one, or refuse it
  if (/^(\d+|0x[0-9a-f]*)$/i.test(labels[labels.length - 1] ?? '')) {
    const n = parseIPv4(host);
    if (n === null) return { kind: 'invalid', host };
    return { kind: 'ip', host, address: v4Text(n), forbidden: v4Forbidden(n) };
  }
  if (host === '' || host.startsWith('.') || host.includes('..')) return { kind: 'invalid', host };
  return { kind: 'name', host, loopback: host === 'localhost' || host.endsWith('.localhost') };
}

/** True when `ip` (an IPv4 or IPv6 literal) is not a public unicast address; non-addresses are refused too. */
export function isForbiddenAddress(ip: string): boolean {
  const c = classifyHost(ip);
  return c.kind !== 'ip' || c.forbidden;
}
