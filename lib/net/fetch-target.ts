/**
 * URLs that an upstream provider, not the gateway, will fetch (a caller's `image_url`): judged with
 * the same address rules as provider base URLs, but with no allow-list exception, since the operator
 * allow-listed the provider, not what the provider may be told to fetch.
 */
import type { LookupAddress } from 'node:dns';
import { isRefusedAddress } from './ip-ranges.js';
import { judgeUpstreamHost, type LookupAllImpl, MAX_UPSTREAM_URL_LENGTH } from './upstream-address.js';

/** No exceptions: a fetch target must be public whatever `ALLOWED_PRIVATE_UPSTREAMS` says. */
const NO_EXCEPTIONS = { allowedPrivate: [] };

/**
 * Why a URL may not be handed to a provider to fetch, or `undefined` when it may: `too_long`,
 * `not_a_url`, `scheme` (only http and https), `malformed` (whitespace, backslashes, userinfo), or
 * the host rule (`private_address`, `private_host`, `invalid_host`) in any spelling of the address.
 * Names that merely resolve to a private address pass here (see {@link resolvesToRefused}).
 */
export function refusedFetchTarget(raw: string): string | undefined {
  if (raw.length > MAX_UPSTREAM_URL_LENGTH) return 'too_long';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not_a_url';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'scheme';
  if ([...raw].some((c) => c <= ' ' || c === '\u007f' || c === '\\')) return 'malformed';
  if (url.username !== '' || url.password !== '' || /^https?:\/\/[^/?#]*@/i.test(raw)) return 'malformed';
  const verdict = judgeUpstreamHost(url.hostname, NO_EXCEPTIONS);
  return verdict.refused ? verdict.rule : undefined;
}

/**
 * Whether the URL's host resolves (now, with `lookup`) to any refused address, or does not resolve
 * at all (a name only a private network knows is refused too). A provider may resolve it later to
 * something else: for upstreams inside a private network, data URLs only is the tight setting.
 */
export async function resolvesToRefused(raw: string, lookup: LookupAllImpl): Promise<boolean> {
  const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
  const addresses = await new Promise<LookupAddress[] | undefined>((resolve) => {
    lookup(host, { all: true }, (err, found) => resolve(err ? undefined : found));
  });
  return (
    addresses === undefined || addresses.length === 0 || addresses.some((a) => isRefusedAddress(a.address))
  );
}
