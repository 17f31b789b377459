import type { Principal } from '../../auth/roles.js';
import { actsOn } from '../../auth/scope.js';
import type { Gateway } from '../../runtime/gateway.js';
import type { Model } from '../../schemas/models.js';
import { canSeeModel, canSeeProvider } from '../actor.js';
import { routingSnapshot } from '../routing/index.js';

/**
 * An entry of OpenAI's `GET /v1/models` list, with two fields OpenAI's list lacks (clients that
 * read OpenAI's shape ignore them): what the model does (`model_type`: `llm`, `embedding`, `image`,
 * `moderation`, ...) and its `capabilities` (`streaming`, `tools`, `vision`, `json_mode`).
 */
export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  model_type: Model['model_type'];
  capabilities: Model['capabilities'];
}

/**
 * The models a caller can use (`GET /v1/models`, OpenAI's list format): active catalog entries of
 * active providers within the key's scope (a model owned by a scoped key only for keys inside that
 * scope), one entry per model id (the first provider by priority
 * names the owner). Served from the routing cache: no read per call in steady state.
 */
export async function listUsableModels(deps: Gateway, principal: Principal) {
  const snapshot = await routingSnapshot(deps);
  const byId = new Map<string, OpenAIModel & { priority: number }>();
  for (const model of snapshot.models.values()) {
    const provider = snapshot.providers.get(model.provider_id);
    if (provider?.status !== 'active' || !model.is_active) continue;
    if (!canSeeProvider(principal, provider.id) || !canSeeModel(principal, model.model_id)) continue;
    if (!actsOn(model.owner_scope, principal)) continue;
    const existing = byId.get(model.model_id);
    if (existing && existing.priority <= provider.priority) continue;
    byId.set(model.model_id, {
      id: model.model_id,
      object: 'model',
      created: Math.floor(Date.parse(model.created_at) / 1000),
      owned_by: provider.name,
      model_type: model.model_type,
      capabilities: model.capabilities,
      priority: provider.priority,
    });
  }
  const data = [...byId.values()]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map(({ priority: _p, ...entry }) => entry);
  return { object: 'list' as const, data };
}
