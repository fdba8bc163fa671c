import { BlockList, isIP, isIPv4 } from 'node:net';
import { domainToASCII } from 'node:url';

/**
 * Which addresses a callback may not connect to (SSRF guard): everything that is not a public
 * unicast address. IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are
 * judged by the embedded address, so `::ffff:127.0.0.1` is loopback like `127.0.0.1`.
 */
const FORBIDDEN_V4: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'unspecified / "this network"'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved / broadcast'],
];

const FORBIDDEN_V6: Array<[string, number, string]> = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['64:ff9b:1::', 48, 'local-use IPv4/IPv6 translation'],
  ['100::', 64, 'discard-only'],
  ['fc00::', 7, 'unique local (private)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local'],
  ['ff00::', 8, 'multicast'],
];

function buildList(entries: Array<[string, number, string]>, type: 'ipv4' | 'ipv6'): Array<{ list: BlockList; reason: string }> {
  return entries.map(([network, prefix, reason]) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, type);
    return { list, reason };
  });
}

const V4_RULES = buildList(FORBIDDEN_V4, 'ipv4');
const V6_RULES = buildList(FORBIDDEN_V6, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or null when it is not one. */
export function ipv6Groups(address: string): number[] | null {
  let text = address.replace(/^\[|\]$/g, '');
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (isIP(text) !== 6) return null;
  // A trailing dotted quad stands for the last two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups].map((g) => parseInt(g, 16));
  return groups.length === 8 ? groups : null;
}

function v4FromGroups(high: number, low: number): string {
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or null. */
export function embeddedIPv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (g === null) return null;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const zeros = (...values: number[]) => values.every((v) => v === 0);
  // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (translated)
  if (zeros(g0, g1, g2, g3) && ((g4 === 0 && g5 === 0xffff) || (g4 === 0xffff && g5 === 0))) return v4FromGroups(g6, g7);
  // ::a.b.c.d (deprecated compatible form); :: and ::1 stay IPv6 (their own rules cover them).
  if (zeros(g0, g1, g2, g3, g4, g5) && !(g6 === 0 && g7 <= 1)) return v4FromGroups(g6, g7);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix)
  if (g0 === 0x64 && g1 === 0xff9b && zeros(g2, g3, g4, g5)) return v4FromGroups(g6, g7);
  // 2002:AABB:CCDD::/48 (6to4)
  if (g0 === 0x2002) return v4FromGroups(g1, g2);
  return null;
}

/**
 * Why a callback may not connect to `address`, or null when it may (public unicast).
 * Anything that is not an IP address at all is refused too.
 */
export function forbiddenAddressReason(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) {
    for (const rule of V4_RULES) if (rule.list.check(bare, 'ipv4')) return rule.reason;
    return null;
  }
  if (isIP(bare) !== 6) return 'not an IP address';
  const v4 = embeddedIPv4(bare);
  if (v4 !== null) {
    const reason = forbiddenAddressReason(v4);
    if (reason !== null) return `${reason} (IPv4 ${v4} inside IPv6)`;
  }
  for (const rule of V6_RULES) if (rule.list.check(bare, 'ipv6')) return rule.reason;
  return null;
}

/**
 * An allowlist of hostnames and CIDR ranges (or single addresses). A hostname entry lets that
 * host through whatever it resolves to; a range entry lets the addresses in it through.
 */
export interface Allowlist {
  allowsHost(hostname: string): boolean;
  allowsAddress(address: string): boolean;
}

/** A host name as the URL parser leaves it: dot-separated labels, nothing else (no port, no "*"). */
const HOST_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

export function createAllowlist(entries: readonly string[]): Allowlist {
  const hosts = new Set<string>();
  const ranges = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const slash = entry.indexOf('/');
    const network = (slash >= 0 ? entry.slice(0, slash) : entry).replace(/^\[|\]$/g, '');
    const family = isIP(network);
    if (family === 0) {
      // Stored as the URL parser writes host names (lower case, IDN as punycode): that is the form
      // the connector is given, and an entry in any other form would never match, silently.
      const host = slash >= 0 ? '' : domainToASCII(entry.replace(/\.$/, ''));
      if (!HOST_NAME.test(host)) {
        throw new Error(`Callback allowlist entry "${entry}" is neither a hostname nor a CIDR range (no scheme, port or wildcard).`);
      }
      hosts.add(host);
      continue;
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const prefix = slash >= 0 ? Number(entry.slice(slash + 1)) : family === 4 ? 32 : 128;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) throw new Error(`Callback allowlist entry "${entry}" has a bad prefix length.`);
    ranges.addSubnet(network, prefix, type);
  }
  return {
    allowsHost: (hostname) => hosts.has(hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')),
    allowsAddress: (address) => {
      const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
      if (isIPv4(bare)) return ranges.check(bare, 'ipv4');
      if (isIP(bare) !== 6) return false;
      const v4 = embeddedIPv4(bare);
      return ranges.check(bare, 'ipv6') || (v4 !== null && ranges.check(v4, 'ipv4'));
    },
  };
}
