/**
 * Upstream address safety (SSRF): a provider `base_url` must be https to a public address unless the
 * operator allow-lists the host. Checked twice: at write time on the URL ({@link validateUpstreamUrl})
 * and at connect time on what DNS answers ({@link createGuardedLookup}, {@link assertConnectTarget}),
 * because a name that was public when stored can resolve to a private address later (DNS rebinding).
 */
import dns, { type LookupAddress, type LookupAllOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { domainToASCII } from 'node:url';
import { ConfigError, ValidationError } from '../errors.js';
import { type Cidr, cidrContains, isRefusedAddress, parseCidr, parseIp } from './ip-ranges.js';

/** Operator exceptions, from `ALLOWED_PRIVATE_UPSTREAMS` via {@link parseAllowedPrivateUpstreams}. */
export interface UpstreamPolicy {
  /** Hostnames (exact, case-insensitive, trailing dot ignored) or CIDRs (`10.0.0.0/8`, `fd00::/8`). */
  allowedPrivate: string[];
}

/** `code` of the error a refused connect-time target fails with (errno style, like `ENOTFOUND`). */
export const UPSTREAM_REFUSED_CODE = 'EUPSTREAMREFUSED';

/** Longest `base_url` accepted, in characters. */
export const MAX_UPSTREAM_URL_LENGTH = 2048;

/** A connect-time refusal: the target is, or resolves to, a refused address or name. */
export class UpstreamRefusedError extends Error {
  override name = 'UpstreamRefusedError';
  readonly code = UPSTREAM_REFUSED_CODE;
  /** The hostname or IP literal that was refused (never a URL, so never a credential). */
  readonly host: string;
  constructor(host: string, reason: string) {
    super(`Upstream ${host} refused: ${reason}.`);
    this.host = host;
  }
}

/** Names that reach the local host, the cluster or a cloud metadata service. */
const REFUSED_HOSTNAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'ip6-localhost',
  'ip6-loopback',
  'metadata.google.internal',
  'metadata.azure.internal',
  'instance-data.ec2.internal',
  'kubernetes.default.svc',
]);

/** Private-use and local suffixes (RFC 6761, RFC 6762 appendix G, RFC 8375, cloud internal DNS). */
const REFUSED_SUFFIXES = [
  'localhost',
  'local',
  'internal',
  'localdomain',
  'lan',
  'home',
  'corp',
  'intranet',
  'private',
  'arpa',
  'svc',
];

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

interface CompiledPolicy {
  names: Set<string>;
  cidrs: Cidr[];
}

type HostVerdict =
  | { refused: false; allowListed: boolean }
  | { refused: true; rule: 'invalid_host' | 'private_host' | 'private_address'; reason: string };

/** Lowercases, maps IDN to ASCII and drops one trailing dot; `''` when the name cannot be a host. */
function normalizeHostname(host: string): string {
  const ascii = domainToASCII(host.toLowerCase());
  return ascii.endsWith('.') ? ascii.slice(0, -1) : ascii;
}

function isValidHostname(name: string): boolean {
  const labels = name.split('.');
  const last = labels.at(-1) ?? '';
  return (
    name.length <= 253 && labels.every((label) => LABEL.test(label)) && !/^(?:\d+|0x[0-9a-f]*)$/.test(last)
  );
}

/** Parses one allow-list entry; `undefined` when it is neither a valid hostname nor a CIDR. */
function parseAllowEntry(entry: string): { cidr: Cidr } | { name: string } | undefined {
  if (entry.includes('/') || entry.includes(':') || parseIp(entry) !== undefined) {
    const cidr = parseCidr(entry);
    return cidr === undefined ? undefined : { cidr };
  }
  const name = normalizeHostname(entry);
  return isValidHostname(name) ? { name } : undefined;
}

/**
 * Reads `ALLOWED_PRIVATE_UPSTREAMS` (comma separated hostnames or CIDRs) once at cold start.
 * Blank entries are skipped; hostnames come back lowercased without a trailing dot.
 *
 * @throws ConfigError naming the first entry that is neither a hostname nor a CIDR (`127.1`, `*.corp`,
 *   `10.0.0.0/33` are refused: an allow-list must not be ambiguous).
 */
