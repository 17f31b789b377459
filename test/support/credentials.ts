import type { Gateway } from '../../lib/runtime/gateway.js';
import { resolveProviderSecret } from '../../lib/services/credentials/resolve.js';
import { toProvider } from '../../lib/services/providers/mapper.js';
import { loadProviderItem } from '../../lib/services/providers/service.js';

/** `resolveProviderSecret` for a provider named by id: reads the provider as stored now. */
export async function secretFor(deps: Gateway, providerId: string, options: { recordUse?: boolean } = {}) {
  const provider = toProvider(await loadProviderItem(deps, providerId));
  return resolveProviderSecret(deps, provider, options);
}
