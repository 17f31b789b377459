import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  isIpLiteral,
  isRefusedAddress,
  parseCidr,
  parseIp,
} from '../../../lib/net/ip-ranges.js';

/** Renders parsed bytes as dotted decimal (IPv4) or eight full hex groups (IPv6). */
function render(text: string): string | undefined {
  const parsed = parseIp(text);
  if (parsed === undefined) return undefined;
  if (parsed.family === 4) return [...parsed.bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2)
    groups.push((((parsed.bytes[i] ?? 0) << 8) | (parsed.bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

describe('ip-ranges: parseIp', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.0.0.0x1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['00000000000177.1', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['169.254.43518', '169.254.169.254'],
    ['192.168.257', '192.168.1.1'],
    ['4294967295', '255.255.255.255'],
  ])('reads the IPv4 spelling %s as %s', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  it.each([
    ['::1', '0:0:0:0:0:0:0:1'],
    ['[::1]', '0:0:0:0:0:0:0:1'],
    ['::', '0:0:0:0:0:0:0:0'],
    ['::ffff:127.0.0.1', '0:0:0:0:0:ffff:7f00:1'],
    ['::FFFF:7F00:1', '0:0:0:0:0:ffff:7f00:1'],
    ['fe80::1%eth0', 'fe80:0:0:0:0:0:0:1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['64:ff9b::169.254.169.254', '64:ff9b:0:0:0:0:a9fe:a9fe'],
    ['fd00:ec2::254', 'fd00:ec2:0:0:0:0:0:254'],
  ])('reads the IPv6 spelling %s as %s', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  it.each([
    'localhost',
    'api.openai.com',
    '',
    '256.0.0.1',
    '4294967296',
    '08.0.0.1',
    '1.2.3.4.5',
    '1..2.3',
    '1.2.3.4..',
    ' 127.0.0.1',
    '::ffff:010.0.0.1',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '12345::1',
    'g::1',
    ':1:2:3:4:5:6:7',
  ])('does not read %j as an IP literal', (text) => {
    expect(parseIp(text)).toBeUndefined();
    expect(isIpLiteral(text)).toBe(false);
  });
});

describe('ip-ranges: isRefusedAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.255.255.255', 'this network'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'metadata (link-local)'],
    ['169.254.170.2', 'ECS task metadata'],
    ['100.64.0.1', 'CGNAT'],
    ['100.100.100.200', 'Alibaba metadata (CGNAT)'],
    ['100.127.255.255', 'CGNAT'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.1', 'documentation'],
    ['203.0.113.1', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['0x7f000001', 'loopback, hex'],
    ['2852039166', 'metadata, decimal'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fc00::1', 'unique local'],
    ['fd12:3456::1', 'unique local'],
    ['fd00:ec2::254', 'AWS IPv6 metadata'],
    ['fe80::1', 'IPv6 link-local'],
    ['febf:ffff::1', 'IPv6 link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['3fff::1', 'IPv6 documentation'],
    ['100::1', 'discard-only'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped metadata'],
    ['::ffff:0:a9fe:a9fe', 'IPv4-translated metadata'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated, refused whole)'],
    ['64:ff9b::127.0.0.1', 'NAT64 loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 metadata'],
    ['2002:7f00:1::', '6to4 loopback'],
    ['2002:c0a8:101::1', '6to4 private'],
    ['2002:a9fe:a9fe::', '6to4 metadata'],
    ['not-an-ip', 'unparseable text (fails closed)'],
    ['', 'empty text (fails closed)'],
  ])('refuses %s (%s)', (ip) => {
    expect(isRefusedAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '9.255.255.255',
    '11.0.0.0',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '2606:4700::1111',
    '2a00:1450:4001::200e',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('accepts the public address %s', (ip) => {
    expect(isRefusedAddress(ip)).toBe(false);
  });
});

describe('ip-ranges: parseCidr', () => {
  it('parses IPv4 and IPv6 blocks and clears host bits', () => {
    expect(parseCidr('10.1.2.3/8')).toEqual({ family: 4, prefix: 8, bytes: Uint8Array.of(10, 0, 0, 0) });
    expect(parseCidr('fd00::1/8')?.bytes[0]).toBe(0xfd);
    expect(parseCidr('fd00::1/8')?.bytes[15]).toBe(0);
    expect(parseCidr('127.0.0.1')).toEqual({ family: 4, prefix: 32, bytes: Uint8Array.of(127, 0, 0, 1) });
    expect(parseCidr('::1')?.prefix).toBe(128);
    expect(parseCidr('0.0.0.0/0')?.prefix).toBe(0);
  });

  it.each([
    '127.1/32',
    '0x7f000001/32',
    '10.0.0.0/33',
    '10.0.0.0/08',
    '10.0.0.0/',
    '10.0.0.0/-1',
    'fd00::/129',
    '[::1]/128',
    'fe80::1%eth0/64',
    '10.0.0.0/8/8',
    'localhost/32',
    '',
  ])('refuses the ambiguous or invalid CIDR %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('ip-ranges: cidrContains', () => {
  it('matches inside the block and not one past its edges', () => {
    expect(cidrContains('172.16.0.0/12', '172.31.255.255')).toBe(true);
    expect(cidrContains('172.16.0.0/12', '172.32.0.0')).toBe(false);
    expect(cidrContains('172.16.0.0/12', '172.15.255.255')).toBe(false);
    expect(cidrContains('fc00::/7', 'fdff::1')).toBe(true);
    expect(cidrContains('fc00::/7', 'fe00::1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '8.8.8.8')).toBe(true);
  });

  it('compares an IPv4-mapped IPv6 address as its IPv4 address', () => {
    expect(cidrContains('127.0.0.1/32', '::ffff:127.0.0.1')).toBe(true);
    expect(cidrContains('127.0.0.1/32', '::ffff:127.0.0.2')).toBe(false);
  });

  it('never matches across families or with unparseable input', () => {
    expect(cidrContains('::/0', '8.8.8.8')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '2606:4700::1111')).toBe(false);
    expect(cidrContains('10.0.0.0/8', 'not-an-ip')).toBe(false);
    expect(cidrContains('not-a-cidr', '10.0.0.1')).toBe(false);
  });
});