export function parseAllowedPrivateUpstreams(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    const parsed = parseAllowEntry(entry);
    if (parsed === undefined) {
      throw new ConfigError(
        `ALLOWED_PRIVATE_UPSTREAMS entry "${entry}" is neither a hostname nor a CIDR (e.g. 10.0.0.0/8).`,
      );
    }
    return 'name' in parsed ? parsed.name : entry;
  });
}

function compilePolicy(policy: UpstreamPolicy): CompiledPolicy {
  const compiled: CompiledPolicy = { names: new Set(), cidrs: [] };
  for (const entry of parseAllowedPrivateUpstreams(policy.allowedPrivate.join(','))) {
    const parsed = parseAllowEntry(entry);
    if (parsed !== undefined && 'cidr' in parsed) compiled.cidrs.push(parsed.cidr);
    else if (parsed !== undefined) compiled.names.add(parsed.name);
  }
  return compiled;
}

function isAddressAllowed(address: string, policy: CompiledPolicy): boolean {
  return !isRefusedAddress(address) || policy.cidrs.some((cidr) => cidrContains(cidr, address));
}

/** Judges a host (URL hostname, socket host or lookup name) before any DNS answer is known. */
function judgeHost(host: string, policy: CompiledPolicy): HostVerdict {
  const ip = parseIp(host);
  if (ip !== undefined) {
    if (policy.cidrs.some((cidr) => cidrContains(cidr, ip))) return { refused: false, allowListed: true };
    return isRefusedAddress(host)
      ? {
          refused: true,
          rule: 'private_address',
          reason: 'a loopback, private, link-local or reserved address',
        }
      : { refused: false, allowListed: false };
  }
  const name = normalizeHostname(host);
  if (policy.names.has(name)) return { refused: false, allowListed: true };
  if (!isValidHostname(name)) return { refused: true, rule: 'invalid_host', reason: 'not a valid hostname' };
  const labels = name.split('.');
  const local =
    labels.length === 1 || REFUSED_HOSTNAMES.has(name) || REFUSED_SUFFIXES.includes(labels.at(-1) ?? '');
  return local
    ? { refused: true, rule: 'private_host', reason: 'a local, internal or metadata hostname' }
    : { refused: false, allowListed: false };
}

function refuse(rule: string, message: string): never {
  throw new ValidationError(`base_url ${message}.`, { details: { field: 'base_url', rule } });
}

