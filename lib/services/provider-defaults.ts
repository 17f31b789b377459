import type { PROVIDER_TYPES } from '../schemas/vocabulary.js';

type ProviderType = (typeof PROVIDER_TYPES)[number];

/**
 * The public API address of each provider type, used when a provider is created without
 * `base_url`. `custom` has none (it must be given); `bedrock` uses the AWS SDK's regional
 * endpoint; `mock` is served in-process and never connects anywhere.
 */
export const DEFAULT_BASE_URLS: Partial<Record<ProviderType, string>> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  cohere: 'https://api.cohere.com',
  huggingface: 'https://router.huggingface.co/v1',
};

/** Provider types that never take a base_url. */
export const NO_BASE_URL: readonly ProviderType[] = ['mock'];
/** Provider types that require one. */
export const REQUIRES_BASE_URL: readonly ProviderType[] = ['custom'];
