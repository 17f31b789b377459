/**
 * Caller-supplied image URLs, checked per provider before the call: a provider that fetches images
 * itself would otherwise fetch whatever address a caller names, from wherever it runs (for an
 * upstream inside a private network: that network, its metadata service included).
 */

import dns from 'node:dns';
import { parseImageUrl } from '../ai/images.js';
import type { ChatCompletionRequest } from '../ai/types.js';
import { BadRequestError } from '../errors.js';
import { refusedFetchTarget, resolvesToRefused } from '../net/fetch-target.js';
import { judgeUpstreamHost } from '../net/upstream-address.js';
import { IMAGE_URL_POLICIES } from '../schemas/vocabulary.js';
import type { AdapterDeps, ProviderRecord } from './contract.js';

/** One of {@link IMAGE_URL_POLICIES}. */
export type ImageUrlPolicy = (typeof IMAGE_URL_POLICIES)[number];

/**
 * The provider's policy: `metadata.image_urls` when it names one, else `resolve` for an upstream
 * the operator allow-listed as private and `public` for the rest.
 */
export function imageUrlPolicyOf(provider: ProviderRecord, baseUrl: URL | undefined, deps: AdapterDeps) {
  const own = provider.metadata.image_urls;
  if ((IMAGE_URL_POLICIES as readonly unknown[]).includes(own)) return own as ImageUrlPolicy;
  const verdict = baseUrl ? judgeUpstreamHost(baseUrl.hostname, deps.policy) : undefined;
  return verdict !== undefined && !verdict.refused && verdict.allowListed ? 'resolve' : 'public';
}

function refused(rule: string): BadRequestError {
  return new BadRequestError(
    `An image_url was refused (${rule}): images must be base64 data URLs or http(s) URLs of public hosts.`,
    { code: 'image_url_refused', details: { field: 'image_url', rule } },
  );
}

/** The remote (http, https or other non-data) image URLs of a chat request's messages. */
function remoteImageUrls(request: ChatCompletionRequest): string[] {
  const urls: string[] = [];
  for (const message of request.messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content as Array<{ type: string; image_url?: { url: string } }>) {
      if (
        part.type === 'image_url' &&
        part.image_url &&
        parseImageUrl(part.image_url.url).kind !== 'base64'
      ) {
        urls.push(part.image_url.url);
      }
    }
  }
  return urls;
}

/**
 * Refuses a request whose remote image URLs the provider's policy does not allow. Never echoes a URL.
 *
 * @throws BadRequestError 400 `image_url_refused` with `details.rule` (`data_only`, `scheme`,
 *   `private_address`, `private_host`, `resolves_private`, ...).
 */
export async function checkImageUrls(
  request: ChatCompletionRequest,
  provider: ProviderRecord,
  baseUrl: URL | undefined,
  deps: AdapterDeps,
): Promise<void> {
  const urls = remoteImageUrls(request);
  if (urls.length === 0) return;
  const policy = imageUrlPolicyOf(provider, baseUrl, deps);
  if (policy === 'any') return;
  if (policy === 'data_only') throw refused('data_only');
  for (const url of urls) {
    const rule = refusedFetchTarget(url);
    if (rule !== undefined) throw refused(rule);
  }
  if (policy !== 'resolve') return;
  const lookup = deps.lookup ?? dns.lookup;
  for (const url of urls) if (await resolvesToRefused(url, lookup)) throw refused('resolves_private');
}
