import { describe, expect, it } from 'vitest';
import { createAllowlist, embeddedIPv4, forbiddenAddressReason, ipv6Groups } from './ip-address.models.js';

describe('forbiddenAddressReason', () => {
  it('refuses loopback, private, link-local, multicast, unspecified and CGNAT addresses', () => {
    const refused = [
      '127.0.0.1', '127.255.1.2', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
      '100.64.0.1', '100.127.255.255', '0.0.0.0', '224.0.0.1', '239.1.1.1', '255.255.255.255',
      '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '[::1]',
    ];
    for (const address of refused) expect(forbiddenAddressReason(address), address).not.toBeNull();
  });

  it('refuses the same addresses wrapped in IPv6 (mapped, compatible, NAT64, 6to4)', () => {
    const refused = ['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:0001', '::FFFF:10.0.0.1', '::ffff:169.254.169.254', '::ffff:0:127.0.0.1', '::127.0.0.1', '64:ff9b::10.0.0.1', '2002:c0a8:0101::1'];
    for (const address of refused) expect(forbiddenAddressReason(address), address).toMatch(/inside IPv6/);
  });

  it('refuses the local-use translation prefix 64:ff9b:1::/48 (RFC 8215), which a site NAT64 maps to its own IPv4 network', () => {
    for (const address of ['64:ff9b:1::a00:1', '64:ff9b:1::7f00:1', '64:ff9b:1:ffff::8.8.8.8']) expect(forbiddenAddressReason(address), address).not.toBeNull();
  });

  it('lets public unicast addresses through', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8']) {
      expect(forbiddenAddressReason(address), address).toBeNull();
    }
  });

  it('refuses what is not an address', () => {
    expect(forbiddenAddressReason('localhost')).toBe('not an IP address');
  });
});

describe('IPv6 parsing', () => {
  it('expands groups and finds embedded IPv4', () => {
    expect(ipv6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(ipv6Groups('1::')).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(ipv6Groups('1.2.3.4')).toBeNull();
    expect(embeddedIPv4('::ffff:c0a8:1')).toBe('192.168.0.1');
    expect(embeddedIPv4('2606:4700::1111')).toBeNull();
    expect(embeddedIPv4('::1')).toBeNull();
  });
});

describe('createAllowlist', () => {
  it('matches hostnames exactly and addresses by range', () => {
    const list = createAllowlist(['hooks.internal', '10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
    expect(list.allowsHost('HOOKS.internal.')).toBe(true);
    expect(list.allowsHost('x.hooks.internal')).toBe(false);
    expect(list.allowsAddress('10.9.8.7')).toBe(true);
    expect(list.allowsAddress('::ffff:10.9.8.7')).toBe(true);
    expect(list.allowsAddress('127.0.0.1')).toBe(true);
    expect(list.allowsAddress('127.0.0.2')).toBe(false);
    expect(list.allowsAddress('fd00::5')).toBe(true);
    expect(list.allowsAddress('192.168.0.1')).toBe(false);
  });
  it('matches an IDN host name in the punycode form the URL parser gives the connector', () => {
    const list = createAllowlist(['Bücher.Example']);
    expect(new URL('http://bücher.example/').hostname).toBe('xn--bcher-kva.example');
    expect(list.allowsHost('xn--bcher-kva.example')).toBe(true);
  });
  it('refuses host entries that could never match (a scheme, a port, a wildcard) instead of ignoring them', () => {
    expect(() => createAllowlist(['hooks.internal:8443'])).toThrow(/neither a hostname nor a CIDR/);
    expect(() => createAllowlist(['https://hooks.internal'])).toThrow(/neither a hostname nor a CIDR/);
    expect(() => createAllowlist(['*.internal'])).toThrow(/neither a hostname nor a CIDR/);
    expect(() => createAllowlist(['hooks internal'])).toThrow(/neither a hostname nor a CIDR/);
    expect(createAllowlist(['localhost', 'hooks_1.internal.']).allowsHost('hooks_1.internal')).toBe(true);
  });
  it('refuses malformed entries', () => {
    expect(() => createAllowlist(['10.0.0.0/33'])).toThrow(/prefix/);
    expect(() => createAllowlist(['host/8'])).toThrow(/CIDR/);
  });
});
