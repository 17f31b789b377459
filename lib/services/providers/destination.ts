/**
 * Where a provider sends its credential. A credential is bound to the destination it was stored
 * for (in its encryption context), so a provider moved elsewhere has no usable credential until an
 * admin confirms the move; and only an admin may move a provider that holds one
 * (`docs/credentials.md`, "Bound to a destination").
 */
import { DEFAULT_BASE_URLS } from '../provider-defaults.js';

/** The parts of a provider that decide where its requests go. */
export interface DestinationFields {
  provider_type: string;
  base_url: string | null | undefined;
  metadata: Record<string, unknown>;
}

/** Fields of a provider PATCH that can change its destination. */
export const DESTINATION_FIELDS = ['base_url', 'metadata'] as const;

/**
 * The destination of a provider's requests: the origin (scheme, host, port) of its effective base
 * URL; for Bedrock without a base URL, the region it calls (`bedrock:<region>`, `bedrock:default`
 * for the gateway's own region); `mock` for the in-process mock. Paths do not count: a credential
 * may go to any path of the origin it was stored for.
 */
export function destinationOf(provider: DestinationFields): string {
  if (provider.provider_type === 'mock') return 'mock';
  const base =
    provider.base_url ?? DEFAULT_BASE_URLS[provider.provider_type as keyof typeof DEFAULT_BASE_URLS];
  if (base) {
    try {
      return new URL(base).origin;
    } catch {
      return `invalid:${base}`;
    }
  }
  if (provider.provider_type === 'bedrock') {
    const region = provider.metadata.region;
    return `bedrock:${typeof region === 'string' && region !== '' ? region : 'default'}`;
  }
  return 'none';
}
