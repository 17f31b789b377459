/**
 * IP literal parsing and classification for upstream address safety (SSRF). Pure functions, no I/O.
 *
 * The parser is deliberately loose for IPv4: it accepts every spelling that WHATWG URL or the C
 * library's `inet_aton` (and so `getaddrinfo`) turn into an address — 1 to 4 parts, each decimal,
 * octal (`0177`) or hex (`0x7f`), a single trailing dot — because an attacker picks whichever
 * spelling the checker misreads. Classification fails closed: text that does not parse is refused.
 */

/** A parsed address: 4 bytes for IPv4, 16 for IPv6, network byte order. */
export interface ParsedIp {
  family: 4 | 6;
  bytes: Uint8Array;
}

/** A parsed CIDR block; `bytes` has the host bits cleared. */
export interface Cidr extends ParsedIp {
  prefix: number;
}

/** IPv4 blocks that must never be reached as an upstream (IANA special-purpose registry). */
const REFUSED_V4_BLOCKS: readonly string[] = [
  '0.0.0.0/8', // "this network", unspecified; Linux routes 0.0.0.0 to the local host
  '10.0.0.0/8', // private
  '100.64.0.0/10', // CGNAT; also Alibaba Cloud metadata 100.100.100.200
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local; cloud metadata 169.254.169.254, ECS 169.254.170.2
  '172.16.0.0/12', // private
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation TEST-NET-1
  '192.88.99.0/24', // deprecated 6to4 relay anycast
  '192.168.0.0/16', // private
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation TEST-NET-2
  '203.0.113.0/24', // documentation TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, includes broadcast 255.255.255.255
];

/** IPv6 blocks refused outright, whatever follows the prefix. */
const REFUSED_V6_BLOCKS: readonly string[] = [
  '::/96', // unspecified, loopback and deprecated IPv4-compatible addresses (RFC 4291 2.5.5.1)
  '64:ff9b:1::/48', // local-use NAT64 (RFC 8215)
  '100::/64', // discard-only
  '2001::/23', // IETF protocol assignments, includes Teredo 2001::/32 which tunnels to any IPv4
  '2001:db8::/32', // documentation
  '3fff::/20', // documentation (RFC 9637)
  'fc00::/7', // unique local, includes the AWS IPv6 metadata address fd00:ec2::254
  'fd00:ec2::254/128', // AWS IMDS over IPv6 (already in fc00::/7; listed so the intent is explicit)
  'fe80::/10', // link-local
  'fec0::/10', // deprecated site-local
  'ff00::/8', // multicast
];

/** IPv6 blocks whose bytes embed an IPv4 address: refused when that IPv4 address is refused. */
const EMBEDDING_V6_BLOCKS: ReadonlyArray<{ block: string; offset: number }> = [
  { block: '::ffff:0:0/96', offset: 12 }, // IPv4-mapped
  { block: '::ffff:0:0:0/96', offset: 12 }, // IPv4-translated (SIIT)
  { block: '64:ff9b::/96', offset: 12 }, // NAT64 well-known prefix
  { block: '2002::/16', offset: 2 }, // 6to4
];

const IPV4_PART = /^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$/;
const STRICT_IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Reads one inet_aton part; `undefined` when it is not a number in any accepted base. */
function parseIpv4Part(part: string): number | undefined {
  if (!IPV4_PART.test(part)) return undefined;
  if (/^0[xX]/.test(part)) return part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16);
  if (part.length > 1 && part.startsWith('0')) return Number.parseInt(part.slice(1), 8);
  return Number.parseInt(part, 10);
}

