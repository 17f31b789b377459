/**
 * The one map from provider type to adapter. Adding a provider: write its folder, add it here, add
 * the type to `PROVIDER_TYPES` (lib/schemas/providers.ts); see docs/providers.md.
 */
import { anthropicAdapter } from './anthropic/index.js';
import { bedrockAdapter } from './bedrock/index.js';
import { cohereAdapter } from './cohere/index.js';
import type { ProviderAdapter, ProviderType } from './contract.js';
import { customAdapter } from './custom/index.js';
import { huggingfaceAdapter } from './huggingface/index.js';
import { mockAdapter } from './mock/index.js';
import { openaiAdapter } from './openai/index.js';

/** Every provider type's adapter; the shared contract never imports these. */
export const PROVIDER_ADAPTERS: Readonly<Record<ProviderType, ProviderAdapter>> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  cohere: cohereAdapter,
  huggingface: huggingfaceAdapter,
  bedrock: bedrockAdapter,
  custom: customAdapter,
  mock: mockAdapter,
};

/** The adapter of a provider type. */
export function adapterFor(type: ProviderType): ProviderAdapter {
  return PROVIDER_ADAPTERS[type];
}