/** Refuses what parsers disagree on: whitespace, control characters, backslashes, `#`, userinfo. */
function assertPlainSpelling(raw: string, url: URL): void {
  if ([...raw].some((char) => char <= ' ' || char === '\u007f' || char === '\\')) {
    refuse('malformed', 'must not contain whitespace, control characters or backslashes');
  }
  if (!/^https?:\/\/[^/]/i.test(raw)) refuse('malformed', 'must start with https:// followed by a host');
  const authority = /^https?:\/\/([^/?#]*)/i.exec(raw)?.[1] ?? '';
  if (authority.includes('@') || url.username !== '' || url.password !== '') {
    refuse('userinfo', 'must not contain credentials or "@" before the host');
  }
  if (raw.includes('#')) refuse('fragment', 'must not contain a fragment (#)');
}

/**
 * Write-time check of a provider `base_url`. The URL is parsed with WHATWG URL (what the HTTP client
 * will use), so `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1`, `%31%32%37.0.0.1`, `127。0。0。1`
 * and `[::ffff:7f00:1]` are all judged as 127.0.0.1.
 *
 * Rules: at most {@link MAX_UPSTREAM_URL_LENGTH} characters; https only (http only for an allow-listed
 * host); no userinfo, fragment, whitespace or backslash; the host is not a refused address in any
 * spelling nor a local/internal/metadata or single-label name, unless allow-listed by hostname or by
 * a CIDR containing the IP literal. A hostname that merely resolves to a private address passes here
 * and is refused at connect time by {@link createGuardedLookup}.
 *
 * @returns the normalized URL; store `url.href`, not the raw text.
 * @throws ValidationError with `details.rule` naming the broken rule; the message never echoes the URL.
 * @throws ConfigError when `policy` holds an entry {@link parseAllowedPrivateUpstreams} would refuse.
 */
export function validateUpstreamUrl(raw: string, policy: UpstreamPolicy): URL {
  if (raw.length > MAX_UPSTREAM_URL_LENGTH)
    refuse('too_long', `must be at most ${MAX_UPSTREAM_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not_a_url', 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('scheme', 'must use https');
  assertPlainSpelling(raw, url);
  const verdict = judgeHost(url.hostname, compilePolicy(policy));
  if (verdict.refused) {
    refuse(verdict.rule, `host is ${verdict.reason}; ask the operator to allow-list it`);
  }
  if (url.protocol === 'http:' && !verdict.allowListed) {
    refuse('scheme', 'must use https (http is allowed only for an allow-listed private upstream)');
  }
  return url;
}

/**
 * Connect-time check of a host before connecting to it. Node's `net`/`tls` skip the `lookup` hook for
 * IP literals, so call this with the socket host whenever it may be a literal (undici passes the URL
 * hostname). Names are only checked against the name rules here; their addresses are checked by
 * {@link createGuardedLookup}.
 *
 * @throws UpstreamRefusedError (`code` {@link UPSTREAM_REFUSED_CODE}) when the host is refused.
 */
export function assertConnectTarget(host: string, policy: UpstreamPolicy): void {
  const verdict = judgeHost(host, compilePolicy(policy));
  if (verdict.refused) throw new UpstreamRefusedError(host, `it is ${verdict.reason}`);
}

/**
 * How the address rules judge a host (a URL hostname or an IP literal), without DNS: refused (with
 * the rule: `invalid_host`, `private_host`, `private_address`), allowed by `policy`'s allow-list,
 * or public. Used for URLs someone else will fetch (a caller's image URL).
 */
export function judgeUpstreamHost(
  host: string,
  policy: UpstreamPolicy,
): { refused: false; allowListed: boolean } | { refused: true; rule: string } {
  const verdict = judgeHost(host, compilePolicy(policy));
  return verdict.refused ? { refused: true, rule: verdict.rule } : verdict;
}

/** The `dns.lookup` shape the guard needs: always asked for every address (`all: true`). */
export type LookupAllImpl = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `net.LookupFunction` for `connect.lookup` of an undici Agent or `net.connect`/`tls.connect`. It
 * resolves with the real DNS (or `lookupImpl`), always asking for all addresses, and fails with
 * {@link UpstreamRefusedError} (`code` `EUPSTREAMREFUSED`) when the name is refused or ANY address is
 * refused, unless the name is allow-listed or the address lies in an allow-listed CIDR. Checking at
 * connect time defeats DNS rebinding; checking every address stops a mixed public/private answer.
 * Refused names (`localhost`, `*.internal`, ...) are refused without a DNS query. Answers with
 * `all: true` as an array, otherwise with the first address and its family, as `dns.lookup` does.
 *
 * @param policy the operator allow-list; compiled once, so build the lookup once per container.
 * @throws ConfigError at creation when the policy holds an invalid entry.
 */
export function createGuardedLookup(
  policy: UpstreamPolicy,
  lookupImpl: LookupAllImpl = dns.lookup,
): LookupFunction {
  const compiled = compilePolicy(policy);
  return function guardedLookup(hostname, options, callback) {
    const wantsAll = options.all === true;
    const fail = (err: NodeJS.ErrnoException): void => callback(err, wantsAll ? [] : '');
    const verdict = judgeHost(hostname, compiled);
    if (verdict.refused) return fail(new UpstreamRefusedError(hostname, `it is ${verdict.reason}`));
    lookupImpl(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return fail(err);
      const first = addresses[0];
      if (first === undefined) {
        return fail(Object.assign(new Error(`No address for ${hostname}.`), { code: 'ENOTFOUND', hostname }));
      }
      const refused = !verdict.allowListed && addresses.some((a) => !isAddressAllowed(a.address, compiled));
      if (refused) {
        return fail(
          new UpstreamRefusedError(hostname, 'it resolves to a loopback, private or reserved address'),
        );
      }
      if (wantsAll) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
