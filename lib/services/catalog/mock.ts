import type { Principal } from '../../auth/roles.js';
import { ConflictError } from '../../errors.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { ModelCreate } from '../../schemas/models.js';
import { keys } from '../../store/keys.js';
import type { Actor } from '../actor.js';
import { createModel } from '../models/service.js';
import { createProvider } from '../providers/service.js';

/** Name of the built-in mock provider the local runtime starts with. */
export const MOCK_PROVIDER_NAME = 'mock';

/** The mock's catalog: one model per operation, free, so usage is counted but costs nothing. */
const MOCK_MODELS: ModelCreate[] = [
  {
    model_id: 'mock-chat',
    model_name: 'Mock chat (echo)',
    model_type: 'llm',
    context_window: 128_000,
    max_output_tokens: 4096,
    capabilities: ['streaming', 'tools', 'vision', 'json_mode'],
    pricing: { input_per_1m: 0, output_per_1m: 0, effective_from: '2026-01-01T00:00:00.000Z' },
  },
  { model_id: 'mock-embed', model_name: 'Mock embeddings', model_type: 'embedding', context_window: 8192 },
  { model_id: 'mock-rerank', model_name: 'Mock rerank', model_type: 'rerank' },
  { model_id: 'mock-tts', model_name: 'Mock speech', model_type: 'tts' },
  {
    model_id: 'mock-image',
    model_name: 'Mock images',
    model_type: 'image',
    pricing: { per_image: [{ usd: 0 }], effective_from: '2026-01-01T00:00:00.000Z' },
  },
  { model_id: 'mock-moderation', model_name: 'Mock moderation', model_type: 'moderation' },
];

/**
 * Makes sure the built-in mock provider and its models exist, so a first request on a fresh local
 * gateway works without any key. Idempotent; an operator may deactivate or delete it, and a
 * deleted mock is not recreated while its name is taken by another provider.
 */
export async function ensureMockProvider(deps: Gateway, actor: Actor): Promise<void> {
  const claim = await deps.table.get(keys.providerName(MOCK_PROVIDER_NAME));
  if (claim) return;
  let providerId: string;
  try {
    const provider = await createProvider(
      deps,
      {
        name: MOCK_PROVIDER_NAME,
        provider_type: 'mock',
        service_types: ['llm', 'embedding', 'rerank', 'speech', 'vision', 'image', 'moderation'],
        priority: 1000,
        metadata: { note: 'Built-in mock provider: deterministic echo answers, no upstream, no key.' },
      },
      actor,
    );
    providerId = provider.id;
  } catch (error) {
    if (error instanceof ConflictError) return;
    throw error;
  }
  const principal: Principal = { keyId: actor.keyId, role: 'admin' };
  for (const model of MOCK_MODELS) await createModel(deps, { providerId, model, principal, actor });
}