/** Parses `inet_aton` / WHATWG IPv4 spellings (`127.1`, `0x7f000001`, `0177.0.0.1`, `127.0.0.1.`). */
function parseIpv4Loose(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length > 1 && parts.at(-1) === '') parts.pop();
  if (parts.length === 0 || parts.length > 4) return undefined;
  const values = parts.map(parseIpv4Part);
  let value = 0;
  for (const [index, part] of values.entries()) {
    if (part === undefined) return undefined;
    const isLast = index === values.length - 1;
    const limit = isLast ? 256 ** (5 - values.length) : 256;
    if (part >= limit) return undefined;
    value += isLast ? part : part * 256 ** (3 - index);
  }
  return Uint8Array.of(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

/** Parses the groups on one side of `::`; the last group may be a dotted-quad IPv4 tail. */
function parseIpv6Groups(text: string, allowIpv4Tail: boolean): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  const pieces = text.split(':');
  for (const [index, piece] of pieces.entries()) {
    if (allowIpv4Tail && index === pieces.length - 1 && STRICT_IPV4.test(piece)) {
      const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
      groups.push(a * 256 + b, c * 256 + d);
    } else if (HEX_GROUP.test(piece)) {
      groups.push(Number.parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** Parses an IPv6 literal, with or without brackets and zone id (`[fe80::1%eth0]`). */
function parseIpv6(text: string): Uint8Array | undefined {
  let body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseIpv6Groups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parseIpv6Groups(halves[1] ?? '', true) : [];
  if (head === undefined || tail === undefined) return undefined;
  const explicit = head.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const groups = [...head, ...new Array<number>(8 - explicit).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (const [index, group] of groups.entries()) {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 255;
  }
  return bytes;
}

/**
 * Parses an IP literal in any spelling a URL host, a socket address or a DNS answer can carry.
 * IPv4 accepts every `inet_aton`/WHATWG form; IPv6 accepts brackets, a zone id and an IPv4 tail.
 *
 * @returns the address, or `undefined` when the text is not an IP literal (e.g. a hostname).
 */
export function parseIp(text: string): ParsedIp | undefined {
  if (text.includes(':')) {
    const bytes = parseIpv6(text);
    return bytes === undefined ? undefined : { family: 6, bytes };
  }
  const bytes = parseIpv4Loose(text);
  return bytes === undefined ? undefined : { family: 4, bytes };
}

/**
 * Parses `address/prefix` (e.g. `10.0.0.0/8`, `fd00::/8`); a bare address means a single host.
 * Configuration must be unambiguous, so IPv4 must be a plain dotted quad (no `127.1` or hex).
 *
 * @returns the block with host bits cleared, or `undefined` when the text is not a valid CIDR.
 */
export function parseCidr(text: string): Cidr | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  if (!address.includes(':') && !STRICT_IPV4.test(address)) return undefined;
  const parsed = parseIp(address);
  if (parsed === undefined || address.includes('%') || address.startsWith('[')) return undefined;
  const maxPrefix = parsed.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(?:0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (prefix > maxPrefix) return undefined;
  return { family: parsed.family, prefix, bytes: maskBytes(parsed.bytes, prefix) };
}

/** Clears every bit after the first `prefix` bits. */
function maskBytes(bytes: Uint8Array, prefix: number): Uint8Array {
  return bytes.map((byte, index) => {
    const keep = Math.min(8, Math.max(0, prefix - index * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
}

function blockContains(block: Cidr, ip: ParsedIp): boolean {
  if (block.family !== ip.family) return false;
  const masked = maskBytes(ip.bytes, block.prefix);
  return masked.every((byte, index) => byte === block.bytes[index]);
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) connects to its IPv4 address: compare that. */
function unwrapMapped(ip: ParsedIp): ParsedIp {
  const mapped = ip.family === 6 && blockContains(MAPPED_BLOCK, ip);
  return mapped ? { family: 4, bytes: ip.bytes.slice(12) } : ip;
}

/**
 * Whether `ip` lies in `cidr`. An IPv4-mapped IPv6 address is compared as its IPv4 address, so
 * `127.0.0.1/32` also covers `::ffff:127.0.0.1`.
 *
 * @param cidr a CIDR string or a block from {@link parseCidr}
 * @returns false when either side does not parse (never throws)
 */
export function cidrContains(cidr: string | Cidr, ip: string | ParsedIp): boolean {
  const block = typeof cidr === 'string' ? parseCidr(cidr) : cidr;
  const parsed = typeof ip === 'string' ? parseIp(ip) : ip;
  if (block === undefined || parsed === undefined) return false;
  return blockContains(block, parsed) || blockContains(block, unwrapMapped(parsed));
}

function mustParseCidr(text: string): Cidr {
  const block = parseCidr(text);
  if (block === undefined) throw new Error(`Invalid built-in CIDR ${text}`);
  return block;
}

const MAPPED_BLOCK = mustParseCidr('::ffff:0:0/96');
const REFUSED_V4 = REFUSED_V4_BLOCKS.map(mustParseCidr);
const REFUSED_V6 = REFUSED_V6_BLOCKS.map(mustParseCidr);
const EMBEDDING_V6 = EMBEDDING_V6_BLOCKS.map(({ block, offset }) => ({
  block: mustParseCidr(block),
  offset,
}));

function isRefusedParsed(ip: ParsedIp): boolean {
  if (ip.family === 4) return REFUSED_V4.some((block) => blockContains(block, ip));
  if (REFUSED_V6.some((block) => blockContains(block, ip))) return true;
  return EMBEDDING_V6.some(
    ({ block, offset }) =>
      blockContains(block, ip) && isRefusedParsed({ family: 4, bytes: ip.bytes.slice(offset, offset + 4) }),
  );
}

/**
 * Whether an address must never be an upstream: loopback, unspecified, private, link-local (cloud
 * metadata), CGNAT, benchmarking, documentation, multicast, reserved and broadcast IPv4; loopback,
 * unspecified, unique-local, link-local, site-local, documentation and multicast IPv6; and IPv6
 * forms (mapped, compatible, NAT64, 6to4) that embed a refused IPv4 address.
 *
 * Fails closed: text that is not an IP literal returns true, so a malformed DNS answer is refused.
 */
export function isRefusedAddress(ip: string): boolean {
  const parsed = parseIp(ip);
  return parsed === undefined || isRefusedParsed(parsed);
}

/** Whether `text` is an IP literal in any accepted spelling (see {@link parseIp}). */
export function isIpLiteral(text: string): boolean {
  return parseIp(text) !== undefined;
}
