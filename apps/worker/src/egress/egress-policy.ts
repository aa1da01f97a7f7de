import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One entry of `HOOKFLOW_EGRESS_ALLOW`, parsed. A missing `port` means every port. */
export type AllowRule =
  | { kind: 'name'; host: string; port?: number }
  | { kind: 'address'; address: Address; port?: number }
  | { kind: 'range'; range: [Address, number] };

export type Verdict = { allowed: true } | { allowed: false; reason: string };

/**
 * What an address is, in ipaddr.js's range names (`unicast` is the only public one), plus `ipv4Compatible` for
 * `::a.b.c.d`, which ipaddr.js files under `unicast` although it carries an IPv4 address. IPv4-mapped and
 * -compatible addresses name the class of the IPv4 address inside them too (`ipv4Mapped(loopback)`).
 */
export function classifyAddress(address: Address): string {
  if (address.kind() === 'ipv4') return address.range();
  const v6 = address as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return `ipv4Mapped(${v6.toIPv4Address().range()})`;
  const range = v6.range();
  if (range === 'unicast' && v6.parts.slice(0, 6).every((part) => part === 0)) {
    return `ipv4Compatible(${embeddedIPv4(v6).range()})`;
  }
  return range;
}

/** The IPv4 address in the last 32 bits of an IPv4-compatible address. */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  return ipaddr.fromByteArray(v6.toByteArray().slice(12)) as ipaddr.IPv4;
}

/** An address for comparing with allow rules: an IPv6 form of an IPv4 address counts as that IPv4 address. */
function canonical(address: Address): Address {
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
    if (classifyAddress(v6).startsWith('ipv4Compatible')) return embeddedIPv4(v6);
  }
  return address;
}

/** Parses an address as sockets and WHATWG URLs write it (four-part decimal IPv4, or IPv6 without brackets); else null. */
export function parseAddress(text: string): Address | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const family = isIP(bare);
  return family === 0 ? null : (ipaddr.parse(bare) as Address);
}

const hostWithPort = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/** Parses one allow entry (`host`, `host:port`, `[v6]:port`, an address, or a CIDR range); a string is the reason it is bad. */
export function parseAllowEntry(entry: string): AllowRule | string {
  if (entry.includes('://')) return `"${entry}" is a URL; give its host or host:port (such as crm.intranet.example:8443)`;
  if (entry.includes('/')) {
    if (!(ipaddr.IPv4.isValidCIDRFourPartDecimal(entry) || ipaddr.IPv6.isValidCIDR(entry)))
      return `"${entry}" is not a CIDR range (such as 10.20.0.0/16 or fd00::/8)`;
    return { kind: 'range', range: canonicalRange(ipaddr.parseCIDR(entry) as [Address, number]) };
  }
  const parts = hostWithPort.exec(entry);
  if (!parts || /[\s?#@\\*]/.test(entry)) return `"${entry}" is not a host, host:port or CIDR range`;
  const port = parts[2] === undefined ? undefined : Number(parts[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return `"${entry}" has a port outside 1-65535`;
  let hostname: string;
  try {
    // The URL parser normalizes names (case, IDNA) and IPv4 forms the same way it does for the URLs steps call.
    hostname = new URL(`http://${parts[1]}/`).hostname;
  } catch {
    return `"${entry}" is not a valid host name`;
  }
  const address = parseAddress(hostname);
  if (address) return { kind: 'address', address: canonical(address), ...(port === undefined ? {} : { port }) };
  return { kind: 'name', host: hostname.replace(/\.+$/, ''), ...(port === undefined ? {} : { port }) };
}

/** A range inside IPv4-mapped space (`::ffff:10.0.0.0/104`) is kept as the IPv4 range it covers, as addresses are. */
function canonicalRange([base, bits]: [Address, number]): [Address, number] {
  if (base.kind() === 'ipv6' && bits >= 96 && (base as ipaddr.IPv6).isIPv4MappedAddress())
    return [(base as ipaddr.IPv6).toIPv4Address(), bits - 96];
  return [base, bits];
}

/** Splits a comma-separated allow list; `errors` names every bad entry. */
export function parseAllowList(value: string): { entries: string[]; rules: AllowRule[]; errors: string[] } {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const rules: AllowRule[] = [];
  const errors: string[] = [];
  for (const entry of entries) {
    const parsed = parseAllowEntry(entry);
    if (typeof parsed === 'string') errors.push(parsed);
    else rules.push(parsed);
  }
  return { entries, rules, errors };
}

/**
 * The egress decision: a connection may go to a public unicast address, or to what `HOOKFLOW_EGRESS_ALLOW` names
 * (a host name, whatever it resolves to; an address; a CIDR range; each on one port or all).
 */
export class EgressPolicy {
  constructor(private readonly rules: readonly AllowRule[]) {}

  /** Throws on a bad entry; the configuration has already rejected those with a message naming the variable. */
  static fromEntries(entries: readonly string[]): EgressPolicy {
    const { rules, errors } = parseAllowList(entries.join(','));
    if (errors.length > 0) throw new Error(`HOOKFLOW_EGRESS_ALLOW: ${errors.join('; ')}`);
    return new EgressPolicy(rules);
  }

  /** True when the host name itself is allowed, so its resolved addresses need no check. */
  allowsName(hostname: string, port: number): boolean {
    const host = hostname.toLowerCase().replace(/\.+$/, '');
    return this.rules.some((rule) => rule.kind === 'name' && rule.host === host && (rule.port === undefined || rule.port === port));
  }

  /** The decision for connecting to `address` (a resolved or literal IP address) on `port`. */
  check(address: string, port: number): Verdict {
    const parsed = parseAddress(address);
    if (!parsed) return { allowed: false, reason: 'is not an IP address' };
    const target = canonical(parsed);
    for (const rule of this.rules) {
      if (rule.kind === 'address' && sameAddress(rule.address, target) && (rule.port === undefined || rule.port === port))
        return { allowed: true };
      if (rule.kind === 'range' && rule.range[0].kind() === target.kind() && target.match(rule.range)) return { allowed: true };
    }
    const range = classifyAddress(parsed);
    return range === 'unicast' ? { allowed: true } : { allowed: false, reason: `is ${range}, not a public address` };
  }
}

function sameAddress(a: Address, b: Address): boolean {
  return a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();
}
