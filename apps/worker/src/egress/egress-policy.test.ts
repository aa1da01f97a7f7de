import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { classifyAddress, EgressPolicy, parseAllowEntry, parseAllowList } from './egress-policy.js';

const none = new EgressPolicy([]);
const policy = (...entries: string[]) => EgressPolicy.fromEntries(entries);
/** What a connection to `text` as a URL host reaches: the WHATWG parser's form of it, as the client sees it. */
const urlHost = (text: string) => new URL(`http://${text}/`).hostname.replace(/^\[(.*)\]$/, '$1');

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'ipv4Mapped(loopback)'],
    ['::ffff:8.8.8.8', 'ipv4Mapped(unicast)'],
    ['::7f00:1', 'ipv4Compatible(loopback)'],
    ['::a00:1', 'ipv4Compatible(private)'],
    ['64:ff9b::7f00:1', 'rfc6052'],
    ['2002:7f00:1::', '6to4'],
    ['2001::1', 'teredo'],
    ['8.8.8.8', 'unicast'],
    ['2606:4700::1111', 'unicast'],
  ])('%s is %s', (address, range) => {
    expect(classifyAddress(ipaddr.parse(address))).toBe(range);
  });
});

describe('EgressPolicy.check without an allow list', () => {
  it('allows public unicast addresses only', () => {
    expect(none.check('8.8.8.8', 443)).toEqual({ allowed: true });
    expect(none.check('2606:4700::1111', 80)).toEqual({ allowed: true });
    expect(none.check('127.0.0.1', 80)).toEqual({ allowed: false, reason: 'is loopback, not a public address' });
    expect(none.check('::ffff:8.8.8.8', 80)).toMatchObject({ allowed: false });
    expect(none.check('not-an-address', 80)).toMatchObject({ allowed: false });
  });

  it('refuses every textual form of a loopback address, as the URL parser reads it', () => {
    for (const form of [
      '127.0.0.1',
      '2130706433',
      '127.1',
      '0x7f.0.0.1',
      '0177.0.0.1',
      '0x7f000001',
      '127.000.000.001',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '[::127.0.0.1]',
      '[0:0:0:0:0:0:0:1]',
    ]) {
      expect(none.check(urlHost(form), 80), form).toMatchObject({ allowed: false });
    }
  });

  it('refuses any address of a special-purpose IPv4 range, in any IPv6 form (property)', () => {
    const special = fc.oneof(
      fc.tuple(fc.constant(127), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(10), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(192), fc.constant(168), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(169), fc.constant(254), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255)),
      fc.tuple(fc.constant(0), fc.nat(255), fc.nat(255), fc.nat(255)),
    );
    fc.assert(
      fc.property(special, fc.constantFrom('dotted', 'integer', 'hex', 'mapped', 'compatible'), (octets, form) => {
        const v4 = octets.join('.');
        const n = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
        const text = { dotted: v4, integer: String(n), hex: `0x${n.toString(16)}`, mapped: `[::ffff:${v4}]`, compatible: `[::${v4}]` }[
          form
        ];
        expect(none.check(urlHost(text), 443).allowed).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with ipaddr.js on every IPv4 address: allowed exactly when its range is unicast (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(none.check(address, 80).allowed).toBe(ipaddr.parse(address).range() === 'unicast');
      }),
      { numRuns: 2000 },
    );
  });

  it('never allows an IPv6 address outside unicast, nor any IPv6 form of an IPv4 address (property)', () => {
    fc.assert(
      fc.property(fc.ipV6(), (address) => {
        const parsed = ipaddr.IPv6.parse(address);
        const embedsV4 = parsed.isIPv4MappedAddress() || parsed.parts.slice(0, 6).every((part) => part === 0);
        if (parsed.range() !== 'unicast' || embedsV4) expect(none.check(address, 80).allowed).toBe(false);
        else expect(none.check(address, 80).allowed).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('HOOKFLOW_EGRESS_ALLOW entries', () => {
  it('a host name allows that name on every port, host:port only that port', () => {
    const p = policy('crm.intranet.example:8443', 'Docs.Intranet.Example.');
    expect(p.allowsName('crm.intranet.example', 8443)).toBe(true);
    expect(p.allowsName('CRM.intranet.example.', 8443)).toBe(true);
    expect(p.allowsName('crm.intranet.example', 443)).toBe(false);
    expect(p.allowsName('docs.intranet.example', 1234)).toBe(true);
    expect(p.allowsName('evil.crm.intranet.example', 8443)).toBe(false);
    // A name entry allows the name, not the addresses it happens to resolve to.
    expect(p.check('10.0.0.5', 8443).allowed).toBe(false);
  });

  it('an address allows that address (in any spelling) on its port, a CIDR range every address in it', () => {
    const p = policy('127.0.0.1:4000', '[::1]:5000', '10.20.0.0/16', 'fd00:1::/32');
    expect(p.check('127.0.0.1', 4000).allowed).toBe(true);
    expect(p.check('::ffff:127.0.0.1', 4000).allowed).toBe(true);
    expect(p.check('127.0.0.1', 4001).allowed).toBe(false);
    expect(p.check('127.0.0.2', 4000).allowed).toBe(false);
    expect(p.check('::1', 5000).allowed).toBe(true);
    expect(p.check('::1', 4000).allowed).toBe(false);
    expect(p.check('10.20.255.1', 1).allowed).toBe(true);
    expect(p.check('::ffff:10.20.0.9', 80).allowed).toBe(true);
    expect(p.check('10.21.0.1', 80).allowed).toBe(false);
    expect(p.check('fd00:1:ffff::1', 80).allowed).toBe(true);
    expect(p.check('fd00:2::1', 80).allowed).toBe(false);
    // Public addresses stay allowed beside the list.
    expect(p.check('8.8.8.8', 80).allowed).toBe(true);
  });

  it('normalizes entries the way URLs are parsed', () => {
    expect(parseAllowEntry('127.1:8080')).toMatchObject({ kind: 'address', port: 8080 });
    expect(parseAllowEntry('[::ffff:10.0.0.1]')).toMatchObject({ kind: 'address' });
    expect(parseAllowEntry('::ffff:10.0.0.0/104')).toMatchObject({ kind: 'range', range: [expect.anything(), 8] });
    expect(parseAllowEntry('CRM.Example')).toEqual({ kind: 'name', host: 'crm.example' });
  });

  it('splits a list, ignores blanks and names every bad entry', () => {
    expect(parseAllowList(' a.example , ,b.example:81,')).toMatchObject({ entries: ['a.example', 'b.example:81'], errors: [] });
    const { errors } = parseAllowList('http://x.example,10.0.0.0/33,host:0,host:99999,*.example,a b,user@host,10.0.0.1/8/1,[::1');
    expect(errors).toHaveLength(9);
    expect(errors[0]).toContain('"http://x.example"');
    expect(() => EgressPolicy.fromEntries(['10.0.0.0/33'])).toThrow(/HOOKFLOW_EGRESS_ALLOW/);
  });
});
